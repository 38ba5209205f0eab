// "Signed in with …" as the server says it: the OIDC provider by its configured name.
import { env } from "@/lib/env";
import { asSignInMethod, signInMethodWords } from "@/lib/sign-in-context";

/** The words for a stored method, or null when it is unknown. */
export function signInWith(method: string | null | undefined): string | null {
  const known = asSignInMethod(method);
  return known ? signInMethodWords(known, env().OIDC_NAME) : null;
}
