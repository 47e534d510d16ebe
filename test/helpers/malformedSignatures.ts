import type { Hex } from "viem";
import { toHighSSignature } from "../../src/protocol";

/** The secp256k1 group order n, and n/2 (the largest low s). */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
export const HALF_N = SECP256K1_N >> 1n;

/** A 32-byte big-endian word as 64 hex digits. */
export const word = (n: bigint): string => n.toString(16).padStart(64, "0");

/** Malformed variants of a valid signature, each of which OpenZeppelin ECDSA.tryRecover refuses. */
export function malformedVariants(signature: Hex): { name: string; signature: Hex }[] {
  const rs = signature.slice(0, 130);
  const r = signature.slice(2, 66);
  const s = signature.slice(66, 130);
  const v = signature.slice(130);
  return [
    { name: "high s (the twin)", signature: toHighSSignature(signature) },
    { name: "s = n/2 + 1", signature: `0x${r}${word(HALF_N + 1n)}${v}` as Hex },
    { name: "v = 0", signature: `${rs}00` as Hex },
    { name: "v = 1", signature: `${rs}01` as Hex },
    { name: "v = 26", signature: `${rs}1a` as Hex },
    { name: "v = 29", signature: `${rs}1d` as Hex },
    { name: "64 bytes (EIP-2098 compact)", signature: rs as Hex },
    { name: "66 bytes", signature: `${signature}00` as Hex },
    { name: "r = 0", signature: `0x${word(0n)}${s}${v}` as Hex },
    { name: "s = 0", signature: `0x${r}${word(0n)}${v}` as Hex },
    { name: "r = n", signature: `0x${word(SECP256K1_N)}${s}${v}` as Hex },
    // x = 5 is not on secp256k1 (5^3 + 7 = 132 is not a square mod p).
    { name: "r not an x coordinate", signature: `0x${word(5n)}${s}${v}` as Hex },
  ];
}
