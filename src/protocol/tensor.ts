/** Element types a canonical tensor may hold, with their one-byte codes in the encoding. */
export const tensorDtypes = {
  int8: 1,
  uint8: 2,
  int16: 3,
  int32: 4,
  int64: 5,
  float32: 6,
  float64: 7,
  float16: 8,
  bool: 9,
} as const;

export type TensorDtype = keyof typeof tensorDtypes;

/** Bytes per element, by dtype. */
export const tensorDtypeSizes: Readonly<Record<TensorDtype, number>> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  float32: 4,
  float64: 8,
  float16: 2,
  bool: 1,
};

/** The typed array that holds each dtype's elements. */
export type TensorData = {
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  float32: Float32Array;
  float64: Float64Array;
  /** IEEE-754 binary16 bit patterns (JavaScript has no float16 array on Node 20). */
  float16: Uint16Array;
  /** One byte per element, 0 (false) or 1 (true). */
  bool: Uint8Array;
};

/** A dense tensor in row-major order. */
export type Tensor<dtype extends TensorDtype = TensorDtype> = {
  [d in dtype]: { readonly dtype: d; readonly shape: readonly number[]; readonly data: TensorData[d] };
}[dtype];

/** Version byte that opens every canonical encoding. */
export const TENSOR_ENCODING_VERSION = 1;
/** Largest rank the encoding allows (rank is one byte). */
export const MAX_TENSOR_RANK = 255;

const DTYPE_BY_CODE = new Map<number, TensorDtype>(
  Object.entries(tensorDtypes).map(([name, code]) => [code, name as TensorDtype]),
);

/** Returns the dtype named by a one-byte code, or undefined. */
export function getTensorDtype(code: number): TensorDtype | undefined {
  return DTYPE_BY_CODE.get(code);
}

/** Number of elements a shape holds (1 for rank 0). */
export function getTensorSize(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** The typed array that holds each dtype's elements. */
export const tensorArrayConstructors = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  bool: Uint8Array,
} as const;

/** Builds a tensor from a dtype, a shape and element values (numbers, or bigints for int64). */
export function createTensor<dtype extends TensorDtype>(
  dtype: dtype,
  shape: readonly number[],
  values: ArrayLike<number> | ArrayLike<bigint>,
): Tensor<dtype> {
  const data = (
    tensorArrayConstructors[dtype] as unknown as { from(v: ArrayLike<number | bigint>): TensorData[dtype] }
  ).from(values);
  return { dtype, shape: [...shape], data } as unknown as Tensor<dtype>;
}

/**
 * Several named tensors, committed together (a model with several inputs or outputs). Names are 1..255 bytes of
 * UTF-8; the encoding orders them by their bytes, so the order of the keys here does not matter.
 */
export type TensorBundle = { readonly tensors: Readonly<Record<string, Tensor>> };

/** What a receipt's `inputHash` / `outputHash` commits: one unnamed tensor, or a bundle of named tensors. */
export type TensorPayload = Tensor | TensorBundle;

/** The single unnamed tensor of a payload; throws when the payload is a bundle (for one-output models). */
export function toSingleTensor(payload: TensorPayload): Tensor {
  if (isTensorBundle(payload)) {
    throw new TypeError(`Expected one unnamed tensor, got a bundle of ${Object.keys(payload.tensors).length}.`);
  }
  return payload;
}

/** True when the payload is a {@link TensorBundle} rather than a single unnamed tensor. */
export function isTensorBundle(payload: TensorPayload): payload is TensorBundle {
  return "tensors" in payload;
}
