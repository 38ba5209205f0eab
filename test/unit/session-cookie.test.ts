import { describe, expect, it } from "vitest";
import { signSessionToken, verifySessionCookie } from "@/lib/sessions/cookie";

const SECRET = "unit-test-secret-unit-test-secret-unit-test";
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

describe("verifySessionCookie", () => {
  it("accepts the cookie better-auth writes, raw or URI-encoded", () => {
    const cookie = signSessionToken("t".repeat(32), SECRET);
    expect(verifySessionCookie(cookie, SECRET)).toBe("t".repeat(32));
    expect(verifySessionCookie(decodeURIComponent(cookie), SECRET)).toBe("t".repeat(32));
  });

  it("refuses another spelling of the same signature (the last character's spare bits flipped)", () => {
    for (const token of ["a".repeat(32), "b".repeat(32), "c".repeat(32), "d".repeat(32)]) {
      const cookie = decodeURIComponent(signSessionToken(token, SECRET));
      const signature = cookie.slice(cookie.lastIndexOf(".") + 1);
      const last = signature[42]!;
      const other = ALPHABET[ALPHABET.indexOf(last) ^ 1]!;
      const respelled = `${signature.slice(0, 42)}${other}=`;
      // Same bytes once decoded: a byte comparison would take it.
      expect(Buffer.from(respelled, "base64").equals(Buffer.from(signature, "base64"))).toBe(true);
      expect(verifySessionCookie(`${token}.${respelled}`, SECRET)).toBeNull();
    }
  });

  it("refuses a signature by another secret, a bare token, and junk", () => {
    expect(verifySessionCookie(signSessionToken("t".repeat(32), `${SECRET}-other`), SECRET)).toBeNull();
    expect(verifySessionCookie("t".repeat(32), SECRET)).toBeNull();
    expect(verifySessionCookie("abc.def", SECRET)).toBeNull();
    expect(verifySessionCookie("%E0%A4%A", SECRET)).toBeNull();
    expect(verifySessionCookie(undefined, SECRET)).toBeNull();
  });
});
