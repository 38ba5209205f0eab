// GET /api/health: liveness, public as one exact path (nothing under or beside it is).
import { describe, expect, it } from "vitest";
import { getQueryCount } from "@/db";
import { GET as healthRoute } from "@/app/api/health/route";
import { Browser } from "../support/browser";

describe("GET /api/health", () => {
  it("answers {status: ok}, not cached, without touching Postgres", async () => {
    const before = getQueryCount();
    const res = await healthRoute();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ status: "ok" });
    expect(getQueryCount() - before).toBe(0);
  });

  it("passes the gate without a session", async () => {
    const res = await new Browser().throughProxy("/api/health");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-middleware-next")).toBe("1");
  });

  it("is an exact path: paths under or beside it still need a session", async () => {
    const anonymous = new Browser();
    for (const path of ["/api/health/", "/api/health/bench/target", "/api/healthz", "/api/health.json"]) {
      const res = await anonymous.throughProxy(path);
      expect(res.status, path).toBe(401);
      expect(await res.json(), path).toMatchObject({ error: { code: "unauthenticated" } });
    }
  });
});
