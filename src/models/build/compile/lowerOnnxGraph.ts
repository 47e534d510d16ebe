import type { onnx } from "onnx-proto";
import { ModelFormatError, readOnnxSignature } from "../../../runtime";
import { decodeOnnxModel } from "../../../runtime/onnx/readOnnxSignature";
import {
  MAX_CONV_KERNEL,
  MAX_CONV_STRIDE,
  MAX_POOL_KERNEL,
  MAX_POOL_STRIDE,
  type Shape3,
} from "../../../runtime/integerV2";
import { CompileRefusedError, type UnsupportedNode, unsupportedNodesError } from "./compileErrors";
import type { FloatLayer, FloatModel } from "./floatLayers";

/** How one ONNX node became runtime-v2 layers (the CLI prints these rows). */
export type OpMappingRow = { node: string; opType: string; v2: string };

/** The lowered graph: the float chain, the graph's input, the value holding the logits, the output op. */
export type LoweredOnnxGraph = {
  model: FloatModel;
  input: { name: string; onnxShape: number[] };
  /** The graph value whose contents are the v2 model's last tensor (before a dropped Softmax / an ArgMax). */
  logitsValue: string;
  outputOp: "identity" | "argmax";
  mapping: OpMappingRow[];
};

/** Op types the compiler maps (anything else is refused, naming the node). */
export const SUPPORTED_OPS = [
  "Gemm",
  "MatMul",
  "Conv",
  "Add",
  "Relu",
  "MaxPool",
  "AveragePool",
  "GlobalAveragePool",
  "GlobalMaxPool",
  "Flatten",
  "Reshape",
  "BatchNormalization",
  "Softmax",
  "LogSoftmax",
  "ArgMax",
  "Sub",
  "Mul",
  "Div",
  "Identity",
  "Dropout",
  "Constant",
] as const;

const ADVICE: Record<string, string> = {
  Sigmoid: "runtime v2's only nonlinearity is Relu: replace Sigmoid by Relu before export (and retrain)",
  Tanh: "runtime v2's only nonlinearity is Relu: replace Tanh by Relu before export (and retrain)",
  LeakyRelu: "replace LeakyRelu by Relu before export (and retrain)",
  PRelu: "replace PRelu by Relu before export (and retrain)",
  Elu: "replace Elu by Relu before export (and retrain)",
  Selu: "replace Selu by Relu before export (and retrain)",
  Gelu: "replace Gelu by Relu before export (and retrain)",
  HardSigmoid: "replace HardSigmoid by Relu before export (and retrain)",
  HardSwish: "replace HardSwish by Relu before export (and retrain)",
  Clip: "replace Clip/ReLU6 by Relu before export (and retrain)",
  LSTM: "recurrent layers are not supported by runtime v2 (feed-forward Conv/Gemm chains only)",
  GRU: "recurrent layers are not supported by runtime v2 (feed-forward Conv/Gemm chains only)",
  RNN: "recurrent layers are not supported by runtime v2 (feed-forward Conv/Gemm chains only)",
  Concat: "runtime v2 is a chain of layers joined only by residual Add; Concat is not supported",
  Transpose: "not supported by runtime v2: export in NCHW so no Transpose is needed",
  Pad: "fold the padding into the Conv's pads attribute before export",
  Squeeze: "replace Squeeze by Flatten before export",
  Unsqueeze: "not supported by runtime v2: remove it, or run onnx-simplifier to fold shape computations",
  Shape: "shape computations are not supported: export with static shapes or run onnx-simplifier (constant folding)",
  Gather: "not supported by runtime v2 (no indexing ops); for x.view(x.size(0), -1) run onnx-simplifier",
  ConvTranspose: "not supported by runtime v2 (no transposed convolution)",
  LayerNormalization: "not supported by runtime v2 (only BatchNormalization directly after Conv/Gemm is folded)",
  InstanceNormalization: "not supported by runtime v2 (only BatchNormalization directly after Conv/Gemm is folded)",
  QuantizeLinear: "give the float model: the compiler quantizes it itself",
  DequantizeLinear: "give the float model: the compiler quantizes it itself",
};

type Constant = { dims: number[]; values: Float64Array };
/** A graph value: float tensor `t` of the chain, in NCHW (rank 4) or NF (rank 2) form; `affine` marks the graph input
 * with a pending per-channel `a · x + b` (preprocessing folded into the first Conv/Gemm). */
type Value = { t: number; shape: Shape3; rank: 2 | 4; affine?: { a: Float64Array; b: Float64Array } };

const DATA_TYPE = { FLOAT: 1, INT64: 7, DOUBLE: 11, INT32: 6 } as const;

function readTensor(tensor: onnx.ITensorProto): Constant {
  const dims = (tensor.dims ?? []).map((d) => Number(d.toString()));
  const size = dims.reduce((a, b) => a * b, 1);
  const raw = tensor.rawData && tensor.rawData.length > 0 ? tensor.rawData : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const values = new Float64Array(size);
  switch (tensor.dataType) {
    case DATA_TYPE.FLOAT:
      for (let i = 0; i < size; i++) values[i] = view ? view.getFloat32(4 * i, true) : tensor.floatData![i]!;
      break;
    case DATA_TYPE.DOUBLE:
      for (let i = 0; i < size; i++) values[i] = view ? view.getFloat64(8 * i, true) : tensor.doubleData![i]!;
      break;
    case DATA_TYPE.INT64:
      for (let i = 0; i < size; i++)
        values[i] = view ? Number(view.getBigInt64(8 * i, true)) : Number(tensor.int64Data![i]!.toString());
      break;
    case DATA_TYPE.INT32:
      for (let i = 0; i < size; i++) values[i] = view ? view.getInt32(4 * i, true) : tensor.int32Data![i]!;
      break;
    default:
      throw new CompileRefusedError(
        `The constant "${tensor.name ?? ""}" has ONNX element type ${tensor.dataType}; the compiler reads float32, float64, int32 and int64 constants.`,
      );
  }
  return { dims, values };
}

function getAttribute(node: onnx.INodeProto, name: string): onnx.IAttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}
function getInt(node: onnx.INodeProto, name: string, fallback: number): number {
  const a = getAttribute(node, name);
  return a?.i === undefined || a.i === null ? fallback : Number(a.i.toString());
}
function getInts(node: onnx.INodeProto, name: string): number[] | undefined {
  const a = getAttribute(node, name);
  return a?.ints && a.ints.length > 0 ? a.ints.map((v) => Number(v.toString())) : undefined;
}
function getFloat(node: onnx.INodeProto, name: string, fallback: number): number {
  const a = getAttribute(node, name);
  return a?.f === undefined || a.f === null ? fallback : a.f;
}
function getString(node: onnx.INodeProto, name: string): string | undefined {
  const a = getAttribute(node, name);
  return a?.s && a.s.length > 0 ? Buffer.from(a.s).toString("utf8") : undefined;
}

/** Attribute-level checks that need no shapes, so every such problem is listed at once. */
function checkNodeStatically(node: onnx.INodeProto, isLast: boolean): string | undefined {
  const op = node.opType ?? "";
  if (node.domain && node.domain !== "" && node.domain !== "ai.onnx") {
    return `custom domain "${node.domain}" is not supported by runtime v2`;
  }
  if (!(SUPPORTED_OPS as readonly string[]).includes(op)) {
    return ADVICE[op] ?? `${op} is not supported by runtime v2 (supported: ${SUPPORTED_OPS.join(", ")})`;
  }
  const autoPad = getString(node, "auto_pad");
  if (autoPad !== undefined && autoPad !== "NOTSET" && autoPad !== "VALID") {
    return `auto_pad ${autoPad} is not supported: export with explicit pads`;
  }
  if (op === "Conv") {
    if (getInt(node, "group", 1) !== 1) return "grouped/depthwise Conv (group > 1) is not supported by runtime v2";
    if ((getInts(node, "dilations") ?? []).some((d) => d !== 1)) return "dilated Conv is not supported by runtime v2";
  }
  if (op === "MaxPool" || op === "AveragePool") {
    if (getInt(node, "ceil_mode", 0) !== 0) return "ceil_mode 1 is not supported: export with ceil_mode 0";
    if ((getInts(node, "dilations") ?? []).some((d) => d !== 1)) return "dilated pooling is not supported";
    if ((getInts(node, "pads") ?? []).some((p) => p !== 0)) return "padded pooling is not supported by runtime v2";
    if ((node.output ?? []).filter((o) => o !== "").length > 1) return "the MaxPool indices output is not supported";
  }
  if (op === "Gemm" && getInt(node, "transA", 0) !== 0) return "Gemm with transA = 1 is not supported";
  if ((op === "Softmax" || op === "LogSoftmax" || op === "ArgMax") && !isLast) {
    return `${op} is supported only at the end of the graph (as the output op)`;
  }
  if (op === "ArgMax" && getInt(node, "select_last_index", 0) !== 0) {
    return "ArgMax with select_last_index 1 is not supported (runtime v2 takes the first maximum)";
  }
  return undefined;
}

const shapeText = (s: readonly number[]) => `[${s.join(",")}]`;

/**
 * Lowers a float ONNX graph (one float32 input of batch 1, one output) to a runtime-v2 float chain, or throws
 * {@link CompileRefusedError}: every node with an unsupported op or attribute listed at once, else the first
 * shape-level problem, naming the node. BatchNormalization, a constant Add after Conv/Gemm/MatMul and constant
 * Sub/Mul/Div/Add on the graph input are folded exactly into weights and biases.
 */
export function lowerOnnxGraph(artifact: Uint8Array): LoweredOnnxGraph {
  try {
    readOnnxSignature(artifact, { requireMaxDims: false });
  } catch (error) {
    if (error instanceof ModelFormatError) throw new CompileRefusedError(error.shortMessage, [], error.details);
    throw error;
  }
  const graph = decodeOnnxModel(artifact).graph!;
  const nodes = graph.node ?? [];
  const constants = new Map<string, Constant>();
  for (const t of graph.initializer ?? []) constants.set(t.name ?? "", readTensor(t));

  // Tail: trailing Softmax / LogSoftmax / ArgMax feeding the (single) graph output.
  const outputs = graph.output ?? [];
  const tail = new Set<onnx.INodeProto>();
  let logitsValue = outputs[0]?.name ?? "";
  let outputOp: "identity" | "argmax" = "identity";
  while (outputs.length === 1) {
    const producer = nodes.find((n) => (n.output ?? []).includes(logitsValue));
    if (!producer || !["Softmax", "LogSoftmax", "ArgMax"].includes(producer.opType ?? "")) break;
    if (producer.opType === "ArgMax") outputOp = "argmax";
    tail.add(producer);
    logitsValue = producer.input![0]!;
  }

  const unsupported: UnsupportedNode[] = [];
  for (const node of nodes) {
    const reason = checkNodeStatically(node, tail.has(node));
    if (reason) unsupported.push({ node: node.name || `#${nodes.indexOf(node)}`, opType: node.opType ?? "", reason });
  }
  if (unsupported.length > 0) throw unsupportedNodesError(unsupported);
  if (outputs.length !== 1) {
    throw new CompileRefusedError(`The graph has ${outputs.length} outputs; runtime v2 models have exactly one.`);
  }

  const initializers = new Set(constants.keys());
  const graphInputs = (graph.input ?? []).filter((i) => !initializers.has(i.name ?? ""));
  if (graphInputs.length !== 1) {
    throw new CompileRefusedError(`The graph has ${graphInputs.length} inputs; runtime v2 models take exactly one.`);
  }
  const inputInfo = graphInputs[0]!;
  const inputName = inputInfo.name ?? "";
  const tensorType = inputInfo.type!.tensorType!;
  if (tensorType.elemType !== DATA_TYPE.FLOAT) {
    throw new CompileRefusedError(`The input "${inputName}" is not float32; the compiler quantizes float32 models.`);
  }
  const dims = (tensorType.shape?.dim ?? []).map((d, axis) => {
    if (d.dimValue !== undefined && d.dimValue !== null && !d.dimParam) return Number(d.dimValue.toString());
    if (axis === 0) return 1; // a dynamic batch compiles as batch 1
    throw new CompileRefusedError(
      `The input "${inputName}" has a dynamic dimension at axis ${axis} (${d.dimParam ?? "unnamed"}); runtime v2 models have fixed shapes: export with a fixed size.`,
    );
  });
  if (!((dims.length === 2 || dims.length === 4) && dims[0] === 1)) {
    throw new CompileRefusedError(
      `The input "${inputName}" has shape ${shapeText(dims)}; the compiler takes [1, features] or [1, C, H, W] (batch 1 or dynamic).`,
    );
  }
  const inputShape: Shape3 = dims.length === 4 ? [dims[1]!, dims[2]!, dims[3]!] : [dims[1]!, 1, 1];

  const consumers = new Map<string, number>();
  for (const node of nodes) for (const i of node.input ?? []) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  consumers.set(logitsValue, (consumers.get(logitsValue) ?? 0) + 1);

  const layers: FloatLayer[] = [];
  const mapping: OpMappingRow[] = [];
  const values = new Map<string, Value>();
  const channels = inputShape[0];
  values.set(inputName, {
    t: 0,
    shape: inputShape,
    rank: dims.length as 2 | 4,
    affine: { a: new Float64Array(channels).fill(1), b: new Float64Array(channels) },
  });
  /** The linear layer that produced each value, while still foldable (its output used once, nothing after it). */
  const foldable = new Map<string, number>();

  for (const node of nodes) {
    const op = node.opType ?? "";
    const name = node.name || `#${nodes.indexOf(node)}`;
    const refuse = (reason: string): never => {
      throw unsupportedNodesError([{ node: name, opType: op, reason }]);
    };
    const row = (v2: string) => mapping.push({ node: name, opType: op, v2 });
    const inputs = node.input ?? [];
    const output = node.output?.[0] ?? "";
    if (tail.has(node)) {
      row(
        op === "ArgMax"
          ? "output op argmax (first maximum; the model outputs the class index)"
          : `dropped: the v2 model outputs the logits (${op} is monotone, the top class is unchanged)`,
      );
      continue;
    }
    if (op === "Constant") {
      const t = getAttribute(node, "value")?.t;
      if (!t) refuse("only Constant nodes with a tensor value are supported");
      constants.set(output, readTensor(t!));
      row("constant (folded)");
      continue;
    }
    const value = (index: number): Value => {
      const v = values.get(inputs[index] ?? "");
      if (!v) {
        if (constants.has(inputs[index] ?? "")) refuse(`input ${index} is a constant where an activation is expected`);
        refuse(`reads "${inputs[index]}", which the compiler could not map`);
      }
      return v!;
    };
    const latest = layers.length;
    const chained = (v: Value) => {
      if (v.affine && v.t === 0 && !isIdentityAffine(v.affine) && !["Gemm", "MatMul", "Conv"].includes(op)) {
        refuse("the graph input's preprocessing (constant Sub/Mul/Div/Add) must feed a Conv/Gemm/MatMul directly");
      }
      if (v.t !== latest) {
        refuse(
          "it reads a tensor other than the previous layer's output: runtime v2 runs a chain (only Add may also read one earlier tensor)",
        );
      }
    };
    const push = (layer: FloatLayer, rank: 2 | 4, v2: string) => {
      layers.push(layer);
      values.set(output, { t: layers.length, shape: layer.outShape, rank });
      row(v2);
    };
    const alias = (v: Value, v2: string) => {
      values.set(output, v);
      if (foldable.has(inputs[0]!)) foldable.set(output, foldable.get(inputs[0]!)!);
      row(v2);
    };

    switch (op) {
      case "Identity":
      case "Dropout":
        alias(value(0), "none (identity at inference)");
        break;
      case "Gemm":
      case "MatMul": {
        const x = value(0);
        chained(x);
        if (x.rank !== 2) refuse(`its input has rank 4 ${shapeText([1, ...x.shape])}: Flatten it first`);
        const B = constants.get(inputs[1] ?? "");
        if (!B || B.dims.length !== 2) refuse("the weight matrix (input B) must be a 2-D initializer");
        const transB = op === "Gemm" ? getInt(node, "transB", 0) : 0;
        const alpha = op === "Gemm" ? getFloat(node, "alpha", 1) : 1;
        const beta = op === "Gemm" ? getFloat(node, "beta", 1) : 1;
        const [rows, cols] = B!.dims as [number, number];
        const n = x.shape[0];
        const out = transB ? rows : cols;
        if ((transB ? cols : rows) !== n) refuse(`weights ${shapeText(B!.dims)} don't match ${n} input features`);
        const weights = new Float64Array(out * n);
        for (let o = 0; o < out; o++)
          for (let i = 0; i < n; i++) weights[o * n + i] = alpha * B!.values[transB ? o * cols + i : i * cols + o]!;
        const bias = new Float64Array(out);
        if (op === "Gemm" && inputs[2]) {
          const C = constants.get(inputs[2]);
          if (!C) refuse("the bias (input C) must be an initializer");
          if (C!.values.length !== out && C!.values.length !== 1) refuse(`bias ${shapeText(C!.dims)} != [${out}]`);
          for (let o = 0; o < out; o++) bias[o] = beta * C!.values[C!.values.length === 1 ? 0 : o]!;
        }
        const layer: FloatLayer = { op: "dense", inShape: x.shape, outShape: [out, 1, 1], weights, bias };
        const folded = foldInputAffine(layer, x, refuse);
        push(layer, 2, `dense ${n}→${out} (int8 weights, int32 bias)${folded}`);
        if (consumers.get(output) === 1) foldable.set(output, layers.length);
        break;
      }
      case "Conv": {
        const x = value(0);
        chained(x);
        if (x.rank !== 4) refuse("its input is not NCHW");
        const Wt = constants.get(inputs[1] ?? "");
        if (!Wt || Wt.dims.length !== 4) refuse("the kernel (input W) must be a 4-D initializer (2-D Conv only)");
        const [O, Ci, kh, kw] = Wt!.dims as [number, number, number, number];
        const kernelShape = getInts(node, "kernel_shape") ?? [kh, kw];
        if (kh !== kw || kernelShape[0] !== kernelShape[1]) refuse(`kernel ${kh}×${kw} is not square`);
        if (Ci !== x.shape[0]) refuse(`kernel has ${Ci} input channels, the input ${x.shape[0]}`);
        const strides = getInts(node, "strides") ?? [1, 1];
        if (strides[0] !== strides[1]) refuse(`strides ${shapeText(strides)} differ`);
        const pads =
          getAttribute(node, "auto_pad") && getString(node, "auto_pad") === "VALID"
            ? [0, 0, 0, 0]
            : (getInts(node, "pads") ?? [0, 0, 0, 0]);
        if (pads.some((p) => p !== pads[0])) refuse(`pads ${shapeText(pads)} are not equal on every border`);
        const [k, s, p] = [kh, strides[0]!, pads[0]!];
        if (k > MAX_CONV_KERNEL) refuse(`kernel ${k} > ${MAX_CONV_KERNEL}, the largest runtime v2 takes`);
        if (s > MAX_CONV_STRIDE) refuse(`stride ${s} > ${MAX_CONV_STRIDE}, the largest runtime v2 takes`);
        if (p >= k) refuse(`pad ${p} ≥ kernel ${k}; runtime v2 takes pads below the kernel size`);
        const outH = Math.floor((x.shape[1] + 2 * p - k) / s) + 1;
        const outW = Math.floor((x.shape[2] + 2 * p - k) / s) + 1;
        const bias = new Float64Array(O);
        if (inputs[2]) {
          const B = constants.get(inputs[2]);
          if (!B || B.values.length !== O) refuse("the bias (input B) must be an initializer of one value per channel");
          bias.set(B!.values);
        }
        const layer: FloatLayer = {
          op: "conv2d",
          inShape: x.shape,
          outShape: [O, outH, outW],
          kernel: k,
          stride: s,
          pad: p,
          weights: Float64Array.from(Wt!.values),
          bias,
        };
        const folded = foldInputAffine(layer, x, refuse);
        push(layer, 4, `conv2d ${Ci}→${O} k${k} s${s} p${p} (int8 weights, int32 bias)${folded}`);
        if (consumers.get(output) === 1) foldable.set(output, layers.length);
        break;
      }
      case "BatchNormalization": {
        const k = foldable.get(inputs[0] ?? "");
        if (k === undefined || k !== layers.length) {
          refuse("only a BatchNormalization directly after a Conv/Gemm/MatMul (whose output it alone reads) is folded");
        }
        const [scale, beta, mean, variance] = [1, 2, 3, 4].map((i) => constants.get(inputs[i] ?? ""));
        if (!scale || !beta || !mean || !variance) refuse("scale, B, mean and var must be initializers");
        const eps = getFloat(node, "epsilon", 1e-5);
        const layer = layers[k! - 1] as Extract<FloatLayer, { op: "dense" | "conv2d" }>;
        const rows = layer.bias.length;
        if (scale!.values.length !== rows) refuse(`${scale!.values.length} channels, the layer has ${rows}`);
        const perRow = layer.weights.length / rows;
        for (let o = 0; o < rows; o++) {
          const f = scale!.values[o]! / Math.sqrt(variance!.values[o]! + eps);
          for (let i = 0; i < perRow; i++) layer.weights[o * perRow + i]! *= f;
          layer.bias[o] = (layer.bias[o]! - mean!.values[o]!) * f + beta!.values[o]!;
        }
        alias(value(0), `folded into the weights and bias of layer ${k}`);
        foldable.set(output, k!);
        if (consumers.get(output) !== 1) foldable.delete(output);
        break;
      }
      case "Add":
      case "Sub":
      case "Mul":
      case "Div": {
        const constIndex = constants.has(inputs[1] ?? "") ? 1 : constants.has(inputs[0] ?? "") ? 0 : -1;
        if (constIndex < 0) {
          if (op !== "Add") refuse(`${op} of two activations is not supported by runtime v2`);
          const [a, b] = [value(0), value(1)];
          const [prev, skip] = a.t === latest ? [a, b] : [b, a];
          if (prev.t !== latest || skip.t >= latest) {
            refuse(
              "a residual Add needs one operand to be the previous layer's output and the other an earlier tensor",
            );
          }
          if (prev.affine && !isIdentityAffine(prev.affine)) refuse("Add on the preprocessed graph input");
          if (skip.affine && !isIdentityAffine(skip.affine)) refuse("Add on the preprocessed graph input");
          if (prev.shape.join() !== skip.shape.join()) {
            refuse(`operands ${shapeText(prev.shape)} and ${shapeText(skip.shape)} differ (no broadcasting)`);
          }
          push(
            { op: "add", inShape: prev.shape, outShape: prev.shape, src: skip.t },
            prev.rank,
            `add (residual, src tensor ${skip.t}; rescaled to the skip tensor's scale)`,
          );
          break;
        }
        const x = value(1 - constIndex);
        const c = constants.get(inputs[constIndex]!)!;
        const k = foldable.get(inputs[1 - constIndex]!);
        if (op === "Add" && k !== undefined && k === layers.length) {
          const layer = layers[k - 1] as Extract<FloatLayer, { op: "dense" | "conv2d" }>;
          const per = broadcastPerChannel(c, layer.bias.length, layer.op === "conv2d" ? 4 : 2, refuse);
          for (let o = 0; o < layer.bias.length; o++) layer.bias[o] = layer.bias[o]! + per[o]!;
          alias(x, `folded into the bias of layer ${k}`);
          if (consumers.get(output) !== 1) foldable.delete(output);
          break;
        }
        if (x.t !== 0 || !x.affine) {
          refuse(
            `${op} by a constant is supported only as the bias of the preceding Conv/Gemm/MatMul (Add) or as preprocessing of the graph input before the first Conv/Gemm/MatMul`,
          );
        }
        const per = broadcastPerChannel(c, x.shape[0], x.rank, refuse);
        const a = Float64Array.from(x.affine!.a);
        const b = Float64Array.from(x.affine!.b);
        for (let i = 0; i < a.length; i++) {
          const v = per[i]!;
          if (op === "Add") b[i] = b[i]! + v;
          else if (op === "Sub" && constIndex === 1) b[i] = b[i]! - v;
          else if (op === "Sub") [a[i], b[i]] = [-a[i]!, v - b[i]!];
          else if (op === "Mul") [a[i], b[i]] = [a[i]! * v, b[i]! * v];
          else if (constIndex === 1) [a[i], b[i]] = [a[i]! / v, b[i]! / v];
          else refuse("dividing a constant by the input is not supported");
        }
        values.set(output, { ...x, affine: { a, b } });
        row("input preprocessing: folded into the first Conv/Gemm/MatMul");
        break;
      }
      case "Relu": {
        const x = value(0);
        chained(x);
        push({ op: "relu", inShape: x.shape, outShape: x.shape }, x.rank, "relu");
        break;
      }
      case "MaxPool":
      case "AveragePool":
      case "GlobalAveragePool":
      case "GlobalMaxPool": {
        const x = value(0);
        chained(x);
        if (x.rank !== 4) refuse("its input is not NCHW");
        const global = op.startsWith("Global");
        const [C, H, W] = x.shape;
        const kernel = global ? [H, W] : (getInts(node, "kernel_shape") ?? []);
        const strides = global ? kernel : (getInts(node, "strides") ?? [1, 1]);
        if (kernel[0] !== kernel[1])
          refuse(`window ${kernel.join("×")} is not square${global ? " (the input is not square)" : ""}`);
        if (strides[0] !== strides[1]) refuse(`strides ${shapeText(strides)} differ`);
        const k = kernel[0]!;
        const s = global ? 1 : strides[0]!;
        if (k > MAX_POOL_KERNEL) {
          refuse(
            `window ${k}×${k} > ${MAX_POOL_KERNEL}×${MAX_POOL_KERNEL}, the largest runtime v2 pools` +
              (global ? ": downsample to at most 4×4 (strided Conv or MaxPool) before the global pool" : ""),
          );
        }
        if (s > MAX_POOL_STRIDE) refuse(`stride ${s} > ${MAX_POOL_STRIDE}`);
        const outShape: Shape3 = [C, Math.floor((H - k) / s) + 1, Math.floor((W - k) / s) + 1];
        const v2op = op.includes("Max") ? "maxPool" : "avgPool";
        push(
          { op: v2op, inShape: x.shape, outShape, kernel: k, stride: s },
          4,
          `${v2op} k${k} s${s}${v2op === "avgPool" ? " (integer mean, rounded half up)" : ""}`,
        );
        break;
      }
      case "Flatten":
      case "Reshape": {
        const x = value(0);
        if (op === "Flatten" && getInt(node, "axis", 1) !== 1) refuse("only Flatten with axis 1 is supported");
        if (op === "Reshape") {
          const target = constants.get(inputs[1] ?? "");
          if (!target) refuse("the target shape must be a constant (run onnx-simplifier to fold shape computations)");
          const size = x.shape[0] * x.shape[1] * x.shape[2];
          const current = x.rank === 4 ? [1, ...x.shape] : [1, x.shape[0]];
          const wanted = Array.from(target!.values, (d, i) => (d === 0 ? current[i]! : d));
          const known = wanted.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
          const resolved = wanted.map((d) => (d === -1 ? size / known : d));
          const flat = resolved.length === 2 && resolved[0] === 1 && resolved[1] === size;
          if (resolved.join() === current.join()) {
            alias(x, "none (same shape)");
            break;
          }
          if (!flat) {
            refuse(
              `reshaping ${shapeText(current)} to ${shapeText(resolved)}: runtime v2 only flattens to [1, ${size}]`,
            );
          }
        }
        if (x.rank === 2) {
          alias(x, "none (already flat)");
          break;
        }
        chained(x);
        const n = x.shape[0] * x.shape[1] * x.shape[2];
        push({ op: "flatten", inShape: x.shape, outShape: [n, 1, 1] }, 2, `flatten → [${n}]`);
        break;
      }
      default:
        refuse(`${op} is not supported by runtime v2`);
    }
  }

  const logits = values.get(logitsValue);
  if (!logits || logits.t === 0)
    throw new CompileRefusedError("The graph output is not computed by any supported layer.");
  if (logits.t !== layers.length) {
    throw new CompileRefusedError(
      `The graph output "${logitsValue}" is not the last layer's output; runtime v2 outputs its last tensor.`,
    );
  }
  return {
    model: { inputShape, layers },
    input: { name: inputName, onnxShape: dims },
    logitsValue,
    outputOp,
    mapping,
  };
}

function isIdentityAffine(affine: { a: Float64Array; b: Float64Array }): boolean {
  return affine.a.every((v) => v === 1) && affine.b.every((v) => v === 0);
}

/** A constant broadcast over the channel axis: a scalar, or one value per channel (`[C]` / `[1,C]` for NF,
 * `[C,1,1]` / `[1,C,1,1]` for NCHW). */
function broadcastPerChannel(c: Constant, channels: number, rank: 2 | 4, refuse: (r: string) => never): Float64Array {
  if (c.values.length === 1) return new Float64Array(channels).fill(c.values[0]!);
  const dims = c.dims.slice();
  while (dims.length > 0 && dims[0] === 1 && dims.length > (rank === 4 ? 3 : 1)) dims.shift();
  const ok = rank === 2 ? dims.length === 1 && dims[0] === channels : dims.join() === `${channels},1,1`;
  if (!ok) {
    refuse(
      `the constant ${shapeText(c.dims)} is not per ${rank === 2 ? "feature" : "channel"} (${channels}) or a scalar`,
    );
  }
  return Float64Array.from(c.values);
}

/** Folds a pending `a · x + b` on the graph input into the first linear layer; returns a note for the mapping row. */
function foldInputAffine(
  layer: Extract<FloatLayer, { op: "dense" | "conv2d" }>,
  x: Value,
  refuse: (r: string) => never,
): string {
  if (x.t !== 0 || !x.affine || isIdentityAffine(x.affine)) return "";
  const { a, b } = x.affine;
  const rows = layer.bias.length;
  const perRow = layer.weights.length / rows;
  const perChannel = perRow / a.length;
  if (layer.op === "conv2d" && layer.pad > 0 && b.some((v) => v !== 0)) {
    refuse(
      "the input preprocessing adds an offset before a padded Conv; the padding would read the offset, so it can't be folded exactly: subtract it on the client or use pads 0",
    );
  }
  for (let o = 0; o < rows; o++) {
    let shift = 0;
    for (let i = 0; i < perRow; i++) {
      const ch = Math.floor(i / perChannel);
      const w = layer.weights[o * perRow + i]!;
      shift += w * b[ch]!;
      layer.weights[o * perRow + i] = w * a[ch]!;
    }
    if (layer.op === "dense" || layer.pad === 0) layer.bias[o] = layer.bias[o]! + shift;
  }
  return "; input preprocessing folded in";
}
