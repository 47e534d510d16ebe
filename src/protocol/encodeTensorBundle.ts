import { decodeTensor } from "./decodeTensor";
import { encodeTensor } from "./encodeTensor";
import { InvalidTensorError } from "./errors";
import { TENSOR_ENCODING_VERSION, type Tensor, type TensorBundle, type TensorPayload, isTensorBundle } from "./tensor";

/** Version byte that opens a bundle encoding; distinct from a single tensor's {@link TENSOR_ENCODING_VERSION}. */
export const TENSOR_BUNDLE_ENCODING_VERSION = 2;
/** Most tensors one bundle may hold (the count is a uint16). */
export const MAX_BUNDLE_TENSORS = 0xffff;
/** Longest tensor name, in UTF-8 bytes (the length is one byte). */
export const MAX_TENSOR_NAME_BYTES = 255;

const utf8 = new TextEncoder();
/** In `u` mode a surrogate pair is one code point, so this matches only unpaired surrogates. */
const LONE_SURROGATE = /\p{Cs}/u;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function encodeName(name: string): Uint8Array {
  if (LONE_SURROGATE.test(name))
    throw new InvalidTensorError("Tensor name is not well-formed Unicode.", { details: name });
  const bytes = utf8.encode(name);
  if (bytes.length === 0) throw new InvalidTensorError("Tensor name is empty.");
  if (bytes.length > MAX_TENSOR_NAME_BYTES) {
    throw new InvalidTensorError("Tensor name is longer than 255 UTF-8 bytes.", { details: name });
  }
  return bytes;
}

/**
 * Encodes named tensors canonically (docs/protocol.md § Tensor bundles):
 * `0x02 ‖ count (uint16 LE) ‖ per tensor, names in ascending UTF-8 byte order: name length (1 byte) ‖ name (UTF-8)
 * ‖ tensor encoding length (uint32 LE) ‖ canonical tensor encoding`. Throws {@link InvalidTensorError} for an empty
 * bundle, a bad name or a bad tensor.
 */
export function encodeTensorBundle(bundle: TensorBundle): Uint8Array {
  const entries = Object.entries(bundle.tensors).map(([name, tensor]) => ({
    name: encodeName(name),
    label: name,
    encoding: encodeWithName(name, tensor),
  }));
  if (entries.length === 0) throw new InvalidTensorError("A tensor bundle holds at least one tensor.");
  if (entries.length > MAX_BUNDLE_TENSORS) {
    throw new InvalidTensorError("A tensor bundle holds at most 65535 tensors.", { details: `${entries.length}` });
  }
  entries.sort((a, b) => compareBytes(a.name, b.name));
  let length = 3;
  for (const entry of entries) length += 1 + entry.name.length + 4 + entry.encoding.length;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  out[0] = TENSOR_BUNDLE_ENCODING_VERSION;
  view.setUint16(1, entries.length, true);
  let at = 3;
  for (const entry of entries) {
    out[at] = entry.name.length;
    out.set(entry.name, at + 1);
    at += 1 + entry.name.length;
    view.setUint32(at, entry.encoding.length, true);
    out.set(entry.encoding, at + 4);
    at += 4 + entry.encoding.length;
  }
  return out;
}

function encodeWithName(name: string, tensor: Tensor): Uint8Array {
  try {
    return encodeTensor(tensor);
  } catch (error) {
    if (error instanceof InvalidTensorError) {
      throw new InvalidTensorError(`Tensor "${name}": ${error.shortMessage}`, { details: error.details });
    }
    throw error;
  }
}

/**
 * Decodes a bundle encoding (see {@link encodeTensorBundle}). Rejects anything that is not the one canonical
 * encoding: names out of order or repeated, names that are not UTF-8, a wrong length, trailing bytes.
 */
export function decodeTensorBundle(encoding: Uint8Array): TensorBundle {
  const fail = (message: string, details?: string) => new InvalidTensorError(message, { details });
  if (encoding.length < 3) throw fail("Tensor bundle encoding is shorter than its 3-byte header.");
  if (encoding[0] !== TENSOR_BUNDLE_ENCODING_VERSION) {
    throw fail("Not a tensor bundle encoding.", `version byte ${encoding[0]}`);
  }
  const view = new DataView(encoding.buffer, encoding.byteOffset, encoding.byteLength);
  const count = view.getUint16(1, true);
  if (count === 0) throw fail("A tensor bundle holds at least one tensor.");
  const tensors: Record<string, Tensor> = Object.create(null) as Record<string, Tensor>;
  let previous: Uint8Array | undefined;
  let at = 3;
  for (let i = 0; i < count; i++) {
    if (at + 1 > encoding.length) throw fail("Tensor bundle encoding ends inside a name length.", `tensor ${i}`);
    const nameLength = encoding[at]!;
    if (nameLength === 0) throw fail("Tensor name is empty.", `tensor ${i}`);
    if (at + 1 + nameLength + 4 > encoding.length) throw fail("Tensor bundle encoding ends inside a name.");
    const nameBytes = encoding.subarray(at + 1, at + 1 + nameLength);
    let name: string;
    try {
      name = strictUtf8.decode(nameBytes);
    } catch {
      throw fail("Tensor name is not valid UTF-8.", `tensor ${i}`);
    }
    if (previous !== undefined && compareBytes(previous, nameBytes) >= 0) {
      throw fail("Tensor bundle names are not in strictly ascending byte order.", `"${name}" at position ${i}`);
    }
    previous = nameBytes;
    at += 1 + nameLength;
    const length = view.getUint32(at, true);
    at += 4;
    if (at + length > encoding.length) throw fail("Tensor bundle encoding ends inside a tensor.", `"${name}"`);
    try {
      tensors[name] = decodeTensor(encoding.subarray(at, at + length));
    } catch (error) {
      if (error instanceof InvalidTensorError) throw fail(`Tensor "${name}": ${error.shortMessage}`, error.details);
      throw error;
    }
    at += length;
  }
  if (at !== encoding.length) throw fail("Tensor bundle encoding has trailing bytes.", `${encoding.length - at}`);
  return { tensors };
}

/** The canonical encoding of a payload: {@link encodeTensor} for one unnamed tensor, else {@link encodeTensorBundle}. */
export function encodePayload(payload: TensorPayload): Uint8Array {
  return isTensorBundle(payload) ? encodeTensorBundle(payload) : encodeTensor(payload);
}

/** Decodes either kind of payload, told apart by the first byte (`0x01` tensor, `0x02` bundle). */
export function decodePayload(encoding: Uint8Array): TensorPayload {
  if (encoding[0] === TENSOR_BUNDLE_ENCODING_VERSION) return decodeTensorBundle(encoding);
  if (encoding[0] === TENSOR_ENCODING_VERSION) return decodeTensor(encoding);
  throw new InvalidTensorError("Unknown tensor encoding version.", { details: `version byte ${encoding[0]}` });
}
