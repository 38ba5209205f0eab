// Leaving support access from the browser: better-auth's stop-impersonating puts the admin's
// own session back (also after the user ended the support session), then the console opens.
// If the admin's session has ended too, the console's gate sends the browser to sign-in.
export async function stopImpersonating(): Promise<void> {
  await fetch("/api/auth/admin/stop-impersonating", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }).catch(() => null);
  window.location.replace("/admin");
}
