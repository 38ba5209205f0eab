// The auth emails the product sends, as data. Templates in emails/ render them.

export interface DeviceDetails {
  label: string; // "Chrome 131 on macOS"
  browser: string | null;
  os: string | null;
  ipAddress: string | null;
}

export type AuthEmail =
  | { template: "verify-email"; to: string; name: string; url: string; expiresInHours: number }
  | { template: "password-reset"; to: string; name: string; url: string; expiresInMinutes: number }
  | {
      template: "password-changed";
      to: string;
      name: string;
      at: Date;
      /** "change": signed-in change (other devices signed out); "reset": via emailed link (all signed out) */
      reason: "change" | "reset";
      device: DeviceDetails;
      secureAccountUrl: string;
    }
  | {
      template: "new-sign-in";
      to: string;
      name: string;
      at: Date;
      device: DeviceDetails;
      activeDevicesUrl: string;
    };
