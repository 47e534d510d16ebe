import { createHash } from "node:crypto";
import { ModelFormatError } from "../errors";
import { type ModelSignature, modelSignatureSchema } from "./types";

/** Canonical JSON: keys in ascending order at every level, no whitespace, no undefined members. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The canonical bytes of a signature document (what its content address hashes). */
export function serializeModelSignature(signature: ModelSignature): string {
  return canonicalJson(modelSignatureSchema.parse(signature));
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
function base32(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * Content address of a document: `ipfs://` + CIDv1 (raw codec 0x55, sha2-256 multihash, base32), the CID that
 * `ipfs add --cid-version 1 --raw-leaves` gives a file below one block. Anyone holding the bytes can check them.
 */
export function getContentUri(bytes: Uint8Array | string): string {
  const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
  const digest = createHash("sha256").update(data).digest();
  return `ipfs://b${base32(Uint8Array.from([0x01, 0x55, 0x12, 0x20, ...digest]))}`;
}

/** The content address of a signature document (its metadata URI in the ModelRegistry). */
export function getModelSignatureUri(signature: ModelSignature): string {
  return getContentUri(serializeModelSignature(signature));
}

/**
 * Parses a signature document; with `uri`, checks that the text is canonical and hashes to it. Throws
 * {@link ModelFormatError} saying what is wrong.
 */
export function parseModelSignature(text: string, uri?: string): ModelSignature {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ModelFormatError("Model signature is not JSON.", { cause });
  }
  const parsed = modelSignatureSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(document)"}: ${i.message}`);
    throw new ModelFormatError("Model signature is malformed.", { details: problems.join("; ") });
  }
  const signature = parsed.data as ModelSignature;
  if (uri !== undefined) {
    if (serializeModelSignature(signature) !== text) {
      throw new ModelFormatError("Model signature is not in canonical form.", { details: uri });
    }
    const actual = getContentUri(text);
    if (actual !== uri)
      throw new ModelFormatError("Model signature does not hash to its address.", { details: `${actual} != ${uri}` });
  }
  return signature;
}
