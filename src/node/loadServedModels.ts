import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { keccak256, type Hex } from "viem";
import { readModelManifest, type ModelManifestEntry } from "../models";
import {
  createIntegerRuntime,
  createOnnxRuntime,
  createOnnxWasmRuntime,
  ONNX_WASM_RUNTIME_ID,
  type ModelSignature,
  getOnchainRuntimeId,
  type LoadedModel,
  type Runtime,
} from "../runtime";
import {
  createIntegerRuntimeV2,
  INTEGER_V2_RUNTIME_ID,
  parseIntegerModelV2,
  type IntegerModelV2,
} from "../runtime/integerV2";
import { NodeStartupError } from "./errors";
import { getServedSignature } from "./getServedSignature";

/** A model this node serves: its manifest entry, loaded into its runtime. */
export interface ServedModel {
  modelId: Hex;
  entry: ModelManifestEntry;
  loaded: LoadedModel;
  /** What its inputs are checked against (docs/runtime.md § Model signatures). */
  signature: ModelSignature;
  /** The parsed model when it runs on the fraud-provable runtime v2: the node re-runs it to defend fraud games. */
  integerV2?: IntegerModelV2 | undefined;
}

/** What the chain says about one model the operator registered. */
export interface RegisteredModel {
  modelId: Hex;
  /** keccak256 of the runtime name, as registered in the ModelRegistry. */
  runtimeId: Hex;
  active: boolean;
}

export interface LoadServedModelsParameters {
  modelsDir: string;
  registered: readonly RegisteredModel[];
  logger: Logger;
}

const RUNTIMES: Record<string, () => Runtime> = {
  [getOnchainRuntimeId("verity-int8-v1")]: createIntegerRuntime,
  [getOnchainRuntimeId("onnxruntime-cpu-f32-v1")]: createOnnxRuntime,
  [getOnchainRuntimeId(ONNX_WASM_RUNTIME_ID)]: createOnnxWasmRuntime,
  [getOnchainRuntimeId(INTEGER_V2_RUNTIME_ID)]: createIntegerRuntimeV2,
};

const V2 = getOnchainRuntimeId(INTEGER_V2_RUNTIME_ID);

/**
 * Loads the models the operator registered on chain that are also in `modelsDir/manifest.json`, each into the
 * runtime the chain names for it, after checking the artifact hashes to its model id. Registered models missing
 * here, deprecated, or with a runtime this node lacks are logged and left out; none left is a
 * {@link NodeStartupError}.
 */
export async function loadServedModels({
  modelsDir,
  registered,
  logger,
}: LoadServedModelsParameters): Promise<Map<Hex, ServedModel>> {
  let entries: ModelManifestEntry[];
  try {
    entries = readModelManifest(modelsDir).models;
  } catch (cause) {
    throw new NodeStartupError(`Cannot read ${path.join(modelsDir, "manifest.json")}.`, { cause });
  }
  const byId = new Map(entries.map((entry) => [entry.modelId.toLowerCase() as Hex, entry]));
  const served = new Map<Hex, ServedModel>();
  for (const model of registered) {
    const modelId = model.modelId.toLowerCase() as Hex;
    const entry = byId.get(modelId);
    if (!entry) {
      logger.warn({ modelId }, "registered model not in the models directory: not served");
      continue;
    }
    if (!model.active) {
      logger.warn({ modelId, name: entry.name }, "registered model is not active in the ModelRegistry: not served");
      continue;
    }
    const createRuntime = RUNTIMES[model.runtimeId.toLowerCase()];
    if (!createRuntime || getOnchainRuntimeId(entry.runtimeId) !== model.runtimeId.toLowerCase()) {
      logger.warn(
        { modelId, name: entry.name, onchainRuntime: model.runtimeId, manifestRuntime: entry.runtimeId },
        "no matching runtime for the model's registered runtime id: not served",
      );
      continue;
    }
    const file = path.join(modelsDir, entry.file);
    const artifact = new Uint8Array(await fs.promises.readFile(file));
    // A runtime-v2 model id is the model's commitment (checked by the runtime's load), not the artifact's hash.
    const v2 = model.runtimeId.toLowerCase() === V2;
    if (!v2 && keccak256(artifact) !== modelId) {
      throw new NodeStartupError(`Model artifact ${file} does not hash to its model id ${modelId}.`);
    }
    let loaded: LoadedModel;
    try {
      loaded = await (v2 ? createIntegerRuntimeV2({ expectedModelId: modelId }) : createRuntime()).load(artifact);
    } catch (cause) {
      if (v2)
        throw new NodeStartupError(`Model artifact ${file} does not commit to its model id ${modelId}.`, { cause });
      throw cause;
    }
    const integerV2 = v2 ? parseIntegerModelV2(artifact) : undefined;
    served.set(modelId, {
      modelId,
      entry,
      loaded,
      signature: getServedSignature(entry, modelsDir, loaded),
      integerV2,
    });
  }
  if (served.size === 0) {
    throw new NodeStartupError(
      `No model to serve: the operator registered ${registered.length} model(s) on chain ` +
        `[${registered.map((m) => m.modelId).join(", ")}], none of them active and found in ${modelsDir} ` +
        `[${entries.map((e) => e.modelId).join(", ")}] with a runtime this node has.`,
    );
  }
  return served;
}
