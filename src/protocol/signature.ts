import type { Hex } from "viem";
import { InvalidSignatureError } from "./errors";

/** secp256k1 group order n, and n/2 (the largest low-s value). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = SECP256K1_N >> 1n;

/**
 * Checks a 65-byte `r ‖ s ‖ v` signature is canonical the way OpenZeppelin `ECDSA` requires: length 65,
 * `s ≤ n/2` (low-s), `v ∈ {27, 28}`. Throws {@link InvalidSignatureError} otherwise.
 */
export function assertLowSSignature(signature: Hex): void {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) {
    throw new InvalidSignatureError("Signature is not 65 bytes.", { details: `length ${(signature.length - 2) / 2}` });
  }
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  if (s > HALF_N) throw new InvalidSignatureError("Signature has a high s value.", { details: `s = ${s}` });
  const v = parseInt(signature.slice(130, 132), 16);
  if (v !== 27 && v !== 28) throw new InvalidSignatureError("Signature v is not 27 or 28.", { details: `v = ${v}` });
}

/** True when a signature passes {@link assertLowSSignature}. */
export function isLowSSignature(signature: Hex): boolean {
  try {
    assertLowSSignature(signature);
    return true;
  } catch {
    return false;
  }
}

/** Flips a low-s signature to its high-s twin (same signer in raw ecrecover): for tests of malleability guards. */
export function toHighSSignature(signature: Hex): Hex {
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = parseInt(signature.slice(130, 132), 16);
  const highS = (SECP256K1_N - s).toString(16).padStart(64, "0");
  return `${signature.slice(0, 66)}${highS}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
}
