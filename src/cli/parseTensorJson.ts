import { createTensor, tensorDtypes, type Tensor, type TensorDtype } from "../protocol";

/** The range of each integer dtype; a value outside it is an error, never wrapped. */
const INTEGER_RANGES: Partial<Record<TensorDtype, readonly [bigint, bigint]>> = {
  int8: [-128n, 127n],
  uint8: [0n, 255n],
  int16: [-32768n, 32767n],
  int32: [-2147483648n, 2147483647n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** A tensor written as JSON `{dtype, shape, data}` (int64 elements may be decimal strings). */
export type TensorJsonInput = { dtype?: unknown; shape?: unknown; data?: unknown };

/**
 * Parses a JSON tensor strictly: a known dtype, a shape of non-negative whole numbers whose product is the number
 * of elements, and every element a number representable in the dtype (integers whole and in range, floats finite
 * and, for float32, within its range). Throws an Error whose message names the first problem; nothing is wrapped
 * or rounded silently (`int8` 400 is an error, not -112).
 */
export function parseTensorJson(value: TensorJsonInput): Tensor {
  const dtypes = Object.keys(tensorDtypes);
  if (typeof value.dtype !== "string" || !dtypes.includes(value.dtype)) {
    throw new Error(`dtype must be one of ${dtypes.join(", ")}, got ${JSON.stringify(value.dtype)}`);
  }
  const dtype = value.dtype as TensorDtype;
  if (!Array.isArray(value.shape) || !value.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new Error(`shape must be an array of non-negative whole numbers, got ${JSON.stringify(value.shape)}`);
  }
  const shape = value.shape as number[];
  if (!Array.isArray(value.data)) throw new Error("data must be an array of numbers");
  const size = shape.reduce((a, b) => a * b, 1);
  if (value.data.length !== size) {
    throw new Error(`shape [${shape.join(", ")}] holds ${size} elements, data has ${value.data.length}`);
  }
  const range = INTEGER_RANGES[dtype];
  const items = value.data as unknown[];
  if (range) {
    const values = items.map((item, index) => {
      const whole = toBigInt(item);
      if (whole === undefined) throw new Error(`data[${index}] = ${JSON.stringify(item)} is not a whole number`);
      if (whole < range[0] || whole > range[1]) {
        throw new Error(`data[${index}] = ${whole} is out of range for ${dtype} [${range[0]}, ${range[1]}]`);
      }
      return whole;
    });
    return dtype === "int64" ? createTensor(dtype, shape, values) : createTensor(dtype, shape, values.map(Number));
  }
  const numbers = items.map((item, index) => {
    if (typeof item !== "number" || !Number.isFinite(item)) {
      throw new Error(`data[${index}] = ${JSON.stringify(item)} is not a finite number`);
    }
    if (dtype === "float32" && Math.abs(item) > FLOAT32_MAX) {
      throw new Error(`data[${index}] = ${item} is out of range for float32`);
    }
    return item;
  });
  return createTensor(dtype, shape, numbers);
}

function toBigInt(item: unknown): bigint | undefined {
  if (typeof item === "number") return Number.isSafeInteger(item) ? BigInt(item) : undefined;
  if (typeof item === "string" && /^-?\d+$/.test(item)) return BigInt(item);
  return undefined;
}
