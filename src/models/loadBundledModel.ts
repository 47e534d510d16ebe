import { readFileSync } from "node:fs";
import path from "node:path";
import { keccak256 } from "viem";
import { BaseError } from "../protocol";
import { BUNDLED_MODELS_DIR, readModelManifest, type ModelManifestEntry } from "./manifest";

/** Reads a bundled artifact by manifest name and checks its bytes hash to the manifest's modelId. */
export function loadBundledModel(
  name: string,
  directory: string = BUNDLED_MODELS_DIR,
): { entry: ModelManifestEntry; artifact: Uint8Array } {
  const entry = readModelManifest(directory).models.find((m) => m.name === name);
  if (entry === undefined) throw new BaseError(`No bundled model named "${name}".`);
  const artifact = new Uint8Array(readFileSync(path.join(directory, entry.file)));
  if (keccak256(artifact) !== entry.modelId) {
    throw new BaseError(`Bundled model "${name}" does not match its manifest modelId.`, { details: entry.modelId });
  }
  return { entry, artifact };
}
