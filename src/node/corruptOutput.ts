import { hexToBigInt, keccak256, type Hex } from "viem";
import { createTensor, isTensorBundle, type TensorPayload } from "../protocol";

/**
 * Whether a request falls in the dishonest share (`--dishonest`, a test and demo mode): the first 8 bytes of
 * `keccak256(requestId)` read as a fraction of 2^64 are below `share`. Deterministic, so a restart or a replay of the
 * same request id makes the same choice, and spread evenly even for sequential ids.
 */
export function isDishonestRequest(requestId: Hex, share: number): boolean {
  if (share <= 0) return false;
  if (share >= 1) return true;
  const draw = hexToBigInt(keccak256(requestId).slice(0, 18) as Hex);
  return Number(draw) / 2 ** 64 < share;
}

/**
 * A wrong output of the same dtype and shape: the first element plus one (wrapping in integer dtypes), so an EXACT
 * replay and any tolerance below 1 both catch it. An empty tensor cannot be corrupted and is returned as is.
 */
export function corruptOutput<payload extends TensorPayload>(output: payload): payload;
export function corruptOutput(output: TensorPayload): TensorPayload {
  if (isTensorBundle(output)) {
    // The first named output (in encoding order) that can be corrupted.
    const names = Object.keys(output.tensors).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const name = names.find((n) => output.tensors[n]!.data.length > 0);
    return name === undefined
      ? output
      : { tensors: { ...output.tensors, [name]: corruptOutput(output.tensors[name]!) } };
  }
  if (output.data.length === 0) return output;
  if (output.dtype === "bool") {
    const data = Uint8Array.from(output.data);
    data[0] = data[0]! ^ 1;
    return { dtype: "bool", shape: output.shape, data };
  }
  if (output.dtype === "int64") {
    const data = Array.from(output.data);
    data[0] = BigInt.asIntN(64, data[0]! + 1n);
    return createTensor("int64", output.shape, data);
  }
  const data = Array.from(output.data as ArrayLike<number>);
  data[0] = data[0]! + 1;
  // The typed array wraps integers on overflow (127 + 1 -> -128 for int8).
  return createTensor(output.dtype, output.shape, data);
}
