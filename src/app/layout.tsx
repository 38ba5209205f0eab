import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Revocable", template: "%s · Revocable" },
  description: "Sessions you can end instantly, on every device.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <main className="shell">{children}</main>
      </body>
    </html>
  );
}
