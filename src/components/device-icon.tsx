// Inline SVG icons for the Active devices panel (outline style, 24px grid).
import type { DeviceType } from "@/lib/device";

const PATHS: Record<"desktop" | "mobile" | "tablet" | "unknown", React.ReactNode> = {
  desktop: (
    <>
      <rect x="3" y="4" width="18" height="12" rx="1.5" />
      <path d="M8 20h8M12 16v4" />
    </>
  ),
  mobile: (
    <>
      <rect x="7" y="2.5" width="10" height="19" rx="2" />
      <path d="M11 18.5h2" />
    </>
  ),
  tablet: (
    <>
      <rect x="4" y="3" width="16" height="18" rx="2" />
      <path d="M11 18h2" />
    </>
  ),
  unknown: (
    <>
      <circle cx="12" cy="12" r="9" />
      <path d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .8-1 1.5v.4M12 17h.01" />
    </>
  ),
};

export type DeviceKind = keyof typeof PATHS;

/** The icon family for ua-parser's device type (consoles, TVs… show as "unknown"). */
export function deviceKind(deviceType: DeviceType): DeviceKind {
  return deviceType === "desktop" || deviceType === "mobile" || deviceType === "tablet" ? deviceType : "unknown";
}

const NAMES: Record<DeviceKind, string> = {
  desktop: "Computer",
  mobile: "Phone",
  tablet: "Tablet",
  unknown: "Unknown device type",
};

export function DeviceIcon({ deviceType, className = "size-6" }: { deviceType: DeviceType; className?: string }) {
  const kind = deviceKind(deviceType);
  return (
    <svg
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
      className={className}
      role="img"
      aria-label={NAMES[kind]}
      data-device={kind}
    >
      <title>{NAMES[kind]}</title>
      {PATHS[kind]}
    </svg>
  );
}
