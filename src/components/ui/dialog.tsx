"use client";
// A modal dialog on the native <dialog> element: showModal() gives focus on open, a
// focus trap, Escape to close, an inert page behind, and focus back to the opener on
// close, with no extra library. Labelled by its title, described by its description.
import { useEffect, useId, useRef } from "react";

export interface DialogProps {
  open: boolean;
  /** Asked to close (Escape, Cancel, backdrop). Not called while `busy`. */
  onClose: () => void;
  title: string;
  description?: React.ReactNode;
  /** While true, Escape and backdrop clicks do nothing (a request is in flight). */
  busy?: boolean;
  children: React.ReactNode;
}

export function Dialog({ open, onClose, title, description, busy = false, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop lands on the <dialog> itself.
        if (e.target === e.currentTarget && !busy) onClose();
      }}
      className="m-auto w-[calc(100%-2rem)] max-w-md rounded-2xl border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
    >
      {open && (
        <div className="p-6">
          <h2 id={titleId} className="text-lg font-semibold">
            {title}
          </h2>
          {description && (
            <div id={descId} className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
              {description}
            </div>
          )}
          <div className="mt-5">{children}</div>
        </div>
      )}
    </dialog>
  );
}
