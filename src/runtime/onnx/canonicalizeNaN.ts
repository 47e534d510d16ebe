import { isTensorBundle, type Tensor, type TensorPayload } from "../../protocol";

/**
 * Replaces every NaN by the one canonical quiet NaN of its width (float32 `0x7fc00000`, float64
 * `0x7ff8000000000000`, float16 `0x7e00`). WebAssembly leaves the sign and payload of a NaN produced by arithmetic
 * nondeterministic; everything else about its float results is fixed, so this makes outputs bit-exact.
 */
export function canonicalizeNaN(payload: TensorPayload): TensorPayload {
  if (isTensorBundle(payload)) {
    return {
      tensors: Object.fromEntries(Object.entries(payload.tensors).map(([n, t]) => [n, canonicalizeTensor(t)])),
    };
  }
  return canonicalizeTensor(payload);
}

function canonicalizeTensor(tensor: Tensor): Tensor {
  switch (tensor.dtype) {
    case "float32": {
      const bits = new Uint32Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.length);
      for (let i = 0; i < bits.length; i++) if ((bits[i]! & 0x7fffffff) > 0x7f800000) bits[i] = 0x7fc00000;
      return tensor;
    }
    case "float64": {
      const data = tensor.data;
      const bits = new BigUint64Array(data.buffer, data.byteOffset, data.length);
      for (let i = 0; i < data.length; i++) if (Number.isNaN(data[i])) bits[i] = 0x7ff8000000000000n;
      return tensor;
    }
    case "float16": {
      const data = tensor.data;
      for (let i = 0; i < data.length; i++) if ((data[i]! & 0x7fff) > 0x7c00) data[i] = 0x7e00;
      return tensor;
    }
    default:
      return tensor;
  }
}
