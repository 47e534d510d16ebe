import type { Hex } from "viem";
import type { Tensor } from "../protocol";
import {
  buildTraceV2,
  computeElement,
  computeTensorsV2,
  getOutputV2,
  isAccumulating,
  type IntegerModelV2,
  type TraceV2,
} from "../runtime/integerV2";

/** The one element a corrupted run changed: layer `tensor`'s element `element`, by `delta` (before propagation). */
export interface TraceCorruption {
  tensor: number;
  element: number;
  delta: number;
}

/** A runtime-v2 run whose trace holds one wrong element, propagated through every later layer. */
export interface CorruptedRunV2 {
  output: Tensor<"int32"> | Tensor<"int8">;
  trace: TraceV2;
  traceRoot: Hex;
  corruption: TraceCorruption;
}

/** How many candidate (element, delta) pairs are tried before giving up: bounds the work for a large model. */
const MAX_ATTEMPTS = 4_096;
const DELTAS = [1 << 20, -(1 << 20), 64, -64] as const;

/**
 * The dishonest node's trace mode (`dishonestMode: "trace"`, test and demo only): one intermediate element of the
 * trace is changed and every later layer is recomputed from it, so the output is wrong **and** consistent with the
 * trace everywhere but at that element. A fraud game on such a receipt can only be decided by bisecting down to the
 * element and re-executing it on chain (the output check and every other element agree with the node's own trace).
 *
 * Deterministic in (model, input): layers are tried in order (dense and conv2d layers first, so the one-step proof also
 * bisects the accumulator; the last layer last), elements in order, a few deltas each, and the first change that moves
 * the output is taken. Undefined when none does within {@link MAX_ATTEMPTS} (the caller then corrupts the output).
 */
export function runCorruptedIntegerModelV2(model: IntegerModelV2, input: Int8Array): CorruptedRunV2 | undefined {
  const honest = computeTensorsV2(model, input);
  const L = model.layers.length;
  const honestOutput = getOutputV2(model, honest[L]!);
  const layers = Array.from({ length: L }, (_, i) => i + 1);
  const order = [
    ...layers.filter((k) => k < L && isAccumulating(model.layers[k - 1]!)),
    ...layers.filter((k) => k < L && !isAccumulating(model.layers[k - 1]!)),
    L,
  ];
  let attempts = 0;
  for (const k of order) {
    for (let e = 0; e < honest[k]!.length; e++) {
      for (const delta of DELTAS) {
        if (++attempts > MAX_ATTEMPTS) return undefined;
        const tensors = propagate(model, honest, k, e, delta);
        const output = getOutputV2(model, tensors[L]!);
        if (sameData(output.data, honestOutput.data)) continue;
        const trace = buildTraceV2(tensors);
        return { output, trace, traceRoot: trace.traceRoot, corruption: { tensor: k, element: e, delta } };
      }
    }
  }
  return undefined;
}

/** Tensors with element `e` of tensor `k` moved by `delta` (int32 wrap) and every later layer recomputed. */
function propagate(model: IntegerModelV2, honest: Int32Array[], k: number, e: number, delta: number): Int32Array[] {
  const tensors = honest.slice(0, k);
  const changed = Int32Array.from(honest[k]!);
  changed[e] = (changed[e]! + delta) | 0;
  tensors.push(changed);
  for (let j = k + 1; j < honest.length; j++) {
    const out = new Int32Array(honest[j]!.length);
    for (let i = 0; i < out.length; i++) out[i] = computeElement(model, tensors, j, i);
    tensors.push(out);
  }
  return tensors;
}

function sameData(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
