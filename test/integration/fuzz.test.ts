// Hostile input (fast-check): random and adversarial cookies, ids, bodies and headers
// never cause a 5xx, a hang, or a change to another user's data.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { POST as revokeRoute } from "@/app/api/sessions/revoke/route";
import { GET as listRoute } from "@/app/api/sessions/route";
import { userTag } from "@/lib/session-index";
import { signSessionToken } from "@/lib/sessions/cookie";
import { flushRepairs } from "@/lib/sessions/repairs";
import { checkSessionCookie } from "@/lib/sessions/validate";
import { Browser, signIn, signUpVerified, UA } from "../support/browser";
import { bothStores, userIdOf } from "../support/sessions";

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const headerSafe = (s: string) => s.replace(/[\u0000-\u001f\u007f\u0080-\uffff]/g, "");

const hostileStrings = fc.oneof(
  fc.string({ maxLength: 64 }),
  fc.string({ unit: "grapheme", maxLength: 64 }),
  fc.string({ unit: "binary", maxLength: 64 }),
  fc.constantFrom("", "\u0000", "%00", "%", "%E0%A4%A", ".", "..", "=".repeat(44), "a.b.c", "x".repeat(10_000), "{}", "null"),
  fc.string({ maxLength: 40 }).map((s) => `${userTag("victim")}${s}`),
  fc.string({ maxLength: 40 }).map((s) => signSessionToken(s, "attacker-secret-attacker-secret-attacker")),
);

const deepJson = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

const hostileBodies = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.anything().map((v) => {
    try {
      return JSON.stringify(v) ?? "null";
    } catch {
      return "null";
    }
  }),
  hostileStrings,
  fc.record({ sessionId: hostileStrings }).map((v) => JSON.stringify(v)),
  fc.record({ sessionId: hostileStrings, all: fc.anything() }).map((v) => JSON.stringify(v)),
  fc.constantFrom(deepJson(10_000), `{"sessionId":"${"a".repeat(5000)}"}`, '{"__proto__":{"all":true}}', '{"constructor":{"prototype":{"all":true}}}', '{"all":true,"all":false}', '{"all":1}'),
);

describe("fuzz", () => {
  it("the proxy check survives hostile cookies (including bytes no header can carry)", async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(hostileStrings, async (cookie) => {
        cases++;
        const check = await checkSessionCookie(cookie);
        expect(check.ok).toBe(false);
        const b = new Browser();
        const safe = headerSafe(cookie);
        if (safe) b.cookies.set("rv.session_token", safe);
        const api = await b.throughProxy("/api/sessions");
        expect([401]).toContain(api.status);
        const page = await b.throughProxy("/settings/security");
        expect(page.status).toBe(303);
      }),
      { numRuns: RUNS },
    );
    console.info(`fuzz: proxy ran ${cases} cases`);
    expect(cases).toBe(RUNS);
  });

  it("the sessions API survives hostile bodies and headers and never touches another user", async () => {
    const attacker = new Browser(UA.macChrome);
    const { email } = await signUpVerified(attacker);
    await signIn(new Browser(UA.iphoneSafari), email);
    const victim = new Browser(UA.windowsFirefox);
    const { email: victimEmail } = await signUpVerified(victim);
    await signIn(new Browser(UA.androidChrome), victimEmail);
    await flushRepairs();
    const victimId = await userIdOf(victimEmail);
    const victimBefore = await bothStores(victimId);
    expect(victimBefore.postgres).toHaveLength(2);

    let cases = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        hostileBodies,
        fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "", "application/x-www-form-urlencoded", "APPLICATION/JSON"),
        fc.oneof(
          { arbitrary: fc.constant("http://localhost:3000"), weight: 4 },
          { arbitrary: fc.constantFrom("", "null", "https://evil.example", "http://localhost:3000.evil.example"), weight: 1 },
        ),
        async (body, contentType, origin) => {
          cases++;
          const headers: Record<string, string> = { origin };
          if (contentType) headers["content-type"] = contentType;
          const started = Date.now();
          const res = await attacker.route(revokeRoute, "/api/sessions/revoke", { body, headers });
          expect(Date.now() - started).toBeLessThan(5_000);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status).toBeLessThan(500);
          const json = await res.json();
          if (res.status >= 400) expect(json.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
          // Whatever the body, the caller's own current session survives.
          expect(res.status).not.toBe(401);
        },
      ),
      { numRuns: RUNS },
    );
    console.info(`fuzz: sessions API ran ${cases} cases; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(cases).toBe(RUNS);
    expect(await bothStores(victimId)).toEqual(victimBefore);
    expect((await attacker.route(listRoute, "/api/sessions")).status).toBe(200);
  });
});
