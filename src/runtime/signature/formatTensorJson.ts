import { isTensorBundle, type Tensor, type TensorPayload } from "../../protocol";
import { fromFloat16Bits } from "./float16";

/** A tensor as written in JSON answers: int64 elements as decimal strings, everything else as numbers. */
export type TensorJsonOut = { dtype: Tensor["dtype"]; shape: number[]; data: (number | string)[] };

/**
 * The JSON form of a tensor, which `parseTensorJson` reads back to the same tensor (and the same hash). Non-finite
 * floats are written `"NaN"`, `"Infinity"` and `"-Infinity"` (JSON has no such numbers: `JSON.stringify` would write
 * `null`), and negative zero `"-0"` (`JSON.stringify` writes `0`, which hashes differently); a NaN reads back as the one canonical NaN, so an output holding another NaN bit pattern can't be re-hashed
 * from its JSON.
 */
export function formatTensorJson(tensor: Tensor): TensorJsonOut {
  const data =
    tensor.dtype === "int64"
      ? Array.from(tensor.data, (v) => v.toString(10))
      : tensor.dtype === "float16"
        ? Array.from(tensor.data, (bits) => finiteOrWord(fromFloat16Bits(bits)))
        : tensor.dtype === "float32" || tensor.dtype === "float64"
          ? Array.from(tensor.data as ArrayLike<number>, finiteOrWord)
          : Array.from(tensor.data as ArrayLike<number>);
  return { dtype: tensor.dtype, shape: [...tensor.shape], data };
}

function finiteOrWord(value: number): number | string {
  if (Object.is(value, -0)) return "-0";
  return Number.isFinite(value) ? value : String(value);
}

/** An output as the answer's JSON: `{ output }` for one unnamed tensor, `{ outputs: { name: tensor } }` for a bundle. */
export function formatPayloadJson(
  payload: TensorPayload,
): { output: TensorJsonOut } | { outputs: Record<string, TensorJsonOut> } {
  if (!isTensorBundle(payload)) return { output: formatTensorJson(payload) };
  return {
    outputs: Object.fromEntries(
      Object.entries(payload.tensors).map(([name, tensor]) => [name, formatTensorJson(tensor)]),
    ),
  };
}
