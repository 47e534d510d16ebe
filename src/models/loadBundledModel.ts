import { readFileSync } from "node:fs";
import path from "node:path";
import { keccak256 } from "viem";
import { BaseError } from "../protocol";
import type { ModelManifest, ModelManifestEntry } from "./buildIrisModels";

/** Directory of the checked-in artifacts. */
const MODELS_DIR = path.join(__dirname, "..", "..", "models");

/** Reads `models/manifest.json` (or one in `directory`). */
export function readModelManifest(directory: string = MODELS_DIR): ModelManifest {
  return JSON.parse(readFileSync(path.join(directory, "manifest.json"), "utf8")) as ModelManifest;
}

/** Reads a bundled artifact by manifest name and checks its bytes hash to the manifest's modelId. */
export function loadBundledModel(
  name: string,
  directory: string = MODELS_DIR,
): { entry: ModelManifestEntry; artifact: Uint8Array } {
  const entry = readModelManifest(directory).models.find((m) => m.name === name);
  if (entry === undefined) throw new BaseError(`No bundled model named "${name}".`);
  const artifact = new Uint8Array(readFileSync(path.join(directory, entry.file)));
  if (keccak256(artifact) !== entry.modelId) {
    throw new BaseError(`Bundled model "${name}" does not match its manifest modelId.`, { details: entry.modelId });
  }
  return { entry, artifact };
}
