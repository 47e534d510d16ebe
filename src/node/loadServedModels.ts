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
import { NodeStartupError } from "./errors";
import { getServedSignature } from "./getServedSignature";

/** A model this node serves: its manifest entry, loaded into its runtime. */
export interface ServedModel {
  modelId: Hex;
  entry: ModelManifestEntry;
  loaded: LoadedModel;
  /** What its inputs are checked against (docs/runtime.md § Model signatures). */
  signature: ModelSignature;
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
};

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
    if (keccak256(artifact) !== modelId) {
      throw new NodeStartupError(`Model artifact ${file} does not hash to its model id ${modelId}.`);
    }
    const loaded = await createRuntime().load(artifact);
    served.set(modelId, { modelId, entry, loaded, signature: getServedSignature(entry, modelsDir, loaded) });
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
