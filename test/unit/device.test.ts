import { describe, expect, it } from "vitest";
import { parseUserAgent, safeDevice, safeDeviceLabel } from "@/lib/device";
import { UA } from "../support/browser";

describe("parseUserAgent", () => {
  it.each([
    [UA.macChrome, { browser: "Chrome 131", os: "macOS 10.15.7", deviceType: "desktop", label: "Chrome 131 on macOS" }],
    [UA.iphoneSafari, { browser: "Safari 17", os: "iOS 17.5", deviceType: "mobile", label: "Safari on iPhone" }],
    [UA.windowsFirefox, { browser: "Firefox 133", os: "Windows 10", deviceType: "desktop", label: "Firefox 133 on Windows" }],
    [UA.androidChrome, { browser: "Chrome 131", os: "Android 14", deviceType: "mobile", label: "Chrome on Pixel 8" }],
  ])("reads %s", (ua, expected) => {
    expect(parseUserAgent(ua)).toMatchObject(expected);
  });

  it("copes with a missing or junk user agent", () => {
    expect(parseUserAgent(undefined)).toMatchObject({ browser: null, os: null, deviceType: "unknown", label: "Unknown device (no user agent)" });
    expect(parseUserAgent("curl/8.5.0")).toMatchObject({ deviceType: "unknown", label: "Unknown device" });
  });

  it.each([
    // ua-parser-js takes an Android "model" from whatever precedes "Build/" or the closing parenthesis.
    ["Mozilla/5.0 (Linux; Android 14; CALL 5550100 NOW) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"],
    ["Mozilla/5.0 (Linux; U; Android 4.0; en-us; https://evil.example Build/IMM76D) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30", "Android Browser on Android"],
    ["Mozilla/5.0 (Linux; Android 14; Nokia visit evil) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"],
    ["Mozilla/5.0 (Linux; Android 14; Extraordinarily-Long-Prototype-Model-Name-X1000 Build/UP1A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"],
    ["SECURITY ALERT call +1-555-0100 or visit https://evil.example/fix", "Unknown device"],
    ["Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) visit-evil-example Browser/1.0", "Windows"],
    ["Mozilla/5.0 (Linux; Android 10; SM-G973F) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36", "Chrome on SM-G973F"],
  ])("builds a label from known tokens only: %s", (ua, label) => {
    const d = parseUserAgent(ua);
    expect(d.label).toBe(label);
    for (const field of [d.label, d.browser ?? "", d.os ?? ""]) expect(field).not.toMatch(/5550100|555-0100|evil|CALL|Nokia visit|Extraordinarily/i);
    expect(safeDevice(d)).toEqual(d);
  });

  it("shows a stored label only if parseUserAgent could have built it", () => {
    for (const label of ["Chrome 131 on macOS", "Safari on iPhone", "Chrome on Pixel 8", "Firefox 133 on Windows", "Unknown device", "Unknown device (no user agent)", "Linux"]) {
      expect(safeDeviceLabel(label)).toBe(label);
    }
    for (const label of ["Chrome on CALL 5550100 NOW", "Android Browser on https://evil.example", "SECURITY ALERT call +1-555-0100", "Chrome 131 on macOS visit evil.example"]) {
      expect(safeDeviceLabel(label)).toBe("Unknown device");
    }
    expect(safeDeviceLabel(null)).toBeNull();
  });
});
