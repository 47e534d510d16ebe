import { fromFloat16Bits } from "./signature/float16";
import { isTensorBundle, type Tensor, type TensorPayload } from "../protocol";

/** 1e18: tolerances are 18-decimal fixed point, like the ModelRegistry's. */
export const TOLERANCE_SCALE = 10n ** 18n;

/** Outcome of {@link compareWithTolerance}. */
export type CompareWithToleranceReturnType =
  | { ok: true; maxDifference: number }
  | {
      ok: false;
      reason: "dtype" | "shape" | "nan" | "difference" | "names";
      index?: number;
      /** The named output that differs (bundles only). */
      name?: string;
      maxDifference: number;
    };

// Exact test of `d <= tolerance / 1e18` for a finite double d >= 0: write d = m * 2^e with integer m.
function isWithin(d: number, tolerance: bigint): boolean {
  if (d === 0) return true;
  let exponent = 0;
  let m = d;
  while (!Number.isInteger(m)) {
    m *= 2;
    exponent -= 1;
  }
  const mantissa = BigInt(m);
  // d = mantissa * 2^exponent; compare mantissa * 2^exponent * 1e18 <= tolerance.
  return exponent >= 0
    ? mantissa * (1n << BigInt(exponent)) * TOLERANCE_SCALE <= tolerance
    : mantissa * TOLERANCE_SCALE <= tolerance * (1n << BigInt(-exponent));
}

/**
 * TOLERANCE verification: same dtype and shape, no NaN, and for every element `|a - b| <= tolerance / 1e18`,
 * where `|a - b|` is the float64 difference of the two (float32 or float64) values and the comparison with the
 * 18-decimal fixed-point tolerance is exact (no rounding of the tolerance).
 */
export function compareWithTolerance(
  a: TensorPayload,
  b: TensorPayload,
  tolerance: bigint,
): CompareWithToleranceReturnType {
  if (!isTensorBundle(a) && !isTensorBundle(b)) return compareTensors(a, b, tolerance);
  if (!isTensorBundle(a) || !isTensorBundle(b)) return { ok: false, reason: "names", maxDifference: Infinity };
  const names = Object.keys(a.tensors).sort();
  const other = Object.keys(b.tensors).sort();
  if (names.length !== other.length || names.some((n, i) => n !== other[i])) {
    return { ok: false, reason: "names", maxDifference: Infinity };
  }
  let maxDifference = 0;
  for (const name of names) {
    const result = compareTensors(a.tensors[name]!, b.tensors[name]!, tolerance);
    if (!result.ok) return { ...result, name };
    maxDifference = Math.max(maxDifference, result.maxDifference);
  }
  return { ok: true, maxDifference };
}

/** Integer dtypes compare exactly (tolerance 0 between them would be meaningless for ids and masks). */
const EXACT_DTYPES = new Set(["int8", "uint8", "int16", "int32", "int64", "bool"]);

function compareTensors(a: Tensor, b: Tensor, tolerance: bigint): CompareWithToleranceReturnType {
  if (a.dtype !== b.dtype) return { ok: false, reason: "dtype", maxDifference: Infinity };
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    return { ok: false, reason: "shape", maxDifference: Infinity };
  }
  let maxDifference = 0;
  if (EXACT_DTYPES.has(a.dtype)) {
    for (let i = 0; i < a.data.length; i++) {
      if (a.data[i] !== b.data[i]) return { ok: false, reason: "difference", index: i, maxDifference: Infinity };
    }
    return { ok: true, maxDifference };
  }
  const half = a.dtype === "float16";
  for (let i = 0; i < a.data.length; i++) {
    const x = half ? fromFloat16Bits(a.data[i] as number) : Number(a.data[i]!);
    const y = half ? fromFloat16Bits(b.data[i] as number) : Number(b.data[i]!);
    if (Number.isNaN(x) || Number.isNaN(y)) return { ok: false, reason: "nan", index: i, maxDifference: NaN };
    const d = x === y ? 0 : Math.abs(x - y);
    if (d > maxDifference) maxDifference = d;
    if (!Number.isFinite(d) || !isWithin(d, tolerance))
      return { ok: false, reason: "difference", index: i, maxDifference };
  }
  return { ok: true, maxDifference };
}
