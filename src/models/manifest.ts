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
  input: { dtype: "int8" | "float32"; shape: number[] };
  output: { dtype: "int32" | "float32"; shape: number[]; meaning: string };
  heldOut: { correct: number; total: number; accuracy: number };
};

/** `models/manifest.json`. */
export type ModelManifest = {
  version: 1;
  dataset: { package: string; split: string; seed: number };
  /** The training parameters the artifacts were built with (`TrainMlpParameters` in `build/trainMlp.ts`). */
  training: { hidden: number; epochs: number; learningRate: number; seed: number };
  models: ModelManifestEntry[];
};

/** Reads `models/manifest.json` (or one in `directory`). */
export function readModelManifest(directory: string = BUNDLED_MODELS_DIR): ModelManifest {
  return JSON.parse(readFileSync(path.join(directory, "manifest.json"), "utf8")) as ModelManifest;
}
