// The pages the layout and accessibility tests visit, and the longest values they show.

/** An IPv6 client address with nothing to compress: the longest one shown, 39 characters... */
export const LONG_IPV6 = "fd12:3456:789a:bcde:f012:3456:789a:bcde";
/** ...which is stored and shown as it is (src/lib/ip-address.ts). */
export const SHOWN_IPV6 = LONG_IPV6;
/**
 * A long device label. Labels are built from known tokens only (src/lib/device.ts: a model
 * the user agent names freely is left out), so this is about as long as one gets: a long
 * browser name on a long model of a known family.
 */
export const LONG_MODEL_UA =
  "Mozilla/5.0 (Linux; Android 14; Pixel 9 Pro XL) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36";
export const LONG_LABEL = "Samsung Internet on Pixel 9 Pro XL";
const LONG_EMAIL = "a.very.long.address.with.many.dots@an-equally-long-domain-name.example.test";

/** The pages anyone can open, by screenshot name, each in its fullest state. */
export const SIGNED_OUT_PAGES: Record<string, string> = {
  home: "/",
  "sign-in": "/sign-in?next=%2Fsettings%2Fsecurity&reason=signed-out",
  "sign-up": "/sign-up",
  "forgot-password": "/forgot-password",
  "reset-password": "/reset-password?token=not-a-real-token",
  "reset-password-invalid": "/reset-password?error=INVALID_TOKEN",
  "verify-email": "/verify-email",
  "verify-email-expired": "/verify-email?error=TOKEN_EXPIRED",
  "check-email": `/check-email?email=${encodeURIComponent(LONG_EMAIL)}`,
};
// /report-sign-in (its confirmation, its answer and its "already used" state) is checked for
// layout and axe in report-sign-in.test.ts, where a live link exists.

/** Pages that look different to a signed-in visitor (the panel itself is tested apart). */
export const SIGNED_IN_PAGES: Record<string, string> = {
  "home-signed-in": "/",
  "verify-email-signed-in": "/verify-email",
};
