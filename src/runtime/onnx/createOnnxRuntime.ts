import { getModelId } from "../../protocol";
import { ModelFormatError } from "../errors";
import { type LoadedModel, type Runtime, ZERO_TRACE_ROOT } from "../types";
import { type OrtModule, fromOrtOutputs, toOrtFeeds, toStructuralSignature } from "./ortTensors";
import { readOnnxSignature } from "./readOnnxSignature";

/**
 * Runtime id of the ONNX Runtime adapter (TOLERANCE verification): native CPU, single thread, sequential. The name
 * predates other dtypes: the adapter takes every dtype of docs/runtime.md, and models registered under it keep it.
 */
export const ONNX_RUNTIME_ID = "onnxruntime-cpu-f32-v1";

/** The ONNX Runtime session options every Verity replay uses: one thread, sequential, no randomness. */
export const onnxSessionOptions = {
  executionProviders: ["cpu"],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
  enableCpuMemArena: true,
} as const;

/**
 * ONNX Runtime adapter (`onnxruntime-node`): any number of named inputs and outputs of the dtypes in
 * docs/runtime.md. A one-input model takes a plain tensor (or a bundle naming its input); several inputs take a
 * bundle; outputs come back the same way. Refuses at load what can't be verified ({@link readOnnxSignature}) or
 * can't be loaded ({@link ModelFormatError} with ONNX Runtime's reason). `traceRoot` is zero.
 */
export function createOnnxRuntime(): Runtime {
  return {
    runtimeId: ONNX_RUNTIME_ID,
    async load(artifact: Uint8Array): Promise<LoadedModel> {
      const signature = readOnnxSignature(artifact, { requireMaxDims: false });
      const ort = await import("onnxruntime-node");
      let session;
      try {
        session = await ort.InferenceSession.create(artifact, { ...onnxSessionOptions, executionProviders: ["cpu"] });
      } catch (cause) {
        throw new ModelFormatError("ONNX Runtime cannot load the model.", { cause });
      }
      const structure = toStructuralSignature(signature);
      const outputNames = signature.outputs.map((s) => s.name);
      return {
        modelId: getModelId(artifact),
        runtimeId: ONNX_RUNTIME_ID,
        signature,
        async run(input) {
          const results = await session.run(toOrtFeeds(ort as unknown as OrtModule, structure, input));
          return { output: fromOrtOutputs(results, outputNames), traceRoot: ZERO_TRACE_ROOT };
        },
        async dispose() {
          await session.release();
        },
      };
    },
  };
}
