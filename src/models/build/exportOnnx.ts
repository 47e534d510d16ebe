import { onnx } from "onnx-proto";
import type { FloatMlp } from "./trainMlp";

const FLOAT = onnx.TensorProto.DataType.FLOAT;

function initializer(name: string, dims: number[], values: readonly number[]): onnx.ITensorProto {
  const data = Float32Array.from(values);
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer) };
}

function valueInfo(name: string, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/**
 * Exports the float MLP as an ONNX model (IR 8, opset 13), float32, input `features [N,4]` (raw centimetres),
 * output `logits [N,3]`: `Gemm(Relu(Gemm((x - mean) * (1/std), W1, b1)), W2, b2)` with `transB = 1`.
 * The protobuf bytes are deterministic for a given model (fixed field order, no timestamps).
 */
export function exportMlpToOnnx(mlp: FloatMlp): Uint8Array {
  const inputs = mlp.mean.length;
  const hidden = mlp.w1.length;
  const classes = mlp.w2.length;
  const transB: onnx.IAttributeProto = { name: "transB", type: onnx.AttributeProto.AttributeType.INT, i: 1 };
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: "verity",
    producerVersion: "1",
    opsetImport: [{ domain: "", version: 13 }],
    graph: {
      name: "iris_mlp",
      initializer: [
        initializer("mean", [inputs], mlp.mean),
        initializer(
          "inv_std",
          [inputs],
          mlp.std.map((s) => 1 / s),
        ),
        initializer("w1", [hidden, inputs], mlp.w1.flat()),
        initializer("b1", [hidden], mlp.b1),
        initializer("w2", [classes, hidden], mlp.w2.flat()),
        initializer("b2", [classes], mlp.b2),
      ],
      node: [
        { opType: "Sub", input: ["features", "mean"], output: ["centered"], name: "center" },
        { opType: "Mul", input: ["centered", "inv_std"], output: ["z"], name: "scale" },
        { opType: "Gemm", input: ["z", "w1", "b1"], output: ["pre"], name: "dense1", attribute: [transB] },
        { opType: "Relu", input: ["pre"], output: ["hidden"], name: "relu1" },
        { opType: "Gemm", input: ["hidden", "w2", "b2"], output: ["logits"], name: "dense2", attribute: [transB] },
      ],
      input: [valueInfo("features", ["N", inputs])],
      output: [valueInfo("logits", ["N", classes])],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
