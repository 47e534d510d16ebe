import { clampInt8, requantize } from "../requantize";
import type { IntegerModelV2, LayerV2 } from "./format";
import { getRowLength, getShapeSize } from "./format";

/** Inputs of a dense segment, and elements of a trace chunk. */
export const SEGMENT_ELEMENTS = 32;

const TWO_32 = 2 ** 32;
const TWO_31 = 2 ** 31;

/** Two's-complement wrap of an integer below 2^53 in magnitude to int32 (the value mod 2^32 in [-2^31, 2^31)). */
export function wrapInt32(x: number): number {
  const r = x - Math.floor(x / TWO_32) * TWO_32;
  return r >= TWO_31 ? r - TWO_32 : r;
}

/** True for the ops whose element sums a long fan-in (dense, conv2d): their element is a chain of segments. */
export function isAccumulating(layer: LayerV2): boolean {
  return layer.op === "dense" || layer.op === "conv2d";
}

/** Segments of one element's accumulation: dense `ceil(in / 32)`, conv2d `inC · k`; 1 for every other op. */
export function getSegmentCount(layer: LayerV2): number {
  if (layer.op === "dense") return Math.ceil(getShapeSize(layer.inShape) / SEGMENT_ELEMENTS);
  if (layer.op === "conv2d") return layer.inShape[0] * layer.kernel;
  return 1;
}

/** The weight row of element `e`: dense row `e`, conv2d output channel `e / (outH · outW)`. */
export function getWeightRow(layer: LayerV2, e: number): number {
  return layer.op === "dense" ? e : Math.floor(e / (layer.outShape[1] * layer.outShape[2]));
}

/** Offset and length of segment `s` inside a weight row. */
export function getSegmentSpan(layer: LayerV2, s: number): { start: number; length: number } {
  if (layer.op === "dense") {
    const start = s * SEGMENT_ELEMENTS;
    return { start, length: Math.min(SEGMENT_ELEMENTS, getRowLength(layer) - start) };
  }
  return { start: s * layer.kernel, length: layer.kernel };
}

/** A reference to one element of a trace tensor. */
export type ElementRef = { tensor: number; index: number };

/**
 * The input elements segment `s` of element `e` of layer `k` multiplies, in weight order; `-1` marks a conv2d tap in
 * the zero padding (it contributes 0 and needs no input).
 */
export function getSegmentInputIndices(layer: LayerV2, e: number, s: number): number[] {
  const { start, length } = getSegmentSpan(layer, s);
  if (layer.op === "dense") return Array.from({ length }, (_, i) => start + i);
  const [, inH, inW] = layer.inShape;
  const [, outH, outW] = layer.outShape;
  const k = layer.kernel;
  const r = Math.floor(e / outW) % outH;
  const c = e % outW;
  const ci = Math.floor(s / k);
  const ir = r * layer.stride + (s % k) - layer.pad;
  return Array.from({ length: k }, (_, kc) => {
    const ic = c * layer.stride + kc - layer.pad;
    return ir < 0 || ir >= inH || ic < 0 || ic >= inW ? -1 : ci * inH * inW + ir * inW + ic;
  });
}

/** The elements a non-accumulating op's element `e` of layer `k` reads (one per operand, or the pooling window). */
export function getElementInputs(layer: LayerV2, k: number, e: number): ElementRef[] {
  switch (layer.op) {
    case "add":
      return [
        { tensor: k - 1, index: e },
        { tensor: layer.src, index: e },
      ];
    case "maxPool":
    case "avgPool": {
      const [, inH, inW] = layer.inShape;
      const [, outH, outW] = layer.outShape;
      const c = Math.floor(e / (outH * outW));
      const r = Math.floor(e / outW) % outH;
      const q = e % outW;
      const refs: ElementRef[] = [];
      for (let i = 0; i < layer.kernel; i++) {
        for (let j = 0; j < layer.kernel; j++) {
          refs.push({ tensor: k - 1, index: c * inH * inW + (r * layer.stride + i) * inW + q * layer.stride + j });
        }
      }
      return refs;
    }
    case "dense":
    case "conv2d": {
      const refs: ElementRef[] = [];
      for (let s = 0; s < getSegmentCount(layer); s++) {
        for (const index of getSegmentInputIndices(layer, e, s)) if (index >= 0) refs.push({ tensor: k - 1, index });
      }
      return refs;
    }
    default:
      return [{ tensor: k - 1, index: e }];
  }
}

/**
 * What segment `s` adds to element `e`'s accumulator: `bias[row]` (segment 0 only) plus the exact sum of
 * `weight · input` over the segment's taps. The accumulator chain is `acc_0 = 0`, `acc_{s+1} = wrap32(acc_s +
 * contribution_s)`, and the element is `acc_K`; since wrapping commutes with addition this is the exact sum mod 2^32.
 */
export function getSegmentContribution(layer: LayerV2, x: ArrayLike<number>, e: number, s: number): number {
  const row = getWeightRow(layer, e);
  const { start } = getSegmentSpan(layer, s);
  const base = row * getRowLength(layer) + start;
  const w = layer.weights!;
  let sum = s === 0 ? layer.bias![row]! : 0;
  getSegmentInputIndices(layer, e, s).forEach((index, i) => {
    if (index >= 0) sum += w[base + i]! * x[index]!;
  });
  return sum;
}

/** `acc_0 … acc_K` of element `e` of an accumulating layer (see {@link getSegmentContribution}). */
export function getAccumulators(layer: LayerV2, x: ArrayLike<number>, e: number): number[] {
  const K = getSegmentCount(layer);
  const accs = [0];
  for (let s = 0; s < K; s++) accs.push(wrapInt32(accs[s]! + getSegmentContribution(layer, x, e, s)));
  return accs;
}

/**
 * Element `e` of layer `k` (1-based), from the trace tensors before it (`tensors[t]` is tensor t as int32 values):
 * - dense / conv2d: the int32 accumulator (bias + Σ weight · input, wrapping mod 2^32; conv2d reads 0 in the padding);
 * - maxPool: the window's maximum; avgPool: `floor((Σ + floor(k²/2)) / k²)` (round half up);
 * - flatten: the same element; relu: `max(0, x)`; add: `wrap32(x + y)`;
 * - requantize: `clamp_int8(floor((x · M + 2^(s-1)) / 2^s))`.
 */
export function computeElement(
  model: IntegerModelV2,
  tensors: readonly ArrayLike<number>[],
  k: number,
  e: number,
): number {
  const layer = model.layers[k - 1]!;
  const x = tensors[k - 1]!;
  switch (layer.op) {
    case "dense":
    case "conv2d": {
      let acc = 0;
      for (let s = 0; s < getSegmentCount(layer); s++) acc = wrapInt32(acc + getSegmentContribution(layer, x, e, s));
      return acc;
    }
    case "maxPool":
    case "avgPool": {
      const values = getElementInputs(layer, k, e).map((r) => x[r.index]!);
      if (layer.op === "maxPool") return Math.max(...values);
      const kk = layer.kernel * layer.kernel;
      return Math.floor((values.reduce((a, b) => a + b, 0) + Math.floor(kk / 2)) / kk);
    }
    case "flatten":
      return x[e]!;
    case "relu":
      return x[e]! < 0 ? 0 : x[e]!;
    case "add":
      return wrapInt32(x[e]! + tensors[layer.src]![e]!);
    case "requantize":
      return clampInt8(requantize(x[e]!, layer.multiplier, layer.shift));
  }
}
