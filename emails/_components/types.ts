// Prop shapes shared by the templates (structurally the same as src/lib/mail/types.ts).

export interface EmailDevice {
  /** "Chrome 131 on macOS" */
  label: string;
  browser: string | null;
  os: string | null;
  ipAddress: string | null;
}

/** How a time is shown: the recipient's locale and IANA time zone, when known. */
export interface TimeDisplay {
  locale?: string;
  timeZone?: string;
}
