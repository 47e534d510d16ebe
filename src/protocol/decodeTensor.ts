import { assertBoolData } from "./encodeTensor";
import { InvalidTensorError } from "./errors";
import {
  TENSOR_ENCODING_VERSION,
  type Tensor,
  getTensorDtype,
  getTensorSize,
  tensorArrayConstructors,
  tensorDtypeSizes,
} from "./tensor";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Decodes a canonical tensor encoding (see {@link encodeTensor}); throws {@link InvalidTensorError} if malformed. */
export function decodeTensor(encoding: Uint8Array): Tensor {
  if (encoding.length < 3) throw new InvalidTensorError("Tensor encoding is shorter than its 3-byte header.");
  if (encoding[0] !== TENSOR_ENCODING_VERSION) {
    throw new InvalidTensorError("Unknown tensor encoding version.", { details: `version byte ${encoding[0]}` });
  }
  const dtype = getTensorDtype(encoding[1]!);
  if (dtype === undefined)
    throw new InvalidTensorError("Unknown tensor dtype code.", { details: `code ${encoding[1]}` });
  const rank = encoding[2]!;
  const header = 3 + 4 * rank;
  if (encoding.length < header) throw new InvalidTensorError("Tensor encoding is shorter than its shape header.");
  const view = new DataView(encoding.buffer, encoding.byteOffset, encoding.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(3 + 4 * i, true));
  const size = getTensorSize(shape);
  const elementSize = tensorDtypeSizes[dtype];
  if (encoding.length !== header + size * elementSize) {
    throw new InvalidTensorError("Tensor data length does not match its shape.", {
      details: `shape [${shape.join(",")}] needs ${size * elementSize} data bytes, got ${encoding.length - header}`,
    });
  }
  // Copy the data bytes to an aligned buffer; on little-endian hosts the typed arrays view it directly (float bit
  // patterns, NaN payloads included, survive untouched).
  const bytes = encoding.slice(header);
  if (dtype === "bool") {
    assertBoolData(bytes);
    return { dtype, shape, data: bytes };
  }
  if (LITTLE_ENDIAN) {
    return { dtype, shape, data: new tensorArrayConstructors[dtype](bytes.buffer, 0, size) } as Tensor;
  }
  const read = (i: number) => header + i * elementSize;
  switch (dtype) {
    case "int8":
      return { dtype, shape, data: Int8Array.from({ length: size }, (_, i) => view.getInt8(read(i))) };
    case "uint8":
      return { dtype, shape, data: encoding.slice(header) };
    case "int16":
      return { dtype, shape, data: Int16Array.from({ length: size }, (_, i) => view.getInt16(read(i), true)) };
    case "float16":
      return { dtype, shape, data: Uint16Array.from({ length: size }, (_, i) => view.getUint16(read(i), true)) };
    case "int32":
      return { dtype, shape, data: Int32Array.from({ length: size }, (_, i) => view.getInt32(read(i), true)) };
    case "int64": {
      const data = new BigInt64Array(size);
      for (let i = 0; i < size; i++) data[i] = view.getBigInt64(read(i), true);
      return { dtype, shape, data };
    }
    case "float32":
      return { dtype, shape, data: Float32Array.from({ length: size }, (_, i) => view.getFloat32(read(i), true)) };
    case "float64":
      return { dtype, shape, data: Float64Array.from({ length: size }, (_, i) => view.getFloat64(read(i), true)) };
  }
}
