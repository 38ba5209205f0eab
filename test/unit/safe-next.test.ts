// The post-sign-in redirect target: parsed as the browser parses it, kept on this origin.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_NEXT, sameOriginPath, safeNextPath } from "@/lib/safe-next";

const ORIGINS = ["http://localhost:3000", "https://app.example.com"];

/** Where a browser on `origin` goes when told to navigate to `target`. */
const landing = (target: string, origin: string) => new URL(target, origin);

// Pieces an attacker combines: separators the parser rewrites or drops, encodings,
// schemes, credentials and hosts.
const piece = fc.constantFrom(
  "/", "//", "\\", "/\\", "\\/", "\t", "\n", "\r", "\0", " ", "\u000b", "\u000c", "\u00a0",
  ".", "..", "./", "../", "%2F", "%2f", "%5C", "%09", "%0a", "%00", "%2e", "%252F", "@", ":",
  "?", "#", "&", "=", "http:", "https:", "javascript:", "data:", "file:", "HTTP://", "evil.example",
  "evil.example:443", "user:pass@", "127.0.0.1", "[::1]", "localhost:3000", "settings", "security",
  "\u3002", "\uff0f", "\u2215",
);
const hostile = fc.oneof(
  fc.array(piece, { maxLength: 12 }).map((parts) => parts.join("")),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
);

describe("safeNextPath", () => {
  it("never yields a target that leaves the app's origin, whatever the input", () => {
    fc.assert(
      fc.property(hostile, (input) => {
        const out = safeNextPath(input);
        expect(out.startsWith("/")).toBe(true);
        expect(out.startsWith("//")).toBe(false);
        // Nothing left for the browser to rewrite: no control characters, spaces or backslashes.
        expect(out).not.toMatch(/[\u0000-\u0020\u007f\\]/);
        for (const origin of ORIGINS) expect(landing(out, origin).origin).toBe(origin);
      }),
      { numRuns: 5_000 },
    );
  });

  it("refuses the reported targets that Chromium turned into another host", () => {
    for (const attack of [
      "/\t/evil.example/pwn", // ?next=%2F%09%2Fevil.example%2Fpwn
      "/\n/evil.example",
      "/\r\n/evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      "//evil.example",
      "/.//evil.example", // normalises to the path "//evil.example"
      "/a/../..//evil.example",
      "https://evil.example/",
      "http://localhost:3000@evil.example/",
      "javascript:alert(1)",
      " //evil.example",
    ]) {
      expect(safeNextPath(attack), JSON.stringify(attack)).toBe(DEFAULT_NEXT);
    }
  });

  it("keeps a local path with its query and fragment, normalised", () => {
    expect(safeNextPath("/settings/security?tab=devices#list")).toBe("/settings/security?tab=devices#list");
    expect(safeNextPath("/settings/./x/../security")).toBe("/settings/security");
    expect(safeNextPath("/%2F%2Fevil.example")).toBe("/%2F%2Fevil.example");
    expect(safeNextPath(null)).toBe(DEFAULT_NEXT);
    expect(safeNextPath("", "/fallback")).toBe("/fallback");
  });
});

describe("sameOriginPath (better-auth's redirect targets)", () => {
  const APP = "https://app.example.com";

  it("never yields a path that leaves the app, whatever the input; null rather than a fallback", () => {
    fc.assert(
      fc.property(hostile, (input) => {
        const out = sameOriginPath(input, APP);
        if (out === null) return;
        expect(out.startsWith("/")).toBe(true);
        expect(out.startsWith("//")).toBe(false);
        for (const origin of [...ORIGINS, APP]) expect(landing(out, origin).origin).toBe(origin);
      }),
      { numRuns: 5_000 },
    );
  });

  it("refuses what better-auth's trustedOrigins check let through, accepts the app's own absolute URLs as paths", () => {
    expect(sameOriginPath("/.//evil.example/phish", APP)).toBeNull();
    expect(sameOriginPath("/a/..//evil.example", APP)).toBeNull();
    expect(sameOriginPath("https://app.example.com.evil.example/x", APP)).toBeNull();
    expect(sameOriginPath("http://app.example.com/x", APP)).toBeNull(); // another scheme is another origin
    expect(sameOriginPath("https://app.example.com//evil.example", APP)).toBeNull();
    expect(sameOriginPath("https://APP.example.com/verify-email?next=%2F", APP)).toBe("/verify-email?next=%2F");
    expect(sameOriginPath("/a/../verify-email", APP)).toBe("/verify-email");
    expect(sameOriginPath("https://app.example.com/x")).toBeNull(); // no app origin given: paths only
  });
});
