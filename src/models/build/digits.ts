import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { BUNDLED_MODELS_DIR } from "../manifest";
import type { Sample } from "./iris";
import { createRandom, shuffleInPlace } from "./random";

/** Seed of the fixed digits split; held-out share. */
export const DIGITS_SPLIT_SEED = 20_240_601;
export const DIGITS_HELD_OUT_SHARE = 0.2;

/** The 1,797 UCI digits (8×8 pixel counts 0..16) from `models/data/digits.csv.gz` (see DIGITS-LICENSE.md). */
export function loadDigits(file = path.join(BUNDLED_MODELS_DIR, "data", "digits.csv.gz")): Sample[] {
  const text = gunzipSync(readFileSync(file)).toString("utf8");
  return text
    .trim()
    .split("\n")
    .map((line) => {
      const values = line.split(",").map(Number);
      if (values.length !== 65 || values.some((v) => !Number.isInteger(v))) throw new Error(`bad digits line: ${line}`);
      return { features: values.slice(0, 64), label: values[64]! };
    });
}

/** The fixed split: a seeded shuffle of all samples, the last 20 % held out (1,438 train / 359 held out). */
export function getDigitsSplit(): { train: Sample[]; heldOut: Sample[] } {
  const samples = shuffleInPlace(loadDigits(), createRandom(DIGITS_SPLIT_SEED));
  const heldOutCount = Math.floor(samples.length * DIGITS_HELD_OUT_SHARE);
  return {
    train: samples.slice(0, samples.length - heldOutCount),
    heldOut: samples.slice(samples.length - heldOutCount),
  };
}
