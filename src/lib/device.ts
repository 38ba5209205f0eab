// The device a session was signed in from: the one type for the index value, the
// Active devices panel, the emails, and the parse of a user agent (via ua-parser-js).
import { UAParser } from "ua-parser-js";
import { normalizeAddress } from "@/lib/ip-address";

export type DeviceType = "desktop" | "mobile" | "tablet" | "console" | "smarttv" | "wearable" | "embedded" | "unknown";

/** What a session's device is, as shown to its owner. No raw user agent, no token. */
export interface Device {
  browser: string | null; // "Chrome 131"
  os: string | null; // "macOS 14.5"
  deviceType: DeviceType;
  /** "Chrome 131 on macOS", "Safari on iPhone" */
  label: string;
  /** The client IP at sign-in (null when unknown). */
  ipAddress: string | null;
  /** Where that IP was, approximately: "Cape Town, South Africa", "South Africa"; null when
   *  unknown (private address, not in the database). Looked up at sign-in (lib/location.ts). */
  location: string | null;
}

export type ParsedDevice = Omit<Device, "ipAddress" | "location">;

const DEVICE_TYPES: ReadonlySet<string> = new Set<DeviceType>(["desktop", "mobile", "tablet", "console", "smarttv", "wearable", "embedded", "unknown"]);

/** A stored device type back to the union (anything unknown reads as "unknown"). */
export function asDeviceType(value: string | null | undefined): DeviceType {
  return value && DEVICE_TYPES.has(value) ? (value as DeviceType) : "unknown";
}

/** A user agent, an IP and its location -> the Device recorded for a session. */
export function deviceOf(
  userAgent: string | null | undefined,
  ipAddress: string | null | undefined,
  location?: string | null,
): Device {
  const { browser, os, deviceType, label } = parseUserAgent(userAgent);
  // Rows written before addresses were normalised may hold "::ffff:1.2.3.4": shown as 1.2.3.4.
  return { browser, os, deviceType, label, ipAddress: normalizeAddress(ipAddress) ?? (ipAddress || null), location: location || null };
}

// ua-parser-js 1.x names -> what people call them.
const OS_NAMES: Record<string, string> = { "Mac OS": "macOS", "Chromium OS": "ChromeOS", "Chrome OS": "ChromeOS" };
const browserName = (name: string | undefined) => (name ? name.replace(/^Mobile /, "").replace(/ WebView$/, "") : null);
const osName = (name: string | undefined) => (name ? (OS_NAMES[name] ?? name) : null);

function major(version: string | undefined): string | null {
  return version ? (version.split(".")[0] ?? null) : null;
}

export function parseUserAgent(userAgent: string | null | undefined): ParsedDevice {
  const r = new UAParser(userAgent ?? "").getResult();
  const bName = browserName(r.browser.name);
  const oName = osName(r.os.name);
  const browser = bName ? [bName, major(r.browser.version)].filter(Boolean).join(" ") : null;
  const os = oName ? [oName, r.os.version].filter(Boolean).join(" ") : null;
  // ua-parser leaves device.type empty for desktops; an empty UA stays "unknown".
  const deviceType = (r.device.type ??
    (oName || bName ? "desktop" : "unknown")) as ParsedDevice["deviceType"];
  // Phones and tablets read better by model ("Safari on iPhone") than by OS version.
  const where = r.device.model && deviceType !== "desktop" ? r.device.model : oName;
  const browserForLabel = deviceType === "mobile" || deviceType === "tablet" ? bName : browser;
  const label =
    browserForLabel && where
      ? `${browserForLabel} on ${where}`
      : (browserForLabel ?? where ?? (userAgent ? "Unknown device" : "Unknown device (no user agent)"));
  return { browser, os, deviceType, label };
}

