import type { Shape3 } from "../../../runtime/integerV2";

/**
 * A float model in runtime-v2 form: a chain of layers in `[C, H, W]` layout where layer k reads tensor k − 1 (tensor
 * 0 is the input) and `add` also tensor `src`. The compiler lowers an ONNX graph to this, calibrates on it and
 * quantizes it layer by layer.
 */
export type FloatLayer =
  | { op: "dense"; inShape: Shape3; outShape: Shape3; weights: Float64Array; bias: Float64Array }
  | {
      op: "conv2d";
      inShape: Shape3;
      outShape: Shape3;
      kernel: number;
      stride: number;
      pad: number;
      weights: Float64Array;
      bias: Float64Array;
    }
  | { op: "maxPool" | "avgPool"; inShape: Shape3; outShape: Shape3; kernel: number; stride: number }
  | { op: "flatten" | "relu"; inShape: Shape3; outShape: Shape3 }
  | { op: "add"; inShape: Shape3; outShape: Shape3; src: number };

export type FloatModel = { inputShape: Shape3; layers: FloatLayer[] };

/** True for dense and conv2d. */
export function isLinear(layer: FloatLayer): layer is Extract<FloatLayer, { op: "dense" | "conv2d" }> {
  return layer.op === "dense" || layer.op === "conv2d";
}

function runLayer(layer: FloatLayer, x: Float64Array, tensors: readonly Float64Array[]): Float64Array {
  const [C, H, W] = layer.inShape;
  const [O, OH, OW] = layer.outShape;
  const out = new Float64Array(O * OH * OW);
  switch (layer.op) {
    case "dense": {
      const n = x.length;
      for (let o = 0; o < O; o++) {
        let sum = layer.bias[o]!;
        for (let i = 0; i < n; i++) sum += layer.weights[o * n + i]! * x[i]!;
        out[o] = sum;
      }
      return out;
    }
    case "conv2d": {
      const { kernel: k, stride: s, pad: p } = layer;
      for (let o = 0; o < O; o++) {
        for (let r = 0; r < OH; r++) {
          for (let c = 0; c < OW; c++) {
            let sum = layer.bias[o]!;
            for (let ci = 0; ci < C; ci++) {
              for (let kr = 0; kr < k; kr++) {
                const ir = r * s + kr - p;
                if (ir < 0 || ir >= H) continue;
                for (let kc = 0; kc < k; kc++) {
                  const ic = c * s + kc - p;
                  if (ic < 0 || ic >= W) continue;
                  sum += layer.weights[((o * C + ci) * k + kr) * k + kc]! * x[(ci * H + ir) * W + ic]!;
                }
              }
            }
            out[(o * OH + r) * OW + c] = sum;
          }
        }
      }
      return out;
    }
    case "maxPool":
    case "avgPool": {
      const { kernel: k, stride: s } = layer;
      for (let ch = 0; ch < O; ch++) {
        for (let r = 0; r < OH; r++) {
          for (let c = 0; c < OW; c++) {
            let acc = layer.op === "maxPool" ? -Infinity : 0;
            for (let i = 0; i < k; i++) {
              for (let j = 0; j < k; j++) {
                const v = x[(ch * H + r * s + i) * W + c * s + j]!;
                acc = layer.op === "maxPool" ? Math.max(acc, v) : acc + v;
              }
            }
            out[(ch * OH + r) * OW + c] = layer.op === "maxPool" ? acc : acc / (k * k);
          }
        }
      }
      return out;
    }
    case "flatten":
      out.set(x);
      return out;
    case "relu":
      for (let i = 0; i < x.length; i++) out[i] = x[i]! > 0 ? x[i]! : 0;
      return out;
    case "add": {
      const y = tensors[layer.src]!;
      for (let i = 0; i < x.length; i++) out[i] = x[i]! + y[i]!;
      return out;
    }
  }
}

/** Runs the float chain in float64: every tensor, tensor 0 the input (row-major `[C, H, W]`). */
export function runFloatModel(model: FloatModel, input: ArrayLike<number>): Float64Array[] {
  const tensors: Float64Array[] = [Float64Array.from(input)];
  for (const layer of model.layers) tensors.push(runLayer(layer, tensors[tensors.length - 1]!, tensors));
  return tensors;
}
