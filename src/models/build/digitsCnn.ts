import type { Sample } from "./iris";
import { createRandom, exactExp, shuffleInPlace } from "./random";

/**
 * A small float CNN for 8×8 digits: conv 3×3 (1 → C channels, padding 1) → ReLU → max-pool 2×2 → flatten (C·16) →
 * dense → 10 logits. Input: pixel / 16.
 */
export type DigitsCnn = { channels: number; convW: number[]; convB: number[]; denseW: number[]; denseB: number[] };

export type TrainDigitsCnnParameters = { channels: number; epochs: number; learningRate: number; seed: number };
export const defaultDigitsTraining: TrainDigitsCnnParameters = { channels: 4, epochs: 30, learningRate: 0.02, seed: 7 };

type Forward = { x: number[]; conv: number[]; pooled: number[]; argmaxAt: number[]; logits: number[] };

/** Runs the float CNN on 64 pixel counts (0..16). */
export function forwardDigitsCnn(cnn: DigitsCnn, pixels: readonly number[]): Forward {
  const C = cnn.channels;
  const x = pixels.map((p) => p / 16);
  const conv = new Array<number>(C * 64).fill(0);
  for (let c = 0; c < C; c++) {
    for (let r = 0; r < 8; r++) {
      for (let q = 0; q < 8; q++) {
        let sum = cnn.convB[c]!;
        for (let kr = 0; kr < 3; kr++) {
          for (let kc = 0; kc < 3; kc++) {
            const ir = r + kr - 1;
            const ic = q + kc - 1;
            if (ir < 0 || ir >= 8 || ic < 0 || ic >= 8) continue;
            sum += cnn.convW[c * 9 + kr * 3 + kc]! * x[ir * 8 + ic]!;
          }
        }
        conv[c * 64 + r * 8 + q] = sum > 0 ? sum : 0;
      }
    }
  }
  const pooled = new Array<number>(C * 16).fill(0);
  const argmaxAt = new Array<number>(C * 16).fill(0);
  for (let c = 0; c < C; c++) {
    for (let r = 0; r < 4; r++) {
      for (let q = 0; q < 4; q++) {
        let best = -Infinity;
        let at = 0;
        for (let i = 0; i < 2; i++) {
          for (let j = 0; j < 2; j++) {
            const k = c * 64 + (2 * r + i) * 8 + 2 * q + j;
            if (conv[k]! > best) [best, at] = [conv[k]!, k];
          }
        }
        pooled[c * 16 + r * 4 + q] = best;
        argmaxAt[c * 16 + r * 4 + q] = at;
      }
    }
  }
  const logits = Array.from({ length: 10 }, (_, o) => {
    let sum = cnn.denseB[o]!;
    for (let i = 0; i < C * 16; i++) sum += cnn.denseW[o * C * 16 + i]! * pooled[i]!;
    return sum;
  });
  return { x, conv, pooled, argmaxAt, logits };
}

/** Index of the first maximum. */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Trains with per-sample SGD on softmax cross-entropy, deterministically (seeded init and order, IEEE-only exp). */
export function trainDigitsCnn(
  train: readonly Sample[],
  p: TrainDigitsCnnParameters = defaultDigitsTraining,
): DigitsCnn {
  const random = createRandom(p.seed);
  const C = p.channels;
  const init = (n: number, scale: number) => Array.from({ length: n }, () => (random() * 2 - 1) * scale);
  const cnn: DigitsCnn = {
    channels: C,
    convW: init(C * 9, Math.sqrt(6 / 9)),
    convB: new Array<number>(C).fill(0),
    denseW: init(10 * C * 16, Math.sqrt(6 / (C * 16))),
    denseB: new Array<number>(10).fill(0),
  };
  const order = train.map((_, i) => i);
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    shuffleInPlace(order, random);
    for (const index of order) {
      const sample = train[index]!;
      const f = forwardDigitsCnn(cnn, sample.features);
      const max = Math.max(...f.logits);
      const exps = f.logits.map((l) => exactExp(l - max));
      const total = exps.reduce((a, b) => a + b, 0);
      const dLogits = exps.map((e, o) => e / total - (o === sample.label ? 1 : 0));
      const dPooled = new Array<number>(C * 16).fill(0);
      for (let o = 0; o < 10; o++) {
        for (let i = 0; i < C * 16; i++) {
          dPooled[i] = dPooled[i]! + dLogits[o]! * cnn.denseW[o * C * 16 + i]!;
          cnn.denseW[o * C * 16 + i] = cnn.denseW[o * C * 16 + i]! - p.learningRate * dLogits[o]! * f.pooled[i]!;
        }
        cnn.denseB[o] = cnn.denseB[o]! - p.learningRate * dLogits[o]!;
      }
      for (let i = 0; i < C * 16; i++) {
        const k = f.argmaxAt[i]!;
        if (f.conv[k]! <= 0) continue;
        const c = Math.floor(k / 64);
        const r = Math.floor((k % 64) / 8);
        const q = k % 8;
        const g = dPooled[i]!;
        for (let kr = 0; kr < 3; kr++) {
          for (let kc = 0; kc < 3; kc++) {
            const ir = r + kr - 1;
            const ic = q + kc - 1;
            if (ir < 0 || ir >= 8 || ic < 0 || ic >= 8) continue;
            cnn.convW[c * 9 + kr * 3 + kc] = cnn.convW[c * 9 + kr * 3 + kc]! - p.learningRate * g * f.x[ir * 8 + ic]!;
          }
        }
        cnn.convB[c] = cnn.convB[c]! - p.learningRate * g;
      }
    }
  }
  return cnn;
}
