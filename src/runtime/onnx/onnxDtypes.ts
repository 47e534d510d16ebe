import type { TensorDtype } from "../../protocol";

/** ONNX TensorProto.DataType codes (onnx.proto3), spelled out so services need not load onnx-proto to start. */
const T = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
} as const;
const NAMES = new Map<number, string>(Object.entries(T).map(([name, code]) => [code, name]));

/** ONNX element types Verity carries, by their TensorProto.DataType code. */
export const ONNX_DTYPES: ReadonlyMap<number, TensorDtype> = new Map<number, TensorDtype>([
  [T.FLOAT, "float32"],
  [T.FLOAT16, "float16"],
  [T.DOUBLE, "float64"],
  [T.INT64, "int64"],
  [T.INT32, "int32"],
  [T.INT16, "int16"],
  [T.INT8, "int8"],
  [T.UINT8, "uint8"],
  [T.BOOL, "bool"],
]);

/** The ONNX name of a TensorProto.DataType code (`STRING`, `BFLOAT16`, …) for messages. */
export function getOnnxDtypeName(code: number): string {
  return NAMES.get(code) ?? `code ${code}`;
}
