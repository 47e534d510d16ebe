import { createRandom, exactExp, shuffleInPlace } from "./random";
import type { Sample } from "./iris";

/** A float64 two-layer MLP `logits = W2·relu(W1·z + b1) + b2` on standardized features `z = (x - mean) / std`. */
export type FloatMlp = {
  mean: number[];
  std: number[];
  w1: number[][];
  b1: number[];
  w2: number[][];
  b2: number[];
};

/** Training hyper-parameters; the defaults build the bundled model. */
export type TrainMlpParameters = { hidden: number; epochs: number; learningRate: number; seed: number };

export const defaultTrainParameters: TrainMlpParameters = { hidden: 16, epochs: 200, learningRate: 0.02, seed: 7 };

/** Standardizes a feature vector. */
export function standardize(mlp: Pick<FloatMlp, "mean" | "std">, x: readonly number[]): number[] {
  return x.map((v, i) => (v - mlp.mean[i]!) / mlp.std[i]!);
}

/** Forward pass in float64: returns hidden activations and logits. */
export function forwardMlp(mlp: FloatMlp, x: readonly number[]): { hidden: number[]; logits: number[] } {
  const z = standardize(mlp, x);
  const hidden = mlp.w1.map((row, o) =>
    Math.max(
      0,
      row.reduce((acc, w, i) => acc + w * z[i]!, mlp.b1[o]!),
    ),
  );
  const logits = mlp.w2.map((row, o) => row.reduce((acc, w, i) => acc + w * hidden[i]!, mlp.b2[o]!));
  return { hidden, logits };
}

/**
 * Trains the MLP with plain per-sample SGD on softmax cross-entropy, in float64, deterministically: seeded
 * Glorot-uniform init, seeded shuffle each epoch, and an exp built from basic IEEE operations ({@link exactExp}).
 */
export function trainMlp(train: readonly Sample[], parameters: TrainMlpParameters = defaultTrainParameters): FloatMlp {
  const { hidden, epochs, learningRate, seed } = parameters;
  const inputs = train[0]!.features.length;
  const classes = 1 + Math.max(...train.map((s) => s.label));
  const n = train.length;
  const mean = Array.from({ length: inputs }, (_, i) => train.reduce((a, s) => a + s.features[i]!, 0) / n);
  const std = mean.map((m, i) => Math.sqrt(train.reduce((a, s) => a + (s.features[i]! - m) ** 2, 0) / n));
  const random = createRandom(seed);
  const init = (fanIn: number, fanOut: number) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return Array.from({ length: fanOut }, () => Array.from({ length: fanIn }, () => (2 * random() - 1) * limit));
  };
  const mlp: FloatMlp = {
    mean,
    std,
    w1: init(inputs, hidden),
    b1: new Array<number>(hidden).fill(0),
    w2: init(hidden, classes),
    b2: new Array<number>(classes).fill(0),
  };
  const order = train.map((_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(order, random);
    for (const index of order) {
      const sample = train[index]!;
      const z = standardize(mlp, sample.features);
      const pre = mlp.w1.map((row, o) => row.reduce((acc, w, i) => acc + w * z[i]!, mlp.b1[o]!));
      const h = pre.map((v) => Math.max(0, v));
      const logits = mlp.w2.map((row, o) => row.reduce((acc, w, i) => acc + w * h[i]!, mlp.b2[o]!));
      const top = Math.max(...logits);
      const exps = logits.map((v) => exactExp(v - top));
      const total = exps.reduce((a, b) => a + b, 0);
      const dLogits = exps.map((e, o) => e / total - (o === sample.label ? 1 : 0));
      const dHidden = h.map((_, i) => (pre[i]! > 0 ? dLogits.reduce((a, d, o) => a + d * mlp.w2[o]![i]!, 0) : 0));
      for (let o = 0; o < classes; o++) {
        for (let i = 0; i < hidden; i++) mlp.w2[o]![i]! -= learningRate * dLogits[o]! * h[i]!;
        mlp.b2[o]! -= learningRate * dLogits[o]!;
      }
      for (let o = 0; o < hidden; o++) {
        for (let i = 0; i < inputs; i++) mlp.w1[o]![i]! -= learningRate * dHidden[o]! * z[i]!;
        mlp.b1[o]! -= learningRate * dHidden[o]!;
      }
    }
  }
  return mlp;
}
