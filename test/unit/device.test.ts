import { describe, expect, it } from "vitest";
import { parseUserAgent } from "@/lib/device";
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
});
