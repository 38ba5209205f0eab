// The browser's words for failed requests: one place for 429 (with Retry-After), 5xx,
// network failures and the API's error codes.
import { describe, expect, it } from "vitest";
import { API_ERROR } from "@/lib/http/error-codes";
import { authRequest } from "@/lib/ui/auth-request";
import { failureMessage, parseRetryAfter, retryAfterText } from "@/lib/ui/failure-message";

describe("failureMessage", () => {
  it("says how long to wait on a 429, from Retry-After", () => {
    expect(failureMessage({ status: 429, retryAfter: 45 })).toBe("Too many attempts. Try again in 45 seconds.");
    expect(failureMessage({ status: 429, retryAfter: 1 })).toBe("Too many attempts. Try again in 1 second.");
    expect(failureMessage({ status: 429, retryAfter: 900 }, { tooMany: "Too many sign-in attempts." })).toBe(
      "Too many sign-in attempts. Try again in 15 minutes.",
    );
    expect(failureMessage({ status: 429, retryAfter: null })).toBe("Too many attempts. Wait a minute, then try again.");
  });

  it("tells a network failure from a server error", () => {
    expect(failureMessage({ status: 0 })).toBe("We couldn't reach the server. Check your connection and try again.");
    expect(failureMessage({ status: 502 })).toBe("Something went wrong on our side. Please try again in a moment.");
    expect(failureMessage({ status: 500 }, { serverError: "We couldn't send the email just now." })).toBe("We couldn't send the email just now.");
  });

  it("has words of its own for every API error code, never the server's message", () => {
    for (const code of Object.values(API_ERROR)) {
      const text = failureMessage({ status: 400, code, message: "server words" });
      expect(text, code).not.toBe("server words");
      expect(text, code).toMatch(/^[A-Z].*\.$/);
    }
    expect(failureMessage({ status: 503, code: API_ERROR.unavailable })).toBe(
      "We couldn't reach the session service, so nothing was changed. Try again in a moment.",
    );
  });

  it("knows better-auth's codes, and falls back to its message, then to the caller's words", () => {
    expect(failureMessage({ status: 401, code: "INVALID_EMAIL_OR_PASSWORD" })).toBe("That email and password don't match. Check them and try again.");
    expect(failureMessage({ status: 400, code: "SOMETHING_NEW", message: "Something new happened." })).toBe("Something new happened.");
    expect(failureMessage({ status: 400, code: "SOMETHING_NEW" }, { fallback: "Sign-in failed." })).toBe("Sign-in failed.");
  });
});

describe("Retry-After", () => {
  it("reads delta-seconds and HTTP dates, and ignores junk", () => {
    expect(parseRetryAfter("120")).toBe(120);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter("soon")).toBeNull();
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(parseRetryAfter(inAMinute)).toBeGreaterThanOrEqual(58);
    expect(parseRetryAfter(inAMinute)).toBeLessThanOrEqual(60);
  });

  it("rounds up to whole seconds and minutes", () => {
    expect(retryAfterText(59.2)).toBe("Try again in 60 seconds.");
    expect(retryAfterText(61)).toBe("Try again in 2 minutes.");
    expect(retryAfterText(0)).toBe("Wait a minute, then try again.");
  });
});

describe("authRequest", () => {
  it("carries the status, code and Retry-After of a failed better-auth call", async () => {
    const result = await authRequest(async (fetchOptions) => {
      fetchOptions.onError({ response: new Response(null, { status: 429, headers: { "X-Retry-After": "30" } }) });
      return { data: null, error: { status: 429, code: "TOO_MANY_ATTEMPTS", message: "Too many" } };
    });
    expect(result).toEqual({ ok: false, failure: { status: 429, code: "TOO_MANY_ATTEMPTS", message: "Too many", retryAfter: 30 } });
  });

  it("turns a thrown fetch (no answer) into status 0, and passes data through", async () => {
    expect(await authRequest(async () => Promise.reject(new TypeError("Failed to fetch")))).toEqual({ ok: false, failure: { status: 0, code: null } });
    expect(await authRequest(async () => ({ data: { id: 1 }, error: null }))).toEqual({ ok: true, data: { id: 1 } });
  });
});
