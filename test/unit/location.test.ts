// Approximate location: address classes, record shapes, and the shipped country database
// read with the real reader. A missing or corrupt database leaves locations unknown with
// exactly one warning.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { formatLocation, locate, publicAddress, resetLocationForTests } from "@/lib/location";
import { buildMmdb, cityRecord } from "../support/mmdb";

function useDatabase(setting: string | undefined) {
  if (setting === undefined) delete process.env.GEOIP_DATABASE;
  else process.env.GEOIP_DATABASE = setting;
  resetEnvForTests();
  resetLocationForTests();
}

afterEach(() => {
  useDatabase(undefined);
  vi.restoreAllMocks();
});

describe("publicAddress", () => {
  it.each([
    "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "127.0.0.1", "169.254.10.10", "0.0.0.0",
    "::1", "::", "fe80::1", "fd12:3456::1", "fc00::1", "ff02::1", "2001:db8::7", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
    "203.0.113.9", "198.51.100.7", "192.0.2.1", "", "not an ip", "1.2.3", "8.8.8.8; DROP",
  ])("has no location to look up for %j", (ip) => {
    expect(publicAddress(ip)).toBeNull();
  });

  it("passes public addresses, and an IPv4-mapped IPv6 address as IPv4", () => {
    expect(publicAddress("8.8.8.8")).toBe("8.8.8.8");
    expect(publicAddress("2001:4860:4860::8888")).toBe("2001:4860:4860::8888");
    expect(publicAddress("::ffff:8.8.8.8")).toBe("8.8.8.8");
    expect(publicAddress(null)).toBeNull();
  });
});

describe("formatLocation", () => {
  // The shape of a GeoLite2-City / GeoIP2-City / DB-IP City record (trimmed to what is read).
  const CITY = {
    city: { geoname_id: 3369157, names: { en: "Cape Town", de: "Kapstadt" } },
    continent: { code: "AF", names: { en: "Africa" } },
    country: { geoname_id: 953987, iso_code: "ZA", names: { en: "South Africa", de: "Südafrika" } },
    location: { latitude: -33.9, longitude: 18.4, accuracy_radius: 20, time_zone: "Africa/Johannesburg" },
    registered_country: { geoname_id: 953987, iso_code: "ZA", names: { en: "South Africa" } },
    subdivisions: [{ iso_code: "WC", names: { en: "Western Cape" } }],
  };

  it("writes City, Country from a City database's record", () => {
    expect(formatLocation(CITY)).toBe("Cape Town, South Africa");
  });

  it("writes the country alone from a Country record, or when the city is missing", () => {
    expect(formatLocation({ ...CITY, city: undefined })).toBe("South Africa");
    expect(formatLocation({ ...CITY, city: { names: { de: "Kapstadt" } } })).toBe("South Africa");
  });

  it("names the country from its ISO code when the record has no English name", () => {
    expect(formatLocation({ country: { iso_code: "ZA" } })).toBe("South Africa");
    expect(formatLocation({ registered_country: { iso_code: "DE", names: {} } })).toBe("Germany");
  });

  it("reads ip-location-db's shapes: country_code, and city as a string", () => {
    expect(formatLocation({ country_code: "ZA" })).toBe("South Africa");
    expect(formatLocation({ country_code: "br", city: "São Paulo" } as never)).toBe("São Paulo, Brazil");
  });

  it("places nothing for an empty record, an unknown or malformed code", () => {
    expect(formatLocation(null)).toBeNull();
    expect(formatLocation({})).toBeNull();
    expect(formatLocation({ country_code: "ZZ" })).toBeNull();
    expect(formatLocation({ country_code: "Z" })).toBeNull();
    expect(formatLocation({ country_code: "<script>" })).toBeNull();
  });

  it("keeps a name from the file to one bounded line", () => {
    const odd = formatLocation({ city: { names: { en: "Line\nBreak\u202Ecity " + "x".repeat(200) } }, country_code: "FR" });
    expect(odd).toMatch(/^Line Breakcity x+, France$/);
    expect(odd!.length).toBeLessThanOrEqual(60 + ", France".length);
  });
});

describe("locate, against the shipped country database", () => {
  it.each([
    ["8.8.8.8", "United States"],
    ["196.25.1.1", "South Africa"],
    ["193.0.6.139", "Netherlands"],
    ["2001:4860:4860::8888", "United States"],
    // better-auth stores an IPv6 client as its /64, written out in full.
    ["2001:4860:4860:0000:0000:0000:0000:0000", "United States"],
    ["::ffff:196.25.1.1", "South Africa"],
  ])("%s is in %s", async (ip, country) => {
    expect(await locate(ip)).toBe(country);
  });

  it("answers unknown for private and loopback addresses, and for none", async () => {
    for (const ip of ["127.0.0.1", "::1", "192.168.0.10", "fd00::1", "", null, undefined]) expect(await locate(ip)).toBeNull();
  });
});

function tempFile(name: string, content: Buffer): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "revocable-geo-")), name);
  writeFileSync(file, content);
  return file;
}

const CITY_DB = buildMmdb({
  "196.25.0.0/16": cityRecord("Cape Town", "South Africa", "ZA"),
  "81.2.69.0/24": { country: { iso_code: "GB", names: { en: "United Kingdom" } } },
});

describe("locate, against a City database the operator points GEOIP_DATABASE at", () => {
  it("writes City, Country; Country where the file has no city; nothing where it has no entry", async () => {
    useDatabase(tempFile("city.mmdb", CITY_DB));
    expect(await locate("196.25.1.1")).toBe("Cape Town, South Africa");
    expect(await locate("::ffff:196.25.200.7")).toBe("Cape Town, South Africa");
    expect(await locate("81.2.69.142")).toBe("United Kingdom");
    expect(await locate("8.8.8.8")).toBeNull();
    expect(await locate("2001:4860:4860::8888")).toBeNull();
  });
});

describe("a missing or unreadable database", () => {
  it("missing: every location is unknown, one warning for any number of lookups", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    useDatabase(path.join(os.tmpdir(), "no-such-dir-revocable", "GeoLite2-City.mmdb"));
    expect(await Promise.all([locate("8.8.8.8"), locate("196.25.1.1")])).toEqual([null, null]);
    expect(await locate("8.8.8.8")).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/\[location\].*GeoLite2-City\.mmdb.*could not be opened/);
  });

  it("corrupt: every location is unknown, one warning", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    useDatabase(tempFile("broken.mmdb", Buffer.from("this is not a MaxMind database ".repeat(100))));
    expect(await locate("8.8.8.8")).toBeNull();
    expect(await locate("196.25.1.1")).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("damaged inside (metadata intact, search tree garbage): lookups fail, unknown, one warning", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const damaged = Buffer.from(CITY_DB);
    damaged.fill(0xff, 0, 6 * 150); // every record points far past the data section
    useDatabase(tempFile("damaged.mmdb", damaged));
    expect(await locate("196.25.1.1")).toBeNull();
    expect(await locate("81.2.69.142")).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/\[location\] location database lookup failed/);
  });

  it("off: no lookups, no warning", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    useDatabase("off");
    expect(await locate("8.8.8.8")).toBeNull();
    expect(warn).not.toHaveBeenCalled();
  });

  it("the shipped database is read again once the setting is cleared", async () => {
    useDatabase(undefined);
    expect(await locate("8.8.8.8")).toBe("United States");
  });
});
