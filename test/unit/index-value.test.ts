// The index value's device part: the sign-in context survives the round trip, a value
// written before those fields existed still reads, and absent fields cost no bytes.
import { describe, expect, it } from "vitest";
import { decodeDevice, decodeValidity, encodeValidity, METHOD_CODES, type StoredDevice } from "@/lib/session-index/keys";

const entry = { sessionId: "s".repeat(32), userId: "u".repeat(32), expiresAt: 1_800_000_000_000, lastActiveAt: 1_700_000_000_000, generation: 2 };
const device: StoredDevice = {
  createdAt: 1_700_000_000_000,
  browser: "Chrome 131",
  os: "macOS 10.15.7",
  deviceType: "desktop",
  label: "Chrome 131 on macOS",
  ipAddress: "196.25.1.1",
  location: "Cape Town, South Africa",
  signInMethod: "email-verification",
  deviceFirstSeenAt: 1_699_999_000_000,
};

describe("the index value's device details", () => {
  it("round-trips location, sign-in method and first-seen time", () => {
    const raw = encodeValidity(entry, device);
    expect(decodeDevice(raw)).toEqual(device);
    // The sign-in time too (a fresh-sign-in check needs no query): it precedes the details.
    expect(decodeValidity(raw)).toEqual({ sessionId: entry.sessionId, userId: entry.userId, expiresAt: entry.expiresAt, lastActiveAt: entry.lastActiveAt, createdAt: device.createdAt });
    // Codes for the device type and the method, the first-seen time as seconds before creation.
    expect(raw.endsWith(`|1700000000000|["Chrome 131","macOS 10.15.7",0,"Chrome 131 on macOS","196.25.1.1","Cape Town, South Africa",2,1000]`)).toBe(true);
  });

  it("leaves out trailing unknown fields, and reads them back as null", () => {
    const bare = { ...device, location: null, signInMethod: null, deviceFirstSeenAt: null };
    const raw = encodeValidity(entry, bare);
    expect(raw.endsWith(`0,"Chrome 131 on macOS","196.25.1.1"]`)).toBe(true);
    expect(decodeDevice(raw)).toEqual(bare);
    const middle = { ...device, location: null, signInMethod: "password" as const, deviceFirstSeenAt: null };
    expect(decodeDevice(encodeValidity(entry, middle))).toEqual(middle);
  });

  it("keeps a native client's declared name last, and a browser's value without it", () => {
    const native = { ...device, deviceFirstSeenAt: null, declaredClient: "Revocable for iOS" };
    const raw = encodeValidity(entry, native);
    expect(raw.endsWith(`,2,null,"Revocable for iOS"]`)).toBe(true);
    expect(decodeDevice(raw)).toEqual(native);
    expect(encodeValidity(entry, { ...device, declaredClient: null })).toBe(encodeValidity(entry, device));
    expect(decodeDevice(encodeValidity(entry, device))).not.toHaveProperty("declaredClient");
  });

  it("pins the sign-in method codes (stored: append only)", () => {
    const codeOf = (signInMethod: StoredDevice["signInMethod"]) => JSON.parse(encodeValidity(entry, { ...device, signInMethod }).split("|").at(-1)!)[6];
    const methods = [
      "password", "email-verification", "device-code", "github", "google", "oidc", "password+totp", "password+backup-code", "passkey", "impersonation",
      "github+totp", "github+backup-code", "google+totp", "google+backup-code", "oidc+totp", "oidc+backup-code",
    ] as const;
    expect(methods.map(codeOf)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(METHOD_CODES).toEqual([null, ...methods]);
    for (const signInMethod of methods) expect(decodeDevice(encodeValidity(entry, { ...device, signInMethod }))?.signInMethod).toBe(signInMethod);
  });

  it("reads a value written before the sign-in context existed", () => {
    const old = `${entry.sessionId}|${entry.userId}|1800000000000|1700000000000|0|1700000000000|["Chrome 131","macOS","desktop","Chrome 131 on macOS","203.0.113.9"]`;
    expect(decodeDevice(old)).toMatchObject({ ipAddress: "203.0.113.9", location: null, signInMethod: null, deviceFirstSeenAt: null });
  });

  it("reads an unknown code or a non-numeric time as unknown", () => {
    const odd = `${entry.sessionId}|${entry.userId}|1|1|0|1|["a","b",99,"c","d","Lyon, France",999,"soon"]`;
    expect(decodeDevice(odd)).toMatchObject({ deviceType: "unknown", location: "Lyon, France", signInMethod: null, deviceFirstSeenAt: null });
    const word = `${entry.sessionId}|${entry.userId}|1|1|0|1|["a","b","tablet","c","d",null,"p",1.5]`;
    expect(decodeDevice(word)).toMatchObject({ deviceType: "tablet", location: null, signInMethod: null, deviceFirstSeenAt: null });
  });

  it("keeps the first-seen time to the second, whether before or after creation", () => {
    for (const deviceFirstSeenAt of [device.createdAt, device.createdAt - 90 * 24 * 3600_000, device.createdAt + 5000]) {
      expect(decodeDevice(encodeValidity(entry, { ...device, deviceFirstSeenAt }))?.deviceFirstSeenAt).toBe(deviceFirstSeenAt);
    }
  });
});
