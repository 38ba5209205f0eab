import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { ImpersonationBanner } from "@/components/impersonation-banner";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Revocable", template: "%s · Revocable" },
  description: "Sessions you can end instantly, on every device.",
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#fafafa" },
    { media: "(prefers-color-scheme: dark)", color: "#09090b" },
  ],
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request: Next can only put the proxy's CSP nonce on the
  // scripts of a page it renders now, never on one prerendered at build time.
  await connection();
  return (
    <html lang="en">
      <body className="flex flex-col">
        <a
          href="#main"
          className="sr-only rounded-md bg-white px-3 py-2 text-sm font-medium shadow focus:not-sr-only focus:absolute focus:top-3 focus:left-3 focus:z-50 dark:bg-zinc-900"
        >
          Skip to content
        </a>
        <header className="border-b border-zinc-200 bg-white/80 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/80">
          <div className="mx-auto flex h-14 max-w-4xl items-center justify-between px-4 sm:px-6">
            <Link href="/" className="flex items-center gap-2 font-semibold text-zinc-900 no-underline hover:no-underline dark:text-zinc-100">
              <Logo />
              Revocable
            </Link>
            <nav aria-label="Main">
              <Link href="/settings/security" prefetch={false} className="text-sm font-medium text-zinc-700 no-underline hover:underline dark:text-zinc-300">
                Security
              </Link>
            </nav>
          </div>
        </header>
        <ImpersonationBanner />
        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-4xl flex-1 px-4 py-8 focus:outline-none sm:px-6 sm:py-12">
          {children}
        </main>
        <footer className="mx-auto w-full max-w-4xl px-4 py-6 text-xs text-zinc-500 sm:px-6 dark:text-zinc-500">
          Revocable · sessions you can end instantly, on every device.
        </footer>
      </body>
    </html>
  );
}

function Logo() {
  return (
    <svg viewBox="0 0 24 24" className="size-6 text-accent-600 dark:text-accent-400" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M12 3 4.5 6v5.5c0 4.5 3.2 8.2 7.5 9.5 4.3-1.3 7.5-5 7.5-9.5V6L12 3Z" />
      <path d="m9 12 2 2 4-4" />
    </svg>
  );
}
