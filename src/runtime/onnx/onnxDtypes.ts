import { onnx } from "onnx-proto";
import type { TensorDtype } from "../../protocol";

const T = onnx.TensorProto.DataType;

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
  return (T as unknown as Record<number, string>)[code] ?? `code ${code}`;
}
