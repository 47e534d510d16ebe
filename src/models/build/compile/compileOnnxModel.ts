import type { Hex } from "viem";
import { onnxSessionOptions } from "../../../runtime";
import { decodeOnnxModel } from "../../../runtime/onnx/readOnnxSignature";
import {
  type IntegerModelV2,
  computeTensorsV2,
  getModelCommitmentV2,
  quantizeInputV2,
  serializeIntegerModelV2,
} from "../../../runtime/integerV2";
import { runFloatModel } from "./floatLayers";
import { type OpMappingRow, lowerOnnxGraph } from "./lowerOnnxGraph";
import { type CalibrationMethod, calibrate, quantizeFloatModel } from "./quantizeFloatModel";
import { readCalibration } from "./readCalibration";

/** Parameters of {@link compileOnnxModel}. */
export type CompileOnnxModelParameters = {
  /** The float ONNX model's bytes (self-contained: external data is refused). */
  onnx: Uint8Array;
  /** Calibration JSON (see {@link readCalibration}), already parsed. */
  calibration: unknown;
  /** How activation ranges are calibrated (default max-abs; see {@link CalibrationMethod}). */
  calibrationMethod?: CalibrationMethod | undefined;
};

/** How well the int8 model follows the float one on the calibration set. */
export type CompileEvaluation = {
  samples: number;
  /** Samples whose int8 top class (first maximum of the dequantized last tensor) equals ONNX Runtime's. */
  topClassAgreements: number;
  topClassAgreement: number;
  /** Largest |float logit − int8 logit / outputScale| over every sample and output (float units). */
  maxLogitError: number;
  /** Largest |float logit| (to read the error against). */
  maxAbsLogit: number;
  /** Largest |ONNX Runtime − the compiler's float64 replay of the lowered graph|: checks the lowering (≈ 1e-6). */
  loweringError: number;
};

/** Everything a compile produced. */
export type CompileOnnxModelReturnType = {
  artifact: Uint8Array;
  model: IntegerModelV2;
  /** The runtime-v2 model id: its commitment (not keccak256 of the artifact). */
  modelId: Hex;
  mapping: OpMappingRow[];
  /** The runtime-v2 layers, one row each (requantize layers included). */
  layers: { layer: number; op: string; inShape: string; outShape: string; parameters: string }[];
  input: { name: string; onnxShape: number[]; v2Shape: number[]; mean: number; scale: number };
  output: { op: "identity" | "argmax"; logits: string; size: number; dtype: "int32"; scale: number };
  /** The calibration method used, and how the compiled model follows the float one on the calibration set. */
  calibrationMethod: CalibrationMethod;
  evaluation: CompileEvaluation;
  /**
   * With a percentile calibration: the same model calibrated max-abs, evaluated on the same set (the "before"), so
   * the gain or loss of clipping is measured, not assumed. Its artifact is not kept.
   */
  baseline?: CompileEvaluation | undefined;
  /** Milliseconds: lowering + calibration + quantization + serialization + commitment; then the evaluation. */
  compileMs: number;
  evaluateMs: number;
};

function describeParameters(l: IntegerModelV2["layers"][number]): string {
  switch (l.op) {
    case "conv2d":
      return `k${l.kernel} s${l.stride} p${l.pad}, ${l.weights!.length} int8 weights`;
    case "dense":
      return `${l.weights!.length} int8 weights`;
    case "maxPool":
    case "avgPool":
      return `k${l.kernel} s${l.stride}`;
    case "add":
      return `src tensor ${l.src}`;
    case "requantize":
      return `× ${l.multiplier} / 2^${l.shift}`;
    default:
      return "";
  }
}

const argmax = (values: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
};

/** The ONNX model with its output moved to the logits value (a dropped Softmax / ArgMax tail removed). */
async function runFloatOnnx(
  onnxBytes: Uint8Array,
  logits: string,
  inputName: string,
  shape: number[],
  samples: Float64Array[],
) {
  const model = decodeOnnxModel(onnxBytes);
  const graph = model.graph!;
  let bytes = onnxBytes;
  if (graph.output![0]!.name !== logits) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { onnx } = require("onnx-proto") as typeof import("onnx-proto");
    const keep: typeof graph.node = [];
    for (const node of graph.node ?? []) {
      keep.push(node);
      if ((node.output ?? []).includes(logits)) break;
    }
    graph.node = keep;
    graph.output = [onnx.ValueInfoProto.create({ name: logits, type: { tensorType: { elemType: 1 } } })];
    bytes = onnx.ModelProto.encode(model).finish();
  }
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(bytes, { ...onnxSessionOptions, executionProviders: ["cpu"] });
  try {
    const out: Float32Array[] = [];
    for (const sample of samples) {
      const result = await session.run({ [inputName]: new ort.Tensor("float32", Float32Array.from(sample), shape) });
      out.push(Float32Array.from(result[logits]!.data as Float32Array));
    }
    return out;
  } finally {
    await session.release();
  }
}

/**
 * Compiles a float ONNX model to a runtime-v2 (`verity-int8-v2`) model: lowers the graph ({@link lowerOnnxGraph}),
 * calibrates activation ranges on the calibration inputs, quantizes ({@link quantizeFloatModel}), serializes and
 * commits; then runs the float model with ONNX Runtime and the int8 model with the v2 runtime on every calibration
 * input and reports top-class agreement and the largest logit error. Throws {@link CompileRefusedError} for what can't
 * be compiled (nothing is produced).
 */
export async function compileOnnxModel(parameters: CompileOnnxModelParameters): Promise<CompileOnnxModelReturnType> {
  const started = performance.now();
  const lowered = lowerOnnxGraph(parameters.onnx);
  const inputs = readCalibration(parameters.calibration, lowered.input);
  const calibrationMethod = parameters.calibrationMethod ?? { method: "max" };
  const quantize = (method: CalibrationMethod) => {
    const { model: quantized, outputScale } = quantizeFloatModel(
      lowered.model,
      calibrate(lowered.model, inputs, method),
    );
    return { model: { ...quantized, outputOp: lowered.outputOp } as IntegerModelV2, outputScale };
  };
  const { model, outputScale } = quantize(calibrationMethod);
  const artifact = serializeIntegerModelV2(model);
  const { modelId } = getModelCommitmentV2(model);
  const compileMs = performance.now() - started;

  const evaluating = performance.now();
  const floatLogits = await runFloatOnnx(
    parameters.onnx,
    lowered.logitsValue,
    lowered.input.name,
    lowered.input.onnxShape,
    inputs,
  );
  const evaluate = (candidate: IntegerModelV2, scale: number): CompileEvaluation => {
    let agreements = 0;
    let maxLogitError = 0;
    let maxAbsLogit = 0;
    let loweringError = 0;
    inputs.forEach((input, s) => {
      const reference = floatLogits[s]!;
      const replay = runFloatModel(lowered.model, input);
      const chain = replay[replay.length - 1]!;
      const tensors = computeTensorsV2(candidate, quantizeInputV2(candidate, input).data);
      const last = tensors[tensors.length - 1]!;
      if (argmax(last) === argmax(reference)) agreements++;
      for (let i = 0; i < reference.length; i++) {
        maxLogitError = Math.max(maxLogitError, Math.abs(reference[i]! - last[i]! / scale));
        maxAbsLogit = Math.max(maxAbsLogit, Math.abs(reference[i]!));
        loweringError = Math.max(loweringError, Math.abs(reference[i]! - chain[i]!));
      }
    });
    return {
      samples: inputs.length,
      topClassAgreements: agreements,
      topClassAgreement: agreements / inputs.length,
      maxLogitError,
      maxAbsLogit,
      loweringError,
    };
  };
  const evaluation = evaluate(model, outputScale);
  if (evaluation.loweringError > 1e-3 * Math.max(1, evaluation.maxAbsLogit)) {
    throw new Error(
      `Internal error: the lowered float graph differs from ONNX Runtime by ${evaluation.loweringError}; the compiler mapped an op wrongly.`,
    );
  }
  let baseline: CompileEvaluation | undefined;
  if (calibrationMethod.method !== "max") {
    const maxAbs = quantize({ method: "max" });
    baseline = evaluate(maxAbs.model, maxAbs.outputScale);
  }
  return {
    artifact,
    model,
    modelId,
    mapping: lowered.mapping,
    layers: model.layers.map((l, i) => ({
      layer: i + 1,
      op: l.op,
      inShape: `[${l.inShape.join(",")}]`,
      outShape: `[${l.outShape.join(",")}]`,
      parameters: describeParameters(l),
    })),
    input: {
      name: lowered.input.name,
      onnxShape: lowered.input.onnxShape,
      v2Shape: [...model.inputShape],
      mean: model.input.mean,
      scale: model.input.scale,
    },
    output: {
      op: lowered.outputOp,
      logits: lowered.logitsValue,
      size: model.layers[model.layers.length - 1]!.outShape[0],
      dtype: "int32",
      scale: outputScale,
    },
    calibrationMethod,
    evaluation,
    baseline,
    compileMs,
    evaluateMs: performance.now() - evaluating,
  };
}
