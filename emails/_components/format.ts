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

/** The longest name a greeting shows; a longer one is left out rather than cut. */
export const MAX_GREETING_NAME = 40;

/**
 * A name as an email may show it, or null. A name is text someone typed at sign-up, and
 * the email goes to whoever owns the address: so only something that reads as a name
 * (letters, marks, spaces, apostrophes, hyphens, dots; at most MAX_GREETING_NAME
 * characters) is shown. A link, a domain, an address or a phone number in it is not
 * shortened or cleaned: the whole name is left out.
 */
export function greetingName(name: string | null | undefined): string | null {
  const text = name?.normalize("NFKC").replace(/\s+/g, " ").trim();
  if (!text || text.length > MAX_GREETING_NAME) return null;
  if (!/^[\p{L}\p{M}][\p{L}\p{M}' .-]*$/u.test(text)) return null;
  // "evil.example", "www.x": a domain is letters too.
  if (/[\p{L}\p{M}]\.[\p{L}\p{M}]{2,}/u.test(text)) return null;
  return text;
}

/** "Hi Ada," or "Hi," when there is no usable name (see greetingName). */
export function greeting(name: string | null | undefined): string {
  const shown = greetingName(name);
  return shown ? `Hi ${shown},` : "Hi,";
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
