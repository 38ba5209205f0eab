// Where to go after sign-in: only a local path, never another origin (open redirect).
export function safeNextPath(next: string | null | undefined, fallback = "/settings/security"): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  return next;
}
