import { createRequire } from "node:module";
import { type Address, type Hex, type TypedData, type TypedDataDefinition, hashTypedData, recoverAddress } from "viem";
import { type PrivateKeyAccount, privateKeyToAccount, sign as viemSign } from "viem/accounts";
import { fromHex, toHex } from "./bytes";
import { InvalidSignatureError } from "./errors";
import { keccak256Into } from "./keccak";
import { assertLowSSignature } from "./signature";

// Signing and public-key recovery for every Verity signature, in one place. The native libsecp256k1 bindings (npm
// `secp256k1` 5.x, prebuilt N-API) recover and sign several times faster than noble (viem's implementation); when
// they can't load (no prebuild for the platform, or VERITY_SECP256K1=noble), the same functions run on viem.
// Both give identical results: RFC 6979 deterministic nonces, low s, v ∈ {27, 28}, the same checksummed address
// (checked over the protocol vectors and random keys in test/protocol/secp256k1.test.ts).

/** Which implementation signs and recovers. */
export type Secp256k1Backend = "libsecp256k1" | "noble";

/** Signing and recovery over 32-byte digests, the same contract whichever backend is behind it. */
export interface Secp256k1Engine {
  readonly backend: Secp256k1Backend;
  /** Signs a 32-byte digest with a 32-byte private key: 65-byte `r ‖ s ‖ v` hex, low s, v ∈ {27, 28}. */
  signDigest(digest: Uint8Array, privateKey: Uint8Array): Promise<Hex>;
  /**
   * The checksummed address whose key made `signature` over `digest`. Rejects exactly what OpenZeppelin
   * `ECDSA.tryRecover` (and so the contracts) rejects, with {@link InvalidSignatureError}: a length other than 65
   * bytes, s > n/2, v ∉ {27, 28}, r or s out of [1, n), or an r that is no point's x coordinate.
   */
  recoverDigestSigner(digest: Uint8Array, signature: Hex): Promise<Address>;
}

/** The subset of the `secp256k1` 5.x native API used here. */
interface NativeSecp256k1 {
  ecdsaSign(message: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaRecover(signature: Uint8Array, recid: number, message: Uint8Array, compressed: false): Uint8Array;
}

const hexDigits = "0123456789abcdef";
const addressBuffer = new Uint8Array(64);
const checksumInput = new Uint8Array(40);
const checksumHash = new Uint8Array(32);
let lastLowercase = "";
let lastChecksummed = "" as Address;

/** EIP-55 checksummed form of a lowercase 0x-prefixed address (the last one is remembered: signers repeat). */
function checksumAddress(lowercase: string): Address {
  if (lowercase === lastLowercase) return lastChecksummed;
  for (let i = 0; i < 40; i++) checksumInput[i] = lowercase.charCodeAt(i + 2);
  keccak256Into(checksumInput, 0, 40, checksumHash, 0);
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const c = lowercase[i + 2]!;
    const nibble = (checksumHash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 15;
    out += nibble >= 8 ? c.toUpperCase() : c;
  }
  lastLowercase = lowercase;
  lastChecksummed = out as Address;
  return lastChecksummed;
}

/** The address of a 65-byte uncompressed public key (`0x04 ‖ x ‖ y`): the last 20 bytes of keccak256(x ‖ y). */
function addressOfPublicKey(publicKey: Uint8Array): Address {
  addressBuffer.set(publicKey.subarray(1, 65));
  keccak256Into(addressBuffer, 0, 64, addressBuffer, 0);
  let lowercase = "0x";
  for (let i = 12; i < 32; i++) lowercase += hexDigits[addressBuffer[i]! >> 4]! + hexDigits[addressBuffer[i]! & 15]!;
  return checksumAddress(lowercase);
}

function assertDigest(digest: Uint8Array): void {
  if (digest.length !== 32) throw new TypeError(`expected a 32-byte digest, got ${digest.length} bytes`);
}

/** The engine over libsecp256k1. */
function createNativeEngine(native: NativeSecp256k1): Secp256k1Engine {
  const compact = new Uint8Array(64);
  return {
    backend: "libsecp256k1",
    async signDigest(digest, privateKey) {
      assertDigest(digest);
      const { signature, recid } = native.ecdsaSign(digest, privateKey);
      return `${toHex(signature)}${recid === 1 ? "1c" : "1b"}` as Hex;
    },
    async recoverDigestSigner(digest, signature) {
      assertDigest(digest);
      assertLowSSignature(signature);
      const bytes = fromHex(signature);
      compact.set(bytes.subarray(0, 64));
      let publicKey: Uint8Array;
      try {
        publicKey = native.ecdsaRecover(compact, bytes[64]! - 27, digest, false);
      } catch (cause) {
        throw new InvalidSignatureError("Signature does not recover a public key.", {
          details: (cause as Error).message,
        });
      }
      return addressOfPublicKey(publicKey);
    },
  };
}

/** The engine over viem (noble): the fallback, and the baseline the benchmarks compare against. */
export const nobleEngine: Secp256k1Engine = {
  backend: "noble",
  async signDigest(digest, privateKey) {
    assertDigest(digest);
    return viemSign({ hash: toHex(digest), privateKey: toHex(privateKey), to: "hex" });
  },
  async recoverDigestSigner(digest, signature) {
    assertDigest(digest);
    assertLowSSignature(signature);
    try {
      return await recoverAddress({ hash: toHex(digest), signature });
    } catch (cause) {
      throw new InvalidSignatureError("Signature does not recover a public key.", {
        details: (cause as Error).message,
      });
    }
  },
};

/** Loads the native bindings alone (the package's own entry point would fall back to elliptic silently). */
function loadNativeEngine(): { engine?: Secp256k1Engine; reason?: string } {
  if (process.env.VERITY_SECP256K1 === "noble") return { reason: "VERITY_SECP256K1=noble" };
  try {
    const load = createRequire(__filename);
    return { engine: createNativeEngine(load("secp256k1/bindings") as NativeSecp256k1) };
  } catch (error) {
    return { reason: (error as Error).message.split("\n")[0] };
  }
}

const loaded = loadNativeEngine();

/** The libsecp256k1 engine, or undefined when it could not load (then {@link getNativeUnavailableReason} says why). */
export const nativeEngine: Secp256k1Engine | undefined = loaded.engine;

/** The engine in use: libsecp256k1 when it loaded, viem (noble) otherwise. */
export const secp256k1: Secp256k1Engine = nativeEngine ?? nobleEngine;

/** Which backend signs and recovers (for `/health` and the start-up log). */
export function getSecp256k1Backend(): Secp256k1Backend {
  return secp256k1.backend;
}

/** Why the native backend is not in use, or undefined when it is. */
export function getNativeUnavailableReason(): string | undefined {
  return loaded.reason;
}

/** Signs a 32-byte digest with the engine in use (see {@link Secp256k1Engine.signDigest}). */
export function signDigest(digest: Uint8Array, privateKey: Uint8Array): Promise<Hex> {
  return secp256k1.signDigest(digest, privateKey);
}

/** Recovers a digest's signer with the engine in use (see {@link Secp256k1Engine.recoverDigestSigner}). */
export function recoverDigestSigner(digest: Uint8Array, signature: Hex): Promise<Address> {
  return secp256k1.recoverDigestSigner(digest, signature);
}

/**
 * A viem private-key account whose `sign` (raw digests, which {@link signReceipt} and {@link signBatch} use) and
 * `signTypedData` go through the engine in use; everything else (address, messages, transactions) is viem's.
 */
export function createSignerAccount(privateKey: Hex, engine: Secp256k1Engine = secp256k1): PrivateKeyAccount {
  const account = privateKeyToAccount(privateKey);
  const key = fromHex(privateKey);
  return {
    ...account,
    sign: async ({ hash }) => engine.signDigest(fromHex(hash), key),
    signTypedData: async <const T extends TypedData | Record<string, unknown>, P extends keyof T | "EIP712Domain">(
      typedData: TypedDataDefinition<T, P>,
    ) => engine.signDigest(fromHex(hashTypedData(typedData)), key),
  };
}
