// User agent -> the device details the Active devices panel shows, via ua-parser-js.
import { UAParser } from "ua-parser-js";

export interface ParsedDevice {
  browser: string | null;
  os: string | null;
  deviceType: "desktop" | "mobile" | "tablet" | "console" | "smarttv" | "wearable" | "embedded" | "unknown";
  /** "Chrome 131 on macOS", "Safari on iPhone" */
  label: string;
  /** Stable per (browser family, OS family, device type): what "a device seen before" means. */
  fingerprint: string;
}

function major(version: string | undefined): string | null {
  return version ? (version.split(".")[0] ?? null) : null;
}

export function parseUserAgent(userAgent: string | null | undefined): ParsedDevice {
  const r = new UAParser(userAgent ?? "").getResult();
  const browserName = r.browser.name ?? null;
  const browserMajor = major(r.browser.version);
  const browser = browserName ? [browserName, browserMajor].filter(Boolean).join(" ") : null;
  const os = r.os.name ? [r.os.name, r.os.version].filter(Boolean).join(" ") : null;
  // ua-parser leaves device.type empty for desktops; an empty UA stays "unknown".
  const deviceType = (r.device.type ??
    (r.os.name || browserName ? "desktop" : "unknown")) as ParsedDevice["deviceType"];
  // Phones and tablets read better by model ("Safari on iPhone") than by OS version.
  const where = r.device.model && deviceType !== "desktop" ? r.device.model : (r.os.name ?? null);
  const browserForLabel = deviceType === "mobile" || deviceType === "tablet" ? browserName : browser;
  const label =
    browserForLabel && where
      ? `${browserForLabel} on ${where}`
      : (browserForLabel ?? where ?? (userAgent ? "Unknown device" : "Unknown device (no user agent)"));
  const fingerprint = [browserName ?? "?", r.os.name ?? "?", deviceType].join("|").toLowerCase();
  return { browser, os, deviceType, label, fingerprint };
}

