import { readFileSync } from "node:fs";
import path from "node:path";
import type { Hex } from "viem";

/** Directory of the checked-in artifacts. */
export const BUNDLED_MODELS_DIR = path.join(__dirname, "..", "..", "models");

/** One manifest entry. */
export type ModelManifestEntry = {
  name: string;
  file: string;
  modelId: Hex;
  runtimeId: string;
  verificationMode: "EXACT" | "TOLERANCE";
  /** 18-decimal fixed point, as a decimal string. */
  tolerance: string;
  /** The one input of a model without a signature document (the bundled Iris models). */
  input?: { dtype: "int8" | "float32"; shape: number[] };
  output?: { dtype: "int32" | "float32"; shape: number[]; meaning: string };
  heldOut?: { correct: number; total: number; accuracy: number };
  /**
   * Content address (`ipfs://<CIDv1>`) of the model's signature document, stored as `<CID>.json` next to the
   * manifest (docs/runtime.md § Model signatures): named inputs and outputs, dtypes, shapes with declared maxima.
   */
  signature?: string;
  /** What the model does, for people. */
  description?: string;
};

/** `models/manifest.json`. */
export type ModelManifest = {
  version: 1;
  dataset?: { package: string; split: string; seed: number };
  /** The training parameters the artifacts were built with (`TrainMlpParameters` in `build/trainMlp.ts`). */
  training?: { hidden: number; epochs: number; learningRate: number; seed: number };
  models: ModelManifestEntry[];
};

/** Reads `models/manifest.json` (or one in `directory`). */
export function readModelManifest(directory: string = BUNDLED_MODELS_DIR): ModelManifest {
  return JSON.parse(readFileSync(path.join(directory, "manifest.json"), "utf8")) as ModelManifest;
}
