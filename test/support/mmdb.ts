// A small MaxMind DB (MMDB v2) writer for tests: no maintained JavaScript writer exists, and
// the app must be tested with a City database without shipping one (GeoLite2's licence
// forbids it). Writes an IPv6-tree database (IPv4 networks under ::/96, as MaxMind's own
// files do) with 24-bit records, read back by the real `maxmind` reader.
// Format: https://maxmind.github.io/MaxMind-DB/ (search tree, 16-byte separator, data
// section, metadata after "\xAB\xCD\xEFMaxMind.com").

type Value = string | number | bigint | Value[] | { [key: string]: Value };

function control(type: number, size: number): Buffer {
  const ext = type > 7;
  const head = (ext ? 0 : type << 5);
  let sizeBytes: number[] = [];
  let s = size;
  if (size >= 65_821) throw new Error("too large for this writer");
  if (size >= 285) {
    s = 30;
    const n = size - 285;
    sizeBytes = [n >> 8, n & 0xff];
  } else if (size >= 29) {
    s = 29;
    sizeBytes = [size - 29];
  }
  return Buffer.from([head | s, ...(ext ? [type - 7] : []), ...sizeBytes]);
}

function uint(type: number, n: bigint): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

function encode(v: Value): Buffer {
  if (typeof v === "string") {
    const b = Buffer.from(v, "utf8");
    return Buffer.concat([control(2, b.length), b]);
  }
  if (typeof v === "bigint") return uint(9, v); // uint64
  if (typeof v === "number") return uint(v < 65_536 ? 5 : 6, BigInt(v)); // uint16 / uint32
  if (Array.isArray(v)) return Buffer.concat([control(11, v.length), ...v.map(encode)]);
  const entries = Object.entries(v);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, x]) => [encode(k), encode(x)])]);
}

type Slot = { node: number } | { data: number } | null;

/** An MMDB file holding `networks` (IPv4 CIDRs, e.g. "196.25.0.0/16") -> records. */
export function buildMmdb(networks: Record<string, Value>, databaseType = "Test-City"): Buffer {
  const nodes: [Slot, Slot][] = [[null, null]];
  const data: Buffer[] = [];
  const offsets: number[] = [];
  let size = 0;
  for (const [cidr, record] of Object.entries(networks)) {
    const [ip, len] = cidr.split("/") as [string, string];
    const v4 = ip.split(".").reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n);
    const prefix = 96 + Number(len);
    const encoded = encode(record);
    offsets.push(size);
    data.push(encoded);
    size += encoded.length;
    let node = 0;
    for (let depth = 0; depth < prefix; depth++) {
      const bit = depth < 96 ? 0 : Number((v4 >> BigInt(127 - depth)) & 1n);
      if (depth === prefix - 1) {
        nodes[node]![bit] = { data: offsets.length - 1 };
        break;
      }
      const slot = nodes[node]![bit];
      if (slot && "node" in slot) node = slot.node;
      else {
        nodes.push([null, null]);
        nodes[node]![bit] = { node: nodes.length - 1 };
        node = nodes.length - 1;
      }
    }
  }
  const count = nodes.length;
  const record = (s: Slot) => (s === null ? count : "node" in s ? s.node : count + 16 + offsets[s.data]!);
  const tree = Buffer.alloc(count * 6);
  nodes.forEach(([l, r], i) => {
    tree.writeUIntBE(record(l), i * 6, 3);
    tree.writeUIntBE(record(r), i * 6 + 3, 3);
  });
  const metadata = encode({
    node_count: count,
    record_size: 24,
    ip_version: 6,
    database_type: databaseType,
    languages: ["en"],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: BigInt(Math.floor(Date.now() / 1000)),
    description: { en: "Revocable test database" },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...data, Buffer.from("\xAB\xCD\xEFMaxMind.com", "latin1"), metadata]);
}

/** A City-shaped record as GeoLite2-City / DB-IP City hold it (the fields the app reads, and some it ignores). */
export function cityRecord(city: string, country: string, iso: string): Value {
  return {
    city: { geoname_id: 1, names: { en: city } },
    continent: { code: "XX", names: { en: "Somewhere" } },
    country: { geoname_id: 2, iso_code: iso, names: { en: country } },
    location: { accuracy_radius: 20, time_zone: "UTC" },
  };
}
