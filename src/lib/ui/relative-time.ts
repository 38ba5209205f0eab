// "2 minutes ago" for the Active devices panel, and the exact time for hover text.
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** A relative time ("just now", "2 minutes ago", "in 3 days") for `date` as seen at `now`. */
export function formatRelative(date: Date | string | number, now: number = Date.now(), locale = "en"): string {
  const then = new Date(date).getTime();
  if (Number.isNaN(then)) return "unknown";
  const diffSeconds = Math.round((then - now) / 1000);
  const abs = Math.abs(diffSeconds);
  if (abs < 45) return "just now";
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "always" });
  for (const [unit, seconds] of UNITS) {
    if (abs >= seconds) return rtf.format(Math.round(diffSeconds / seconds), unit);
  }
  return rtf.format(Math.round(diffSeconds / 60) || (diffSeconds < 0 ? -1 : 1), "minute");
}

/** The exact date and time, in the viewer's locale and time zone. */
export function formatExact(date: Date | string | number, locale?: string): string {
  const d = new Date(date);
  if (Number.isNaN(d.getTime())) return "unknown";
  return d.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}
