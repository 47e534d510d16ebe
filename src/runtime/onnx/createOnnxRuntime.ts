import { keccak256 } from "viem";
import type { Tensor } from "../../protocol";
import { RuntimeInputError } from "../errors";
import { type LoadedModel, type Runtime, ZERO_TRACE_ROOT } from "../types";

/** Runtime id of the ONNX Runtime adapter (TOLERANCE verification): CPU, float32, single thread, sequential. */
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
 * ONNX Runtime adapter (`onnxruntime-node`) for float32 models with one input and one output. Inputs must be
 * float32 tensors; the output is a float32 tensor; `traceRoot` is zero (the runtime keeps no trace).
 */
export function createOnnxRuntime(): Runtime {
  return {
    runtimeId: ONNX_RUNTIME_ID,
    async load(artifact: Uint8Array): Promise<LoadedModel> {
      const ort = await import("onnxruntime-node");
      const session = await ort.InferenceSession.create(artifact, {
        ...onnxSessionOptions,
        executionProviders: ["cpu"],
      });
      const inputName = session.inputNames[0]!;
      const outputName = session.outputNames[0]!;
      return {
        modelId: keccak256(artifact),
        runtimeId: ONNX_RUNTIME_ID,
        async run(input: Tensor) {
          if (input.dtype !== "float32") {
            throw new RuntimeInputError("ONNX models take float32 inputs.", { details: input.dtype });
          }
          const feeds = { [inputName]: new ort.Tensor("float32", input.data, [...input.shape]) };
          const result = await session.run(feeds);
          const out = result[outputName]!;
          if (out.type !== "float32") throw new RuntimeInputError("ONNX model output is not float32.");
          const output: Tensor = {
            dtype: "float32",
            shape: out.dims.map(Number),
            data: Float32Array.from(out.data as Float32Array),
          };
          return { output, traceRoot: ZERO_TRACE_ROOT };
        },
        async dispose() {
          await session.release();
        },
      };
    },
  };
}
