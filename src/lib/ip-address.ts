// IP address text: parsing and the one form the app stores and shows. Pure (no Node
// APIs), so the browser bundle may use it too.
//   IPv4 stays dotted ("203.0.113.9"); an IPv4-mapped IPv6 address ("::ffff:203.0.113.9",
//   what a dual-stack socket reports for an IPv4 peer) becomes that IPv4 address; other
//   IPv6 addresses take their short canonical form (RFC 5952: "::1", "2001:db8::1"),
//   never the fully expanded zero form.

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;
const IPV6_CHARS = /^[0-9a-f:.]+$/i;

export function isIPv4(text: string): boolean {
  return IPV4.test(text);
}

/** The canonical text of an IPv6 address (WHATWG URL host serialisation), or null. */
function canonicalIPv6(text: string): string | null {
  if (!IPV6_CHARS.test(text) || !text.includes(":")) return null;
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

/**
 * An address as it comes from a socket or a header -> its stored form, or null when it is
 * not an IP address. Accepts "[v6]", a zone ("fe80::1%eth0", dropped) and "v4:port" (some
 * load balancers add the port).
 */
export function normalizeAddress(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let text = raw.trim();
  if (text.length > 64) return null;
  const withPort = IPV4_WITH_PORT.exec(text);
  if (withPort) text = withPort[1]!;
  if (isIPv4(text)) return text;
  if (text.startsWith("[")) text = text.replace(/^\[([^\]]*)\](:\d{1,5})?$/, "$1");
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  const v6 = canonicalIPv6(text);
  if (!v6) return null;
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return v6;
}

/**
 * The rate-limit bucket of an address: an IPv4 address itself, an IPv6 address its /64
 * (one subscriber usually gets a whole /64, so per-address buckets would be free to
 * rotate through). Expects a normalised address.
 */
export function addressBucket(address: string): string {
  if (isIPv4(address)) return address;
  const [head = "", tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.padStart(4, "0")).join(":")}::/64`;
}
