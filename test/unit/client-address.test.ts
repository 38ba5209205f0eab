// Address text and the trust rules, as pure functions (the request path is
// test/integration/client-address.test.ts).
import { describe, expect, it } from "vitest";
import { addressFromConnection } from "@/lib/client-address";
import { parseEnv } from "@/lib/env";
import { addressBucket, normalizeAddress } from "@/lib/ip-address";

describe("normalizeAddress", () => {
  it.each([
    ["203.0.113.9", "203.0.113.9"],
    ["::ffff:203.0.113.9", "203.0.113.9"],
    ["::FFFF:cb00:7109", "203.0.113.9"],
    ["127.0.0.1", "127.0.0.1"],
    ["::1", "::1"],
    ["0000:0000:0000:0000:0000:0000:0000:0001", "::1"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["fe80::1%eth0", "fe80::1"],
    ["203.0.113.9:51234", "203.0.113.9"],
    [" 203.0.113.9 ", "203.0.113.9"],
  ])("%s -> %s", (raw, expected) => expect(normalizeAddress(raw)).toBe(expected));

  it.each(["", "unknown", "256.1.1.1", "1.2.3", "01.2.3.4", "203.0.113.9, 10.0.0.1", "::g", "<script>", "a".repeat(100)])(
    "%s is not an address",
    (raw) => expect(normalizeAddress(raw)).toBeNull(),
  );
});

describe("addressBucket", () => {
  it("is the address for IPv4 and the /64 for IPv6", () => {
    expect(addressBucket("203.0.113.9")).toBe("203.0.113.9");
    expect(addressBucket("2001:db8:1:2:3:4:5:6")).toBe("2001:0db8:0001:0002::/64");
    expect(addressBucket("2001:db8::1")).toBe("2001:0db8:0000:0000::/64");
    expect(addressBucket("::1")).toBe("0000:0000:0000:0000::/64");
  });
});

describe("addressFromConnection", () => {
  const none = { kind: "none" } as const;
  const hops = (n: number) => ({ kind: "hops", hops: n }) as const;

  it("without trusted proxies is the peer, whatever X-Forwarded-For says", () => {
    expect(addressFromConnection("::ffff:127.0.0.1", "198.51.100.77", none)).toBe("127.0.0.1");
    expect(addressFromConnection("::1", undefined, none)).toBe("::1");
  });

  it("with N hops skips N addresses back from the peer", () => {
    const xff = "198.51.100.77, 203.0.113.5, 10.0.0.2";
    expect(addressFromConnection("10.0.0.3", xff, hops(1))).toBe("10.0.0.2");
    expect(addressFromConnection("10.0.0.3", xff, hops(2))).toBe("203.0.113.5");
    expect(addressFromConnection("10.0.0.3", ["198.51.100.77", "203.0.113.5, 10.0.0.2"], hops(2))).toBe("203.0.113.5");
  });

  it("with a chain shorter than the hops ends at the leftmost entry (written by a trusted proxy), or the peer", () => {
    expect(addressFromConnection("10.0.0.3", "203.0.113.5", hops(3))).toBe("203.0.113.5");
    expect(addressFromConnection("10.0.0.3", undefined, hops(2))).toBe("10.0.0.3");
  });

  it("an entry that is not an address gives no address", () => {
    expect(addressFromConnection("10.0.0.3", "evil, unknown", hops(1))).toBeNull();
  });
});

describe("TRUST_PROXY", () => {
  const parse = (v: string | undefined) => parseEnv({ TRUST_PROXY: v }).TRUST_PROXY;
  it("reads none, a number of hops and a header name", () => {
    expect(parse(undefined)).toEqual({ kind: "none" });
    expect(parse("none")).toEqual({ kind: "none" });
    expect(parse("0")).toEqual({ kind: "none" });
    expect(parse("2")).toEqual({ kind: "hops", hops: 2 });
    expect(parse("CF-Connecting-IP")).toEqual({ kind: "header", name: "cf-connecting-ip" });
  });
  it("refuses X-Forwarded-For as a header (clients send it) and nonsense", () => {
    expect(() => parse("x-forwarded-for")).toThrow(/number of proxies/);
    expect(() => parse("99")).toThrow(/TRUST_PROXY/);
    expect(() => parse("a b")).toThrow(/TRUST_PROXY/);
  });
});
