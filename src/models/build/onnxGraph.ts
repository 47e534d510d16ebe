import { onnx } from "onnx-proto";

const T = onnx.TensorProto.DataType;
/** ONNX element type codes by Verity dtype name, for building fixtures. */
export const onnxElementTypes = {
  float32: T.FLOAT,
  float16: T.FLOAT16,
  float64: T.DOUBLE,
  int64: T.INT64,
  int32: T.INT32,
  int16: T.INT16,
  int8: T.INT8,
  uint8: T.UINT8,
  bool: T.BOOL,
} as const;
export type OnnxElementType = keyof typeof onnxElementTypes;

/** A float32 initializer (raw little-endian data). */
export function floatInitializer(name: string, dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
  const data = Float32Array.from(values);
  return { name, dims, dataType: T.FLOAT, rawData: new Uint8Array(data.buffer) };
}

/** An int64 initializer (raw little-endian data). */
export function int64Initializer(name: string, dims: number[], values: readonly bigint[]): onnx.ITensorProto {
  const data = BigInt64Array.from(values);
  return { name, dims, dataType: T.INT64, rawData: new Uint8Array(data.buffer) };
}

/** A graph input or output: element type and dims (numbers fixed, strings named dynamic dimensions). */
export function valueInfo(name: string, type: OnnxElementType, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnxElementTypes[type],
        shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/** An INT or INTS attribute. */
export function intAttribute(name: string, value: number | number[]): onnx.IAttributeProto {
  return Array.isArray(value)
    ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: value }
    : { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

/** A FLOAT attribute. */
export function floatAttribute(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value };
}

/** One node. */
export function node(
  opType: string,
  name: string,
  input: string[],
  output: string[],
  attribute: onnx.IAttributeProto[] = [],
): onnx.INodeProto {
  return { opType, name, input, output, attribute };
}

/** Serializes a graph as a model (IR 8, opset 13, producer "verity"); deterministic bytes. */
export function encodeOnnxModel(graph: onnx.IGraphProto, opset = 13): Uint8Array {
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: "verity",
    producerVersion: "1",
    opsetImport: [{ domain: "", version: opset }],
    graph,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
