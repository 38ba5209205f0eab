// Prop shapes shared by the templates. The device is the app's one Device type.
import type { Device } from "../../src/lib/device";

export type EmailDevice = Device;

/** How a time is shown: the recipient's locale and IANA time zone, when known. */
export interface TimeDisplay {
  locale?: string;
  timeZone?: string;
}
