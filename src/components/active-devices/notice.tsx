"use client";
// The panel's notices ("Signed out 2 other devices."): a live region that is always in the
// DOM, so screen readers announce what appears in it, and a notice that clears itself.
import { useCallback, useEffect, useState } from "react";
import { cx } from "@/lib/ui/cx";

const NOTICE_MS = 12_000;

export interface PanelNotice {
  id: number;
  tone: "success" | "info";
  text: string;
}

export function useNotice() {
  const [notice, setNotice] = useState<PanelNotice | null>(null);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(t);
  }, [notice]);
  const show = useCallback((tone: PanelNotice["tone"], text: string) => setNotice({ id: Date.now(), tone, text }), []);
  const dismiss = useCallback(() => setNotice(null), []);
  return { notice, show, dismiss };
}

export function NoticeRegion({ notice, onDismiss }: { notice: PanelNotice | null; onDismiss: () => void }) {
  return (
    <div role="status" aria-live="polite">
      {notice && (
        <div
          key={notice.id}
          className={cx(
            "mt-4 flex items-center justify-between gap-3 rounded-lg border px-4 py-3 text-sm font-medium",
            notice.tone === "success"
              ? "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-700 dark:bg-emerald-900/30 dark:text-emerald-100"
              : "border-accent-300 bg-accent-50 text-accent-900 dark:border-accent-700 dark:bg-accent-900/30 dark:text-accent-100",
          )}
        >
          <span className="min-w-0 wrap-anywhere">{notice.text}</span>
          <button type="button" onClick={onDismiss} className="shrink-0 rounded p-1 hover:bg-black/5 dark:hover:bg-white/10" aria-label="Dismiss">
            <svg viewBox="0 0 20 20" fill="currentColor" className="size-4" aria-hidden="true">
              <path d="M6.28 5.22a.75.75 0 0 0-1.06 1.06L8.94 10l-3.72 3.72a.75.75 0 1 0 1.06 1.06L10 11.06l3.72 3.72a.75.75 0 0 0 1.06-1.06L11.06 10l3.72-3.72a.75.75 0 0 0-1.06-1.06L10 8.94 6.28 5.22Z" />
            </svg>
          </button>
        </div>
      )}
    </div>
  );
}
