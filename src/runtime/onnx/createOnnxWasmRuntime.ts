import { getModelId } from "../../protocol";
import { ModelFormatError } from "../errors";
import { type LoadedModel, type Runtime, ZERO_TRACE_ROOT } from "../types";
import { canonicalizeNaN } from "./canonicalizeNaN";
import { type OrtModule, fromOrtOutputs, toOrtFeeds, toStructuralSignature } from "./ortTensors";
import { ONNX_WASM_RUNTIME_ID, readPinnedWasmBinary } from "./pinnedWasm";
import { readOnnxSignature } from "./readOnnxSignature";

type OrtWeb = typeof import("onnxruntime-web");
let initialized: Promise<OrtWeb> | undefined;

/** Loads onnxruntime-web once per process with the pinned binary, one thread, fixed-width SIMD, no proxy worker. */
function initializeOrtWeb(): Promise<OrtWeb> {
  initialized ??= (async () => {
    const wasmBinary = readPinnedWasmBinary();
    const ort = await import("onnxruntime-web");
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.simd = "fixed";
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmBinary = wasmBinary;
    return ort;
  })();
  initialized.catch(() => (initialized = undefined));
  return initialized;
}

/**
 * The pinned WASM runtime (EXACT verification for float models): onnxruntime-web {@link ONNX_WASM_RUNTIME_ID}, run
 * with the exact WASM binary its id names, one thread, sequential execution, fixed-width SIMD only, every graph
 * optimization (a function of the graph alone), NaN results canonicalized. docs/runtime.md § Pinned WASM runtime says
 * what bit-exactness rests on. Inputs and outputs as {@link createOnnxRuntime}.
 */
export function createOnnxWasmRuntime(): Runtime {
  return {
    runtimeId: ONNX_WASM_RUNTIME_ID,
    async load(artifact: Uint8Array): Promise<LoadedModel> {
      const signature = readOnnxSignature(artifact, { requireMaxDims: false });
      const ort = await initializeOrtWeb();
      let session;
      try {
        session = await ort.InferenceSession.create(artifact, {
          executionProviders: ["wasm"],
          executionMode: "sequential",
          graphOptimizationLevel: "all",
          intraOpNumThreads: 1,
          interOpNumThreads: 1,
        });
      } catch (cause) {
        throw new ModelFormatError("ONNX Runtime (WASM) cannot load the model.", { cause });
      }
      const structure = toStructuralSignature(signature);
      const outputNames = signature.outputs.map((s) => s.name);
      return {
        modelId: getModelId(artifact),
        runtimeId: ONNX_WASM_RUNTIME_ID,
        signature,
        async run(input) {
          const results = await session.run(toOrtFeeds(ort as unknown as OrtModule, structure, input));
          return { output: canonicalizeNaN(fromOrtOutputs(results, outputNames)), traceRoot: ZERO_TRACE_ROOT };
        },
        async dispose() {
          await session.release();
        },
      };
    },
  };
}
