// A software WebAuthn authenticator for integration tests: a real P-256 key pair, real ES256
// signatures, a real CBOR attestation object (format "none"), and a signature counter. It
// answers the JSON options better-auth's passkey endpoints hand out with the JSON
// @simplewebauthn/browser would send back, so register -> sign-in runs fully in Node.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";

const b64url = (b: Uint8Array) => Buffer.from(b).toString("base64url");
const sha256 = (b: Uint8Array | string) => createHash("sha256").update(b).digest();

// Minimal CBOR (RFC 8949) encoder: unsigned/negative ints, byte and text strings, maps.
type Cbor = number | string | Uint8Array | CborMap | { [key: string]: Cbor };
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a named type breaks the alias's cycle
interface CborMap extends Map<Cbor, Cbor> {}
function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}
export function cbor(v: Cbor): Buffer {
  if (typeof v === "number") return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === "string") return Buffer.concat([head(3, Buffer.byteLength(v)), Buffer.from(v)]);
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), Buffer.from(v)]);
  const entries = v instanceof Map ? [...v] : Object.entries(v);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, val]) => [cbor(k), cbor(val)])]);
}

export interface RegistrationOptionsJSON {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string };
}
export interface AuthenticationOptionsJSON {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
}

export interface Credential {
  id: Uint8Array;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  counter: number;
}

export interface AuthenticatorOptions {
  origin: string;
  /** Whether the authenticator says it verified the user (PIN, biometric). */
  userVerified?: boolean;
}

export class SoftAuthenticator {
  readonly credentials: Credential[] = [];
  origin: string;
  userVerified: boolean;

  constructor({ origin, userVerified = true }: AuthenticatorOptions) {
    this.origin = origin;
    this.userVerified = userVerified;
  }

  private flags(extra: number): number {
    return 0x01 /* UP */ | (this.userVerified ? 0x04 /* UV */ : 0) | extra;
  }

  private clientData(type: string, challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }));
  }

  /** navigator.credentials.create(): the registration response JSON. */
  create(options: RegistrationOptionsJSON) {
    const rpId = options.rp.id ?? new URL(this.origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    const id = randomBytes(16);
    const cred: Credential = { id, rpId, userHandle: options.user.id, privateKey, publicKey, counter: 0 };
    this.credentials.push(cred);
    const coseKey = cbor(
      new Map<Cbor, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, "base64url")],
        [-3, Buffer.from(jwk.y!, "base64url")],
      ]),
    );
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(id.length);
    const counter = Buffer.alloc(4);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([this.flags(0x40 /* AT */)]), counter, Buffer.alloc(16) /* AAGUID */, idLen, id, coseKey]);
    const attestationObject = cbor({ fmt: "none", attStmt: {}, authData });
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: "public-key",
      authenticatorAttachment: "platform",
      response: {
        clientDataJSON: b64url(this.clientData("webauthn.create", options.challenge)),
        attestationObject: b64url(attestationObject),
        transports: ["internal"],
      },
      clientExtensionResults: {},
    };
  }

  /** navigator.credentials.get(): the assertion JSON, signed by `cred` (default: the first one allowed, else the newest). */
  get(options: AuthenticationOptionsJSON, cred?: Credential) {
    const allowed = options.allowCredentials?.map((c) => c.id);
    const chosen = cred ?? [...this.credentials].reverse().find((c) => !allowed?.length || allowed.includes(b64url(c.id)));
    if (!chosen) throw new Error("no credential for these options");
    chosen.counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(chosen.counter);
    const authenticatorData = Buffer.concat([sha256(options.rpId ?? chosen.rpId), Buffer.from([this.flags(0)]), counter]);
    const clientDataJSON = this.clientData("webauthn.get", options.challenge);
    const signature = sign("sha256", Buffer.concat([authenticatorData, sha256(clientDataJSON)]), chosen.privateKey);
    return {
      id: b64url(chosen.id),
      rawId: b64url(chosen.id),
      type: "public-key",
      authenticatorAttachment: "platform",
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authenticatorData),
        signature: b64url(signature),
        userHandle: chosen.userHandle,
      },
      clientExtensionResults: {},
    };
  }
}
