import { ONNX_RUNTIME_ID } from "../../runtime/onnx/createOnnxRuntime";
import { ONNX_WASM_RUNTIME_ID } from "../../runtime/onnx/pinnedWasm";
import { readOnnxSignature } from "../../runtime/onnx/readOnnxSignature";
import { getModelSignatureUri, serializeModelSignature } from "../../runtime/signature/serializeModelSignature";
import type { ModelSignature } from "../../runtime/signature/types";
import { getModelId } from "../../protocol";
import { buildCnnModel, buildDynamicBatchModel, buildMultiInputModel } from "./buildOnnxFixtures";

/** One ONNX fixture as listed in `models/onnx/manifest.json`. */
export interface OnnxFixtureEntry {
  name: string;
  file: string;
  modelId: `0x${string}`;
  runtimeId: string;
  verificationMode: "EXACT" | "TOLERANCE";
  /** 18-decimal fixed point, decimal string. */
  tolerance: string;
  /** Content address of the signature document (`<cid>.json` next to the manifest). */
  signature: string;
  description: string;
}

/** An artifact with its manifest entry and signature document, ready to write. */
export interface OnnxFixture {
  entry: OnnxFixtureEntry;
  artifact: Uint8Array;
  signature: ModelSignature;
  signatureText: string;
}

const TOLERANCE_1E4 = (10n ** 14n).toString();

/** Builds the three ONNX test models, their signatures (dynamic N up to 16) and manifest entries; deterministic. */
export function buildOnnxFixtures(): OnnxFixture[] {
  const specs = [
    {
      name: "multi-input",
      artifact: buildMultiInputModel(),
      runtimeId: ONNX_RUNTIME_ID,
      mode: "TOLERANCE" as const,
      description:
        "features float32 [1,4], category int64 [1,1], mask bool [1,4] -> logits float32 [1,3], label int64 [1]",
    },
    {
      name: "small-cnn",
      artifact: buildCnnModel(),
      runtimeId: ONNX_WASM_RUNTIME_ID,
      mode: "EXACT" as const,
      description: "image float32 [1,1,8,8] -> Conv, Relu, MaxPool, Flatten, Gemm -> logits float32 [1,10]",
    },
    {
      name: "dynamic-batch",
      artifact: buildDynamicBatchModel(),
      runtimeId: ONNX_RUNTIME_ID,
      mode: "TOLERANCE" as const,
      description: "x float32 [N<=16,4] -> Gemm, Relu, Gemm -> y float32 [N,2]",
    },
  ];
  return specs.map(({ name, artifact, runtimeId, mode, description }) => {
    const signature = readOnnxSignature(artifact, { maxDims: name === "dynamic-batch" ? { N: 16 } : {} });
    return {
      artifact,
      signature,
      signatureText: serializeModelSignature(signature),
      entry: {
        name,
        file: `${name}.onnx`,
        modelId: getModelId(artifact),
        runtimeId,
        verificationMode: mode,
        tolerance: mode === "EXACT" ? "0" : TOLERANCE_1E4,
        signature: getModelSignatureUri(signature),
        description,
      },
    };
  });
}
