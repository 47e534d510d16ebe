import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { propertyRuns } from "../helpers/propertyRuns";
import type { OneStepExecutor } from "../../typechain-types";
import { createChallenger } from "../../src/runtime/integerV2/fraudProofs";
import {
  type IntegerModelV2,
  type LayerV2,
  type OpName,
  buildTraceV2,
  computeElement,
  getExpectedOutShape,
  getModelCommitmentV2,
  getRowLength,
  getSegmentContribution,
  getSegmentCount,
  getShapeSize,
  getWeightRows,
  isAccumulating,
  validateIntegerModelV2,
  wrapInt32,
} from "../../src/runtime/integerV2";

const INT32 = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, -1, 0, 1, 127, -128),
);

const OPS: OpName[] = ["dense", "conv2d", "maxPool", "avgPool", "flatten", "add", "relu", "requantize"];

/** A random valid two-layer model whose second layer is the op under test (the first is a relu, so `add` has a src). */
const layerArb = fc
  .record({
    op: fc.constantFrom(...OPS),
    c: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 7 }),
    w: fc.integer({ min: 1, max: 7 }),
    outC: fc.integer({ min: 1, max: 3 }),
    kernel: fc.integer({ min: 1, max: 4 }),
    stride: fc.integer({ min: 1, max: 3 }),
    pad: fc.integer({ min: 0, max: 3 }),
    multiplier: fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0, 1, 0xffff)),
    shift: fc.oneof(fc.integer({ min: 1, max: 46 }), fc.constantFrom(1, 46)),
    seed: fc.integer(),
  })
  .map((r): IntegerModelV2 | undefined => {
    const inShape = [r.c, r.h, r.w] as const;
    const zero = { src: 0, kernel: 0, stride: 0, pad: 0, multiplier: 0, shift: 0 };
    const layer: LayerV2 = { ...zero, op: r.op, inShape, outShape: inShape };
    if (r.op === "conv2d")
      Object.assign(layer, { kernel: r.kernel, stride: r.stride, pad: Math.min(r.pad, r.kernel - 1) });
    if (r.op === "maxPool" || r.op === "avgPool") Object.assign(layer, { kernel: r.kernel, stride: r.stride });
    if (r.op === "requantize") Object.assign(layer, { multiplier: r.multiplier, shift: r.shift });
    if (r.op === "add") layer.src = 0;
    if (r.op === "dense") layer.outShape = [r.outC * 17, 1, 1];
    if (r.op === "conv2d") layer.outShape = [r.outC, 1, 1];
    try {
      layer.outShape = getExpectedOutShape(layer, 2);
    } catch {
      return undefined;
    }
    if (isAccumulating(layer)) {
      let s = r.seed >>> 0 || 1;
      const next = () => ((s = (s * 1103515245 + 12345) >>> 0), s);
      const rows = getWeightRows(layer);
      layer.bias = Int32Array.from({ length: rows }, () => next() | 0);
      layer.weights = Int8Array.from({ length: rows * getRowLength(layer) }, () => (next() >>> 8) & 0xff);
    }
    const model: IntegerModelV2 = {
      inputShape: inShape,
      outputOp: "identity",
      input: { mean: 0, scale: 1 },
      layers: [{ ...zero, op: "relu", inShape, outShape: inShape }, layer],
    };
    try {
      validateIntegerModelV2(model);
      return model;
    } catch {
      return undefined;
    }
  });

describe("OneStepExecutor (differential: TypeScript runtime vs Solidity one-step)", function () {
  this.timeout(120_000);
  let executor: OneStepExecutor;

  before(async function () {
    executor = (await ethers.deployContract("OneStepExecutor")) as unknown as OneStepExecutor;
  });

  it("computes the same value as the TypeScript runtime for random layers, elements, segments and int32 inputs", async function () {
    let checked = 0;
    const ops = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        layerArb,
        fc.array(INT32, { minLength: 1024, maxLength: 1024 }),
        fc.nat(),
        fc.nat(),
        INT32,
        async (model, pool, ePick, sPick, accIn) => {
          fc.pre(model !== undefined);
          const m = model!;
          const layer = m.layers[1]!;
          const n = getShapeSize(layer.inShape);
          // Arbitrary int32 tensors (a trace need not be consistent for the executor to recompute from it).
          const t0 = Int32Array.from({ length: n }, (_, i) => pool[i % pool.length]!);
          const t1 = Int32Array.from({ length: n }, (_, i) => pool[(i * 7 + 3) % pool.length]!);
          const t2 = new Int32Array(getShapeSize(layer.outShape));
          const tensors = [t0, t1, t2];
          const trace = buildTraceV2(tensors);
          const commitment = getModelCommitmentV2(m);
          const challenger = createChallenger(m, commitment, trace);
          const roots = trace.chunkTrees.map((lv) => ethers.hexlify(lv[lv.length - 1]![0]!) as `0x${string}`);
          challenger.pickTensor(roots.map(() => ethers.ZeroHash as `0x${string}`));
          challenger.pickTensor(roots);
          const e = ePick % t2.length;
          const segment = isAccumulating(layer) ? sPick % getSegmentCount(layer) : 0;
          const start = isAccumulating(layer) ? accIn : 0;
          const expected = isAccumulating(layer)
            ? wrapInt32(start + getSegmentContribution(layer, t1, e, segment))
            : computeElement(m, tensors, 2, e);
          const step = challenger.step(2, e, segment, start, roots);
          const value = await executor.execute(commitment.modelId, trace.traceRoot, step);
          expect(Number(value)).to.equal(expected, `${layer.op} element ${e} segment ${segment}`);
          checked++;
          ops.add(layer.op);
        },
      ),
      { numRuns: propertyRuns(80), seed: 20261203 },
    );
    // About half the generated layers are valid models; the coverage pass makes a fifth of the runs (and
    // OneStepExecutor.edges.test.ts reaches every op there), so only `npm test` asks for all eight ops.
    expect(checked).to.be.greaterThan(propertyRuns(80) / 4);
    if (!process.env.VERITY_COVERAGE) expect([...ops].sort()).to.deep.equal([...OPS].sort());
  });
});
