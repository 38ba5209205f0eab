// Formatting helpers for the templates. Kept free of app imports so that the React Email
// preview server (which bundles emails/ on its own) can load them.

export const FALLBACK_LOCALE = "en-US";
export const FALLBACK_TIME_ZONE = "UTC";

/** The locale if Intl knows it, else the fallback. */
export function safeLocale(locale: string | null | undefined, fallback = FALLBACK_LOCALE): string {
  if (!locale) return fallback;
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale]).length ? locale : fallback;
  } catch {
    return fallback; // RangeError: not a well-formed language tag
  }
}

/** The IANA time zone if Intl knows it, else the fallback. */
export function safeTimeZone(timeZone: string | null | undefined, fallback = FALLBACK_TIME_ZONE): string {
  if (!timeZone) return fallback;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return timeZone;
  } catch {
    return fallback;
  }
}

/**
 * "March 4, 2025 at 2:05:09 PM UTC": long date, time with the zone's name, so the reader
 * never has to guess which zone a time is in.
 */
export function formatWhen(at: Date | string | number, locale?: string | null, timeZone?: string | null): string {
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) return "an unknown time";
  return new Intl.DateTimeFormat(safeLocale(locale), {
    dateStyle: "long",
    timeStyle: "long",
    timeZone: safeTimeZone(timeZone),
  }).format(date);
}

/** "Hi Ada," or "Hi," when there is no usable name. */
export function greeting(name: string | null | undefined): string {
  const trimmed = name?.trim();
  return trimmed ? `Hi ${trimmed},` : "Hi,";
}

/** A value for a details row: never "null", "undefined" or an empty cell. */
export function orUnknown(value: string | null | undefined): string {
  const trimmed = value?.trim();
  return trimmed ? trimmed : "Unknown";
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A location for a details row: "Cape Town, South Africa", or "Unknown location". */
export function locationOrUnknown(location: string | null | undefined): string {
  const trimmed = location?.trim();
  return trimmed ? trimmed : "Unknown location";
}
