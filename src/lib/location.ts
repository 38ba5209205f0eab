// The approximate location of a client address ("Cape Town, South Africa", "South Africa"),
// read from an offline MMDB database with MaxMind's reader: no network at run time.
//
// Looked up once per sign-in (the sign-in-context plugin) and stored on the session; never
// on the proxy's path. The database is opened lazily, once per process, at the first
// lookup. A missing or unreadable database logs one warning and every location is unknown
// (null) until the process restarts: a sign-in never fails for want of a location.
import { BlockList, isIP } from "node:net";
import path from "node:path";
import maxmind, { type Reader, type Response } from "maxmind";
import { env } from "@/lib/env";

/** The database shipped with the app: country level, CC0 (README, "Location database"). */
export const DEFAULT_GEOIP_DATABASE = path.join(
  "node_modules",
  "@ip-location-db",
  "geo-whois-asn-country-mmdb",
  "geo-whois-asn-country.mmdb",
);

/**
 * The record shapes the reader may return, all optional: MaxMind GeoLite2 / GeoIP2 and DB-IP
 * (City and Country: `city.names`, `country.names`, ISO codes) and the ip-location-db
 * databases (`country_code`, and `city` as a plain string in their city files).
 */
export interface GeoRecord {
  city?: { names?: Record<string, string | undefined> } | string;
  country?: { iso_code?: string; names?: Record<string, string | undefined> };
  registered_country?: { iso_code?: string; names?: Record<string, string | undefined> };
  country_code?: string;
}

// Addresses no database places: private (RFC 1918), CGNAT, loopback, link-local, ULA,
// multicast, documentation and other reserved ranges. Answered "unknown" without a lookup.
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16],
  ["172.16.0.0", 12], ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15],
  ["198.51.100.0", 24], ["203.0.113.0", 24], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) NOT_PUBLIC.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 127], ["fe80::", 10], ["fc00::", 7], ["ff00::", 8], ["2001:db8::", 32], ["64:ff9b:1::", 48], ["100::", 64],
] as const) NOT_PUBLIC.addSubnet(net, prefix, "ipv6");

/** The address to look up (an IPv4-mapped IPv6 address as IPv4), or null if none applies. */
export function publicAddress(ip: string | null | undefined): string | null {
  const trimmed = ip?.trim();
  if (!trimmed) return null;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(trimmed)?.[1];
  const address = mapped ?? trimmed;
  const family = isIP(address);
  if (family === 0) return null;
  return NOT_PUBLIC.check(address, family === 4 ? "ipv4" : "ipv6") ? null : address;
}

const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });

/** A name from the database, made safe to store and show: one line, bounded length. */
function clean(name: string | undefined): string | null {
  const s = name?.replace(/\p{Cc}/gu, " ").replace(/\p{Cf}/gu, "").replace(/\s+/g, " ").trim();
  return s ? s.slice(0, 60).trim() : null;
}

/** English country name: the database's own, else the ISO code's name (ZZ: unknown). */
function countryName(country: GeoRecord["country"], code: string | undefined): string | null {
  const own = clean(country?.names?.en);
  if (own) return own;
  const iso = (country?.iso_code ?? code)?.toUpperCase();
  if (!iso || !/^[A-Z]{2}$/.test(iso) || iso === "ZZ") return null;
  return clean(regionNames.of(iso));
}

/** "City, Country", "Country", or null when the record places nothing. */
export function formatLocation(record: GeoRecord | null | undefined): string | null {
  if (!record) return null;
  const country = countryName(record.country ?? record.registered_country, record.country_code);
  const city = clean(typeof record.city === "string" ? record.city : record.city?.names?.en);
  if (city && country) return `${city}, ${country}`;
  return country ?? city;
}

type State = { reader: Reader<GeoRecord & Response> | null; warned: boolean };
const globalForLocation = globalThis as unknown as { __revocableLocation?: Promise<State> };

/** The database file the setting names (relative paths from the working directory). */
export function databasePath(): string | null {
  const setting = env().GEOIP_DATABASE;
  if (setting === "off") return null;
  return path.resolve(setting ?? DEFAULT_GEOIP_DATABASE);
}

async function openDatabase(): Promise<State> {
  const file = databasePath();
  if (!file) return { reader: null, warned: true };
  try {
    // Lookups are cached per address by the reader (an LRU of 10,000).
    return { reader: await maxmind.open<GeoRecord & Response>(file, { cache: { max: 10_000 } }), warned: false };
  } catch (err) {
    console.warn(`[location] location database ${file} could not be opened (${(err as Error).message}): every location is unknown`);
    return { reader: null, warned: true };
  }
}

function state(): Promise<State> {
  globalForLocation.__revocableLocation ??= openDatabase();
  return globalForLocation.__revocableLocation;
}

/** The approximate location of `ip`, or null: not public, not in the database, or no database. */
export async function locate(ip: string | null | undefined): Promise<string | null> {
  const address = publicAddress(ip);
  if (!address) return null;
  const s = await state();
  if (!s.reader) return null;
  try {
    return formatLocation(s.reader.get(address));
  } catch (err) {
    // A damaged file can open (its metadata is at the end) and fail inside its tree.
    if (!s.warned) {
      s.warned = true;
      console.warn(`[location] location database lookup failed (${(err as Error).message}): treating locations as unknown`);
    }
    return null;
  }
}

/** Tests: forget the opened database, so the next lookup reads the setting again. */
export function resetLocationForTests(): void {
  globalForLocation.__revocableLocation = undefined;
}
