import { InvalidTensorError } from "./errors";
import {
  MAX_TENSOR_RANK,
  TENSOR_ENCODING_VERSION,
  type Tensor,
  getTensorSize,
  tensorDtypeSizes,
  tensorDtypes,
} from "./tensor";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Checks that a tensor's shape and data agree; throws {@link InvalidTensorError} otherwise. */
export function assertTensor(tensor: Tensor): void {
  if (!(tensor.dtype in tensorDtypes)) throw new InvalidTensorError(`Unknown tensor dtype "${String(tensor.dtype)}".`);
  if (tensor.shape.length > MAX_TENSOR_RANK) {
    throw new InvalidTensorError("Tensor rank too large.", { details: `rank ${tensor.shape.length} > 255` });
  }
  for (const dim of tensor.shape) {
    if (!Number.isInteger(dim) || dim < 0 || dim > 0xffffffff) {
      throw new InvalidTensorError("Tensor dimension is not a uint32.", {
        details: `shape [${tensor.shape.join(",")}]`,
      });
    }
  }
  const size = getTensorSize(tensor.shape);
  if (tensor.data.length !== size) {
    throw new InvalidTensorError("Tensor data length does not match its shape.", {
      details: `shape [${tensor.shape.join(",")}] holds ${size} elements, data has ${tensor.data.length}`,
    });
  }
  if (tensor.dtype === "bool") assertBoolData(tensor.data);
}

/** A bool tensor holds one byte per element, 0 or 1: any other byte would give one value two encodings. */
export function assertBoolData(data: Uint8Array): void {
  for (let i = 0; i < data.length; i++) {
    if (data[i]! > 1) {
      throw new InvalidTensorError("Bool tensor element is neither 0 nor 1.", { details: `data[${i}] = ${data[i]}` });
    }
  }
}

/**
 * Encodes a tensor canonically (docs/protocol.md § Tensors):
 * `0x01 (version) ‖ dtype code (1 byte) ‖ rank (1 byte) ‖ each dim as uint32 LE ‖ elements little-endian`.
 * Floats are encoded by their IEEE-754 bit pattern as given (NaN payloads and -0 are kept); float16 elements are
 * given as their binary16 bit patterns; bool elements are bytes 0 or 1.
 */
export function encodeTensor(tensor: Tensor): Uint8Array {
  assertTensor(tensor);
  const rank = tensor.shape.length;
  const header = 3 + 4 * rank;
  const elementSize = tensorDtypeSizes[tensor.dtype];
  const out = new Uint8Array(header + tensor.data.length * elementSize);
  out[0] = TENSOR_ENCODING_VERSION;
  out[1] = tensorDtypes[tensor.dtype];
  out[2] = rank;
  const view = new DataView(out.buffer);
  for (let i = 0; i < rank; i++) view.setUint32(3 + 4 * i, tensor.shape[i]!, true);
  const data = tensor.data;
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.length * elementSize), header);
  } else {
    writeDataLittleEndian(view, header, tensor);
  }
  return out;
}

function writeDataLittleEndian(view: DataView, offset: number, tensor: Tensor): void {
  const n = tensor.data.length;
  for (let i = 0; i < n; i++) {
    const at = offset + i * tensorDtypeSizes[tensor.dtype];
    switch (tensor.dtype) {
      case "int8":
        view.setInt8(at, tensor.data[i]!);
        break;
      case "uint8":
      case "bool":
        view.setUint8(at, tensor.data[i]!);
        break;
      case "float16":
        view.setUint16(at, tensor.data[i]!, true);
        break;
      case "int16":
        view.setInt16(at, tensor.data[i]!, true);
        break;
      case "int32":
        view.setInt32(at, tensor.data[i]!, true);
        break;
      case "int64":
        view.setBigInt64(at, tensor.data[i]!, true);
        break;
      case "float32":
        view.setFloat32(at, tensor.data[i]!, true);
        break;
      case "float64":
        view.setFloat64(at, tensor.data[i]!, true);
        break;
    }
  }
}
