import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";
import { ConfigError } from "../config/ConfigError";
import { BUNDLED_MODELS_DIR, readModelManifest, type ModelManifestEntry } from "../models/manifest";
import type { Tensor, TensorDtype } from "../protocol";

/** What a model declares it takes: one tensor of a dtype and shape (the manifest's `input`). */
export type DeclaredInput = { dtype: TensorDtype; shape: readonly number[] };

/**
 * The manifest entry of a registered model, from the manifest its metadata points at: `file://<artifact>` (the
 * manifest next to the artifact), else the bundled manifest by model id. Undefined when no manifest lists the model.
 */
export function findManifestEntry(metadataURI: string, modelId: Hex): ModelManifestEntry | undefined {
  const dirs: string[] = [];
  if (metadataURI.startsWith("file://")) {
    try {
      dirs.push(path.dirname(fileURLToPath(metadataURI)));
    } catch {
      // not a file URL this machine can read
    }
  }
  dirs.push(BUNDLED_MODELS_DIR);
  for (const dir of dirs) {
    if (!fs.existsSync(path.join(dir, "manifest.json"))) continue;
    try {
      const entry = readModelManifest(dir).models.find((m) => m.modelId.toLowerCase() === modelId.toLowerCase());
      if (entry) return entry;
    } catch {
      // an unreadable manifest declares nothing
    }
  }
  return undefined;
}

/** The input a registered model declares (its manifest entry's `input`); undefined when no manifest lists it. */
export function findDeclaredInput(metadataURI: string, modelId: Hex): DeclaredInput | undefined {
  const entry = findManifestEntry(metadataURI, modelId);
  return entry?.input ? { dtype: entry.input.dtype, shape: entry.input.shape } : undefined;
}

/**
 * Checks a request's input against the model's declared input before anything is escrowed: the same dtype and the
 * same shape (element ranges are checked when the tensor is parsed). ConfigError naming the difference.
 */
export function validateRequestInput(tensor: Tensor, declared: DeclaredInput): void {
  if (tensor.dtype !== declared.dtype) {
    throw new ConfigError(`--input: the model takes ${declared.dtype}, the input is ${tensor.dtype}`);
  }
  const same =
    tensor.shape.length === declared.shape.length && tensor.shape.every((dim, index) => dim === declared.shape[index]);
  if (!same) {
    throw new ConfigError(
      `--input: the model takes shape [${declared.shape.join(", ")}], the input has [${tensor.shape.join(", ")}]`,
    );
  }
}
