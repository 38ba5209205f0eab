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

// What a label may say. A user agent is text anyone can send (a failed sign-in's lands in
// the owner's Recent activity; a sign-in's in an email subject), and ua-parser-js copies
// parts of it through: a browser name from a generic pattern, an Android "model" that is
// whatever sits before "Build/" ("Chrome on CALL 5550100 NOW"). So a label is built from
// known tokens only: browser and OS names from these lists, versions as bounded digits,
// models from a few known families. Anything else is left out, never echoed.
const BROWSERS = [
  "Chrome", "Chromium", "Chrome Headless", "Firefox", "Firefox Focus", "Safari", "Mobile Safari", "Edge", "IE", "Opera", "Opera Mini",
  "Opera Touch", "Opera GX", "Samsung Internet", "Yandex", "Vivaldi", "Brave", "UCBrowser", "Silk", "DuckDuckGo",
  "Whale", "QQBrowser", "MIUI Browser", "Huawei Browser", "Android Browser", "Konqueror", "Epiphany", "SeaMonkey",
  "Waterfox", "Pale Moon", "Maxthon", "Coc Coc", "Puffin", "Oculus Browser", "Facebook", "Instagram", "WeChat",
  "GSA", "Electron", "Avast Secure Browser", "AVG Secure Browser", "Sogou Explorer", "Baidu", "360", "Quark", "Dolphin",
  "Netscape", "Links", "Lynx", "w3m",
];
const SYSTEMS = [
  "Windows", "Windows Phone", "Windows Mobile", "macOS", "iOS", "iPadOS", "watchOS", "Android", "Linux", "Ubuntu",
  "Debian", "Fedora", "Arch", "Mint", "CentOS", "Red Hat", "SUSE", "Gentoo", "Slackware", "ChromeOS", "HarmonyOS",
  "OpenHarmony", "KaiOS", "Tizen", "webOS", "BlackBerry", "Symbian", "FreeBSD", "OpenBSD", "NetBSD", "Solaris",
  "PlayStation", "Xbox", "Nintendo", "Fuchsia", "Firefox OS", "Sailfish",
];
/** Phone and tablet models worth naming: fixed names, or families whose codes cannot carry words. */
const MODELS = [/^(?:iPhone|iPad|iPod touch|iPod)$/, /^Pixel(?: (?:\d{1,2}a?|Fold|Tablet))?(?: Pro)?(?: XL)?(?: Fold)?$/, /^SM-[A-Z]\d{3,4}[A-Z]{0,2}\d?$/];
/** Windows names its versions; everything else is digits. */
const OS_VERSION = /^(?:\d{1,5}(?:\.\d{1,5}){0,3}|XP|Vista|RT|ME|2000|NT(?: \d\.\d)?)$/;
const MAJOR = /^\d{1,4}$/;

const canonical = (names: readonly string[]) => {
  const byLower = new Map(names.map((n) => [n.toLowerCase(), n]));
  return (name: string | undefined | null): string | null => (name ? (byLower.get(name.toLowerCase()) ?? null) : null);
};
const knownBrowser = canonical(BROWSERS);
const knownSystem = canonical(SYSTEMS);
const knownModel = (model: string | undefined): string | null => (model && MODELS.some((m) => m.test(model)) ? model : null);

// ua-parser-js 1.x names -> what people call them.
const NAMES: Record<string, string> = { "Mac OS": "macOS", "Chromium OS": "ChromeOS", "Chrome OS": "ChromeOS", UC: "UCBrowser", "UC Browser": "UCBrowser" };
function browserName(name: string | undefined): string | null {
  if (!name) return null;
  const plain = (NAMES[name] ?? name).replace(/^Mobile /, "").replace(/ WebView$/, "");
  return knownBrowser(plain) ?? knownBrowser(plain.replace(/ Browser$/, ""));
}
const osName = (name: string | undefined) => knownSystem(name ? (NAMES[name] ?? name) : null);

function major(version: string | undefined): string | null {
  const m = version?.split(".")[0];
  return m && MAJOR.test(m) ? m : null;
}

const UNKNOWN = "Unknown device";
const NO_USER_AGENT = "Unknown device (no user agent)";

export function parseUserAgent(userAgent: string | null | undefined): ParsedDevice {
  const r = new UAParser(userAgent ?? "").getResult();
  const bName = browserName(r.browser.name);
  const oName = osName(r.os.name);
  const browser = bName ? [bName, major(r.browser.version)].filter(Boolean).join(" ") : null;
  const osVersion = r.os.version && OS_VERSION.test(r.os.version) ? r.os.version : null;
  const os = oName ? [oName, osVersion].filter(Boolean).join(" ") : null;
  // ua-parser leaves device.type empty for desktops; an empty UA stays "unknown".
  const deviceType = asDeviceType(r.device.type ?? (oName || bName ? "desktop" : "unknown"));
  // Phones and tablets read better by model ("Safari on iPhone") than by OS version.
  const model = deviceType !== "desktop" ? knownModel(r.device.model) : null;
  const where = model ?? oName;
  const browserForLabel = deviceType === "mobile" || deviceType === "tablet" ? bName : browser;
  const label =
    browserForLabel && where ? `${browserForLabel} on ${where}` : (browserForLabel ?? where ?? (userAgent ? UNKNOWN : NO_USER_AGENT));
  return { browser, os, deviceType, label };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const BROWSER_PART = `(?:${BROWSERS.map(escape).join("|")})(?: \\d{1,4})?`;
const PLACE_PART = `(?:${SYSTEMS.map(escape).join("|")}|${MODELS.map((m) => m.source.slice(1, -1)).join("|")})`;
const LABEL = new RegExp(`^(?:${BROWSER_PART}(?: on ${PLACE_PART})?|${PLACE_PART})$`);

/**
 * A stored label (a history row, an index value, written before labels were built from
 * known tokens) as it may be shown: itself if parseUserAgent could have built it, else
 * "Unknown device". Never echoes text a stranger chose.
 */
export function safeDeviceLabel(label: string | null | undefined): string | null {
  if (label === null || label === undefined) return null;
  return label === UNKNOWN || label === NO_USER_AGENT || LABEL.test(label) ? label : UNKNOWN;
}

const BROWSER_TEXT = new RegExp(`^${BROWSER_PART}$`);
const OS_TEXT = new RegExp(`^(?:${SYSTEMS.map(escape).join("|")})(?: (?:${OS_VERSION.source.slice(1, -1)}))?$`);

/** A Device for an email or a page: its label, browser and OS only if built from known tokens. */
export function safeDevice<T extends ParsedDevice>(device: T): T {
  return {
    ...device,
    browser: device.browser && BROWSER_TEXT.test(device.browser) ? device.browser : null,
    os: device.os && OS_TEXT.test(device.os) ? device.os : null,
    deviceType: asDeviceType(device.deviceType),
    label: safeDeviceLabel(device.label) ?? UNKNOWN,
  };
}
