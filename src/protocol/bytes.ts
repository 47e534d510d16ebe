import type { Hex } from "viem";

// Fast hex <-> bytes helpers for the hashing hot paths. viem's versions validate more and allocate more; these
// assume input already validated by a schema (or produced by us) and only check length and characters.

const HEX_CHARS = "0123456789abcdef";
const BYTE_TO_HEX: string[] = Array.from({ length: 256 }, (_, i) => HEX_CHARS[i >> 4]! + HEX_CHARS[i & 15]!);
const CHAR_TO_NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) CHAR_TO_NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  CHAR_TO_NIBBLE[65 + i] = 10 + i;
  CHAR_TO_NIBBLE[97 + i] = 10 + i;
}

/** Writes the bytes of `hex` (0x-prefixed, even length) into `target` at `offset`, right-aligned in `width` bytes. */
export function writeHex(target: Uint8Array, offset: number, hex: string, width: number): void {
  const length = (hex.length - 2) >> 1;
  if (hex.length % 2 !== 0 || length > width || hex.charCodeAt(0) !== 48 || (hex.charCodeAt(1) | 32) !== 120) {
    throw new TypeError(`expected 0x-prefixed hex of at most ${width} bytes, got ${hex}`);
  }
  let position = offset + width - length;
  for (let i = 2; i < hex.length; i += 2) {
    const high = CHAR_TO_NIBBLE[hex.charCodeAt(i)] ?? -1;
    const low = CHAR_TO_NIBBLE[hex.charCodeAt(i + 1)] ?? -1;
    if (high < 0 || low < 0) throw new TypeError(`invalid hex character in ${hex}`);
    target[position++] = (high << 4) | low;
  }
}

/** Decodes 0x-prefixed hex into new bytes. */
export function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array((hex.length - 2) >> 1);
  writeHex(bytes, 0, hex, bytes.length);
  return bytes;
}

/** Encodes bytes as lowercase 0x-prefixed hex. */
export function toHex(bytes: Uint8Array): Hex {
  let out = "0x";
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_HEX[bytes[i]!]!;
  return out as Hex;
}

/** Writes an unsigned integer (number or bigint, < 2^256) big-endian into a 32-byte word at `offset`. */
export function writeUint256(target: Uint8Array, offset: number, value: bigint | number): void {
  let remaining = BigInt(value);
  for (let i = offset + 31; i >= offset && remaining > 0n; i--) {
    target[i] = Number(remaining & 0xffn);
    remaining >>= 8n;
  }
}

/** True when two byte arrays hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
