import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { OneStepExecutor } from "../../typechain-types";
import { propertyRuns } from "../helpers/propertyRuns";
import { createChallenger } from "../../src/runtime/integerV2/fraudProofs";
import { buildEdgeModels, buildInput, buildTestModel } from "../../src/models/build/syntheticV2";
import {
  buildTraceV2,
  computeTensorsV2,
  getModelCommitmentV2,
  getOutputV2,
  getShapeSize,
  getTraceChunkProofV2,
} from "../../src/runtime/integerV2";
import { type OneStepHex, type Tensor, bytesToHex, encodeTensor, getTensorHash } from "../../src/protocol";

type Hex = `0x${string}`;
/** A view's `[bool, value]` result as a plain array (ethers' `Result` is not one for chai's deep equality). */
const pair = async (result: Promise<readonly [boolean, unknown]>) => Array.from(await result);
const hex = (b: Uint8Array) => bytesToHex(b) as Hex;

/** `keccak256(keccak256(header) ‖ weightsRoot)`: the model id a header and weights root commit to. */
const modelIdOf = (header: Hex, weightsRoot: Hex) =>
  ethers.keccak256(ethers.concat([ethers.keccak256(header), weightsRoot])) as Hex;

/** A header of `layers` records (op, in and out shapes [n, 1, 1]); `count` overrides the layer-count byte. */
function craftHeader(ops: { op: number; n: number; src?: number }[], outputOp = 0, count = ops.length): Uint8Array {
  const out = new Uint8Array(32 + 32 * ops.length);
  const view = new DataView(out.buffer);
  out.set([0x56, 0x49, 0x4e, 0x32, 2, outputOp, count], 0);
  view.setUint32(8, ops[0]?.n ?? 1);
  view.setUint32(12, 1);
  view.setUint32(16, 1);
  ops.forEach(({ op, n, src }, i) => {
    const at = 32 + 32 * i;
    out[at] = op;
    out[at + 1] = src ?? 0;
    [n, 1, 1, n, 1, 1].forEach((d, j) => view.setUint32(at + 8 + 4 * j, d));
  });
  return out;
}

/** The chunk proofs a one-step needs for tensor `t`, chunk `index`. */
function chunkOf(trace: ReturnType<typeof buildTraceV2>, t: number, index: number) {
  const c = getTraceChunkProofV2(trace, t, index);
  return {
    tensor: t,
    index,
    data: hex(c.data),
    tensorRoot: hex(c.tensorRoot),
    tensorProof: c.tensorProof.map(hex),
    chunkProof: c.chunkProof.map(hex),
  };
}

/** Whole last tensor as `outputHashOf` takes it, with its proof against the trace root. */
function finalTensor(trace: ReturnType<typeof buildTraceV2>) {
  const last = trace.tensors.length - 1;
  const chunks = Math.ceil(trace.tensors[last]!.length / 32);
  const data = ethers.concat(Array.from({ length: chunks }, (_, i) => chunkOf(trace, last, i).data)) as Hex;
  return { data, proof: chunkOf(trace, last, 0).tensorProof };
}

/**
 * The one-step executor's refusals and edge rules, each from a valid step of the test CNN (conv2d → requantize → relu
 * → add → maxPool → avgPool → flatten → dense 16→40 → requantize → dense 40→5) mutated in one place.
 */
describe("OneStepExecutor edges", function () {
  this.timeout(120_000);

  async function deployExecutor() {
    const executor = (await ethers.deployContract("OneStepExecutor")) as unknown as OneStepExecutor;
    const model = buildTestModel();
    const commitment = getModelCommitmentV2(model);
    const input = buildInput(model);
    const tensors = computeTensorsV2(model, input.data);
    const trace = buildTraceV2(tensors);
    const challenger = createChallenger(model, commitment, trace);
    const roots = trace.chunkTrees.map((lv) => hex(lv[lv.length - 1]![0]!));
    challenger.pickTensor(roots);
    const step = (k: number, e: number, s = 0, acc = 0): OneStepHex => challenger.step(k, e, s, acc, roots);
    return { executor, model, commitment, tensors, trace, step, modelId: commitment.modelId as Hex };
  }

  describe("step bounds", function () {
    it("reverts OneStepLayerOutOfRange for layer 0 and for layer L + 1", async function () {
      const { executor, modelId, trace, step } = await loadFixture(deployExecutor);
      for (const layer of [0, 11]) {
        await expect(executor.execute(modelId, trace.traceRoot, { ...step(3, 0), layer }))
          .to.be.revertedWithCustomError(executor, "OneStepLayerOutOfRange")
          .withArgs(layer, 10);
      }
    });

    it("reverts OneStepElementOutOfRange for the element one past the layer's output", async function () {
      const { executor, modelId, trace, step } = await loadFixture(deployExecutor);
      // layer 5 (maxPool) outputs 4 × 3 × 3 = 36 elements
      await expect(executor.execute(modelId, trace.traceRoot, { ...step(5, 0), element: 36 }))
        .to.be.revertedWithCustomError(executor, "OneStepElementOutOfRange")
        .withArgs(36, 36);
    });

    it("reverts OneStepSegmentOutOfRange past the last segment (dense 40 inputs: 2; conv2d 1 × 3: 3; relu: 1)", async function () {
      const { executor, modelId, trace, step } = await loadFixture(deployExecutor);
      for (const [k, segments] of [
        [10, 2],
        [1, 3],
        [3, 1],
      ] as const) {
        await expect(executor.execute(modelId, trace.traceRoot, { ...step(k, 0), segment: segments }))
          .to.be.revertedWithCustomError(executor, "OneStepSegmentOutOfRange")
          .withArgs(segments, segments);
      }
    });
  });

  describe("model header (ModelHeaderV2.check)", function () {
    it("reverts ModelHeaderMismatch when the header and weights root are not the model id's", async function () {
      const { executor, modelId, trace, step } = await loadFixture(deployExecutor);
      const s = step(3, 0);
      const otherRoot = ethers.keccak256("0x01") as Hex;
      await expect(
        executor.execute(modelId, trace.traceRoot, { ...s, weights: { ...s.weights, weightsRoot: otherRoot } }),
      )
        .to.be.revertedWithCustomError(executor, "ModelHeaderMismatch")
        .withArgs(modelId, modelIdOf(s.weights.header, otherRoot));
    });

    it("reverts ModelHeaderMalformed for a header shorter than its prefix, with no layer, or of the wrong length", async function () {
      const { executor, trace, step } = await loadFixture(deployExecutor);
      const s = step(3, 0);
      const valid = ethers.getBytes(s.weights.header);
      const cases: [Uint8Array, number, number][] = [
        [valid.slice(0, 31), 31, 0],
        [craftHeader([], 0, 0), 32, 0],
        [valid.slice(0, valid.length - 1), valid.length - 1, 10],
        [ethers.getBytes(ethers.concat([valid, new Uint8Array(32)])), valid.length + 32, 10],
      ];
      for (const [bytes, length, layers] of cases) {
        const header = hex(bytes);
        const id = modelIdOf(header, s.weights.weightsRoot);
        await expect(executor.execute(id, trace.traceRoot, { ...s, weights: { ...s.weights, header } }))
          .to.be.revertedWithCustomError(executor, "ModelHeaderMalformed")
          .withArgs(length, layers);
      }
    });

    it("reverts OneStepUnknownOp for a committed layer whose op is none of the eight", async function () {
      const { executor } = await loadFixture(deployExecutor);
      for (const op of [0, 9, 255]) {
        const header = hex(craftHeader([{ op, n: 1 }]));
        const weightsRoot = ethers.ZeroHash as Hex;
        const trace = buildTraceV2([Int32Array.of(5), Int32Array.of(0)]);
        const step: OneStepHex = {
          layer: 1,
          element: 0,
          segment: 0,
          accIn: 0,
          weights: { header, weightsRoot, layerWeightsRoot: weightsRoot, layerProof: [], leaf: "0x", leafProof: [] },
          inputs: [chunkOf(trace, 0, 0)],
        };
        await expect(executor.execute(modelIdOf(header, weightsRoot), trace.traceRoot, step))
          .to.be.revertedWithCustomError(executor, "OneStepUnknownOp")
          .withArgs(op);
      }
    });
  });

  describe("input chunks", function () {
    it("reverts OneStepBadChunk for a chunk of a tensor the layer does not read", async function () {
      const { executor, modelId, trace, step } = await loadFixture(deployExecutor);
      // relu (layer 3) reads tensor 2 only; tensor 1's chunk 0 is genuine but not allowed
      const s = step(3, 0);
      await expect(executor.execute(modelId, trace.traceRoot, { ...s, inputs: [...s.inputs, chunkOf(trace, 1, 0)] }))
        .to.be.revertedWithCustomError(executor, "OneStepBadChunk")
        .withArgs(1, 0);
    });

    it("reverts OneStepBadChunk for a short chunk, a wrong tensor proof and a wrong chunk proof", async function () {
      const { executor, modelId, trace, step } = await loadFixture(deployExecutor);
      const s = step(3, 40);
      const c = s.inputs[0]!;
      expect([c.tensor, c.index]).to.deep.equal([2, 1]);
      const flip = (h: Hex) => ethers.toBeHex(BigInt(h) ^ 1n, 32) as Hex;
      const bad = [
        { ...c, data: ethers.dataSlice(c.data, 0, 124) as Hex },
        { ...c, tensorProof: [flip(c.tensorProof[0]!), ...c.tensorProof.slice(1)] },
        { ...c, chunkProof: [flip(c.chunkProof[0]!), ...c.chunkProof.slice(1)] },
        { ...c, tensorRoot: flip(c.tensorRoot) },
        {
          ...c,
          data: flip(ethers.dataSlice(c.data, 0, 32) as Hex).concat(ethers.dataSlice(c.data, 32).slice(2)) as Hex,
        },
      ];
      for (const input of bad) {
        await expect(executor.execute(modelId, trace.traceRoot, { ...s, inputs: [input] }))
          .to.be.revertedWithCustomError(executor, "OneStepBadChunk")
          .withArgs(2, 1);
      }
    });

    it("reverts OneStepMissingInput naming the tensor and element when the chunk holding an input is absent", async function () {
      const { executor, modelId, trace, step } = await loadFixture(deployExecutor);
      // relu element 40 reads tensor 2 element 40 (chunk 1); chunk 0 is proven but the wrong one
      await expect(executor.execute(modelId, trace.traceRoot, { ...step(3, 40), inputs: [chunkOf(trace, 2, 0)] }))
        .to.be.revertedWithCustomError(executor, "OneStepMissingInput")
        .withArgs(2, 40);
      // add (layer 4, src 2) with its tensor-3 operand but not its src operand
      const add = step(4, 5);
      await expect(
        executor.execute(modelId, trace.traceRoot, { ...add, inputs: add.inputs.filter((i) => i.tensor === 3) }),
      )
        .to.be.revertedWithCustomError(executor, "OneStepMissingInput")
        .withArgs(2, 5);
      // dense segment 1 (layer 10) reads chunk 1 of tensor 9
      await expect(executor.execute(modelId, trace.traceRoot, { ...step(10, 0, 1), inputs: [chunkOf(trace, 9, 0)] }))
        .to.be.revertedWithCustomError(executor, "OneStepMissingInput")
        .withArgs(9, 32);
    });
  });

  describe("weights", function () {
    it("reverts OneStepBadWeights for a leaf of the wrong length (segment 0 with no bias, a padded last segment)", async function () {
      const { executor, modelId, trace, step } = await loadFixture(deployExecutor);
      const s0 = step(10, 3, 0);
      const noBias = { ...s0, weights: { ...s0.weights, leaf: ethers.dataSlice(s0.weights.leaf, 4) as Hex } };
      await expect(executor.execute(modelId, trace.traceRoot, noBias))
        .to.be.revertedWithCustomError(executor, "OneStepBadWeights")
        .withArgs(10, 3 * 2 + 0);
      const s1 = step(10, 3, 1);
      expect(ethers.dataLength(s1.weights.leaf)).to.equal(8);
      const padded = { ...s1, weights: { ...s1.weights, leaf: ethers.concat([s1.weights.leaf, "0x00"]) as Hex } };
      await expect(executor.execute(modelId, trace.traceRoot, padded))
        .to.be.revertedWithCustomError(executor, "OneStepBadWeights")
        .withArgs(10, 3 * 2 + 1);
    });

    it("reverts OneStepBadWeights for another row's leaf, a wrong layer proof and a wrong layer root", async function () {
      const { executor, modelId, trace, step } = await loadFixture(deployExecutor);
      // conv2d (layer 1): element 40 is in channel 1, segment 2 is kernel row 2 → leaf 1 · 3 + 2
      const s = step(1, 40, 2);
      const other = step(1, 0, 2);
      const flip = (h: Hex) => ethers.toBeHex(BigInt(h) ^ 1n, 32) as Hex;
      for (const weights of [
        { ...s.weights, leaf: other.weights.leaf, leafProof: other.weights.leafProof },
        { ...s.weights, layerProof: [flip(s.weights.layerProof[0]!), ...s.weights.layerProof.slice(1)] },
        { ...s.weights, layerWeightsRoot: flip(s.weights.layerWeightsRoot) },
      ]) {
        await expect(executor.execute(modelId, trace.traceRoot, { ...s, weights }))
          .to.be.revertedWithCustomError(executor, "OneStepBadWeights")
          .withArgs(1, 5);
      }
    });
  });

  describe("element rules", function () {
    it("recomputes every op of the test CNN from a valid step (dense segments chained, conv2d borders)", async function () {
      const { executor, modelId, trace, tensors, step, model } = await loadFixture(deployExecutor);
      const run = async (k: number, e: number, segments: number) => {
        let acc = 0;
        for (let s = 0; s < segments; s++) {
          acc = Number(await executor.execute(modelId, trace.traceRoot, step(k, e, s, acc)));
        }
        return acc;
      };
      // conv2d corners and an inner element (6 × 6, pad 1: the top-left reads padding rows and columns)
      for (const e of [0, 5, 14, 35, 36 + 30]) expect(await run(1, e, 3)).to.equal(tensors[1]![e]);
      for (let k = 2; k <= 7; k++) {
        const n = getShapeSize(model.layers[k - 1]!.outShape);
        for (const e of [0, n - 1]) expect(await run(k, e, 1)).to.equal(tensors[k]![e], `layer ${k} element ${e}`);
      }
      for (const e of [0, 39]) expect(await run(8, e, 1)).to.equal(tensors[8]![e]);
      expect(await run(9, 7, 1)).to.equal(tensors[9]![7]);
      for (const e of [0, 4]) expect(await run(10, e, 2)).to.equal(tensors[10]![e]);
    });

    it("avgPool rounds half up with a floor for negative sums; maxPool takes an all-negative window's maximum", async function () {
      const { executor } = await loadFixture(deployExecutor);
      // one 2 × 2 window (pool in [1, 2, 2] → out [1, 1, 1])
      const header = craftHeader([{ op: 4, n: 4 }]);
      const view = new DataView(header.buffer);
      header[34] = 2; // kernel
      header[35] = 2; // stride
      [1, 2, 2, 1, 1, 1].forEach((d, j) => view.setUint32(40 + 4 * j, d));
      [1, 2, 2].forEach((d, j) => view.setUint32(8 + 4 * j, d));
      const weightsRoot = ethers.ZeroHash as Hex;
      const valueOf = async (op: number, window: number[]) => {
        header[32] = op;
        const h = hex(header);
        const trace = buildTraceV2([Int32Array.from(window), Int32Array.of(0)]);
        return executor.execute(modelIdOf(h, weightsRoot), trace.traceRoot, {
          layer: 1,
          element: 0,
          segment: 0,
          accIn: 0,
          weights: { header: h, weightsRoot, layerWeightsRoot: weightsRoot, layerProof: [], leaf: "0x", leafProof: [] },
          inputs: [chunkOf(trace, 0, 0)],
        });
      };
      // floor((Σ + 2) / 4)
      expect(await valueOf(4, [-1, -1, -1, -1])).to.equal(-1n); // (-4 + 2) / 4 = -0.5 → -1
      expect(await valueOf(4, [-2, -2, -2, 0])).to.equal(-1n); // -4 / 4 = -1 exactly
      expect(await valueOf(4, [-3, -3, -3, -3])).to.equal(-3n); // -10 / 4 = -2.5 → -3
      expect(await valueOf(4, [1, 0, 0, 1])).to.equal(1n); // 4 / 4 = 1
      expect(await valueOf(4, [1, 0, 0, 0])).to.equal(0n); // 3 / 4 → 0
      expect(await valueOf(4, [-(2 ** 31), -(2 ** 31), -(2 ** 31), -(2 ** 31)])).to.equal(-(2n ** 31n));
      expect(await valueOf(3, [-9, -7, -8, -(2 ** 31)])).to.equal(-7n);
      expect(await valueOf(3, [2 ** 31 - 1, -1, 0, 5])).to.equal(2n ** 31n - 1n);
    });

    it("relu zeroes negatives and int32 min; add wraps at both int32 ends; requantize saturates and rounds ties up", async function () {
      const { executor } = await loadFixture(deployExecutor);
      const weightsRoot = ethers.ZeroHash as Hex;
      /** Layer 2 of [relu(1), op(2)] on tensors [x, x, 0]: `add` has src 1, so it adds x to itself. */
      const valueOf = async (op: number, x: number, multiplier = 0, shift = 0) => {
        const header = craftHeader([
          { op: 7, n: 1 },
          { op, n: 1, src: 1 },
        ]);
        header[64 + 5] = shift;
        new DataView(header.buffer).setUint16(64 + 6, multiplier);
        const h = hex(header);
        const trace = buildTraceV2([Int32Array.of(x), Int32Array.of(x), Int32Array.of(0)]);
        return executor.execute(modelIdOf(h, weightsRoot), trace.traceRoot, {
          layer: 2,
          element: 0,
          segment: 0,
          accIn: 0,
          weights: { header: h, weightsRoot, layerWeightsRoot: weightsRoot, layerProof: [], leaf: "0x", leafProof: [] },
          inputs: [chunkOf(trace, 1, 0)],
        });
      };
      expect(await valueOf(7, -(2 ** 31))).to.equal(0n);
      expect(await valueOf(7, -1)).to.equal(0n);
      expect(await valueOf(7, 0)).to.equal(0n);
      expect(await valueOf(7, 2 ** 31 - 1)).to.equal(2n ** 31n - 1n);
      expect(await valueOf(5, -5)).to.equal(-5n); // flatten copies
      expect(await valueOf(6, 2 ** 31 - 1)).to.equal(-2n); // (2^31 - 1) · 2 wraps to -2
      expect(await valueOf(6, -(2 ** 31))).to.equal(0n); // -2^32 wraps to 0
      expect(await valueOf(6, -7)).to.equal(-14n);
      // requantize: floor((x · M + 2^(s-1)) / 2^s), clamped to int8
      expect(await valueOf(8, 1, 1, 1)).to.equal(1n); // 0.5 → 1 (tie up)
      expect(await valueOf(8, -1, 1, 1)).to.equal(0n); // -0.5 → 0 (tie up)
      expect(await valueOf(8, -3, 1, 1)).to.equal(-1n); // -1.5 → -1
      expect(await valueOf(8, 255, 1, 1)).to.equal(127n); // 128 → 127
      expect(await valueOf(8, -257, 1, 1)).to.equal(-128n); // -128.5 → -128
      expect(await valueOf(8, -259, 1, 1)).to.equal(-128n); // -129.5 → -129 → -128
      expect(await valueOf(8, 2 ** 31 - 1, 0xffff, 46)).to.equal(2n); // (2^31 - 1) · 65535 / 2^46 ≈ 2.0
      expect(await valueOf(8, -(2 ** 31), 0xffff, 46)).to.equal(-2n);
      expect(await valueOf(8, 12_345, 0, 1)).to.equal(0n); // multiplier 0: only the rounding half, floored
    });
  });

  describe("a malformed model commitment: named errors, never a panic", function () {
    /** Layer 2 of [relu(1), op(2)] on tensors [x, x, 0], with the given parameter bytes of layer 2's record. */
    async function malformed(op: number, fields: { src?: number; kernel?: number; shift?: number }, inputs = [1]) {
      const { executor } = await loadFixture(deployExecutor);
      const weightsRoot = ethers.ZeroHash as Hex;
      const header = craftHeader([
        { op: 7, n: 1 },
        { op, n: 1, src: fields.src ?? 0 },
      ]);
      header[64 + 2] = fields.kernel ?? 0;
      header[64 + 5] = fields.shift ?? 0;
      new DataView(header.buffer).setUint16(64 + 6, 1);
      const h = hex(header);
      const trace = buildTraceV2([Int32Array.of(3), Int32Array.of(3), Int32Array.of(0)]);
      const call = executor.execute(modelIdOf(h, weightsRoot), trace.traceRoot, {
        layer: 2,
        element: 0,
        segment: 0,
        accIn: 0,
        weights: { header: h, weightsRoot, layerWeightsRoot: weightsRoot, layerProof: [], leaf: "0x", leafProof: [] },
        inputs: inputs.map((t) => ({ ...chunkOf(trace, 1, 0), tensor: t })),
      });
      return { executor, call };
    }

    it("reverts OneStepRequantizeShiftOutOfRange for a requantize shift of 0 (once an underflow panic) or above 46", async function () {
      for (const shift of [0, 47, 255]) {
        const { executor, call } = await malformed(8, { shift });
        await expect(call)
          .to.be.revertedWithCustomError(executor, "OneStepRequantizeShiftOutOfRange")
          .withArgs(2, shift);
      }
      const { call } = await malformed(8, { shift: 1 });
      expect(await call).to.equal(2n); // floor((3 + 1) / 2): the smallest shift the runtime allows still executes
    });

    it("reverts OneStepPoolKernelZero for a pooling window of zero (avgPool once divided by zero)", async function () {
      for (const op of [3, 4]) {
        const { executor, call } = await malformed(op, { kernel: 0 });
        await expect(call).to.be.revertedWithCustomError(executor, "OneStepPoolKernelZero").withArgs(2);
      }
    });

    it("reverts OneStepAddSourceOutOfRange for an add reading itself or a tensor past the header (once an out-of-bounds read)", async function () {
      for (const src of [2, 200]) {
        const { executor, call } = await malformed(6, { src }, [1, src]);
        await expect(call).to.be.revertedWithCustomError(executor, "OneStepAddSourceOutOfRange").withArgs(2, src);
      }
    });

    it("reverts OneStepAccumulatorOutOfRange for a starting accumulator outside int32", async function () {
      const { executor, modelId, trace, step } = await loadFixture(deployExecutor);
      for (const accIn of [2n ** 31n, -(2n ** 31n) - 1n, 2n ** 255n - 1n]) {
        await expect(executor.execute(modelId, trace.traceRoot, { ...step(10, 0, 1), accIn }))
          .to.be.revertedWithCustomError(executor, "OneStepAccumulatorOutOfRange")
          .withArgs(accIn);
      }
    });

    it("inputElementOf answers invalid for an encoding whose dimensions overflow (once a multiplication panic)", async function () {
      const { executor } = await loadFixture(deployExecutor);
      const dims = 9;
      const head = new Uint8Array(3 + 4 * dims).fill(0xff);
      head.set([1, 1, dims], 0); // version 1, int8, 9 dimensions of 2^32 - 1
      const enc = ethers.concat([head, new Uint8Array(6)]) as Hex;
      expect(await pair(executor.inputElementOf(enc, 6, 0))).to.deep.equal([false, 0n]);
    });

    it("any one byte of any layer record changed: the step returns or reverts with a named error", async function () {
      const { executor, trace, step } = await loadFixture(deployExecutor);
      const known = new Set<string>();
      executor.interface.forEachError((error) => known.add(error.selector));
      const runs = propertyRuns(60);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 10 }),
          fc.integer({ min: 0, max: 31 }),
          fc.integer({ min: 0, max: 255 }),
          async (k, offset, value) => {
            const s = step(k, 0);
            const header = ethers.getBytes(s.weights.header);
            header[32 * k + offset] = value;
            const h = hex(header);
            const id = modelIdOf(h, s.weights.weightsRoot);
            try {
              await executor.execute.staticCall(id, trace.traceRoot, { ...s, weights: { ...s.weights, header: h } });
            } catch (error) {
              const data = (error as { data?: string }).data ?? "0x";
              expect(data.length, `empty revert at layer ${k} byte ${offset} = ${value}`).to.be.at.least(10);
              expect(known.has(data.slice(0, 10)), `unnamed revert ${data}`).to.equal(true);
            }
          },
        ),
        { numRuns: runs },
      );
    });
  });

  describe("outputHashOf", function () {
    it("hashes the argmax of the test CNN's last tensor as the receipt output", async function () {
      const { executor, modelId, trace, model, tensors, commitment } = await loadFixture(deployExecutor);
      const { data, proof } = finalTensor(trace);
      const expected = getTensorHash(getOutputV2(model, tensors[tensors.length - 1]!));
      expect(
        await pair(
          executor.outputHashOf(
            modelId,
            trace.traceRoot,
            hex(commitment.header),
            hex(commitment.weightsRoot),
            proof,
            data,
          ),
        ),
      ).to.deep.equal([true, expected]);
    });

    it("hashes an identity int8 output and an identity int32 output as [1, n] tensors", async function () {
      const { executor } = await loadFixture(deployExecutor);
      const edges = buildEdgeModels();
      for (const name of ["requantEdges", "int32Wrap"]) {
        const { model, input } = edges[name]!;
        const c = getModelCommitmentV2(model);
        const tensors = computeTensorsV2(model, input.data);
        const trace = buildTraceV2(tensors);
        const { data, proof } = finalTensor(trace);
        const expected = getTensorHash(getOutputV2(model, tensors[tensors.length - 1]!));
        expect(
          await pair(executor.outputHashOf(c.modelId, trace.traceRoot, hex(c.header), hex(c.weightsRoot), proof, data)),
        ).to.deep.equal([true, expected], name);
      }
    });

    it("answers invalid for an int8 output tensor holding a value outside int8 (either end)", async function () {
      const { executor } = await loadFixture(deployExecutor);
      const { model, input } = buildEdgeModels().requantEdges!;
      const c = getModelCommitmentV2(model);
      for (const bad of [128, -129]) {
        const tensors = computeTensorsV2(model, input.data);
        tensors[tensors.length - 1]![3] = bad;
        const trace = buildTraceV2(tensors);
        const { data, proof } = finalTensor(trace);
        expect(
          await pair(executor.outputHashOf(c.modelId, trace.traceRoot, hex(c.header), hex(c.weightsRoot), proof, data)),
        ).to.deep.equal([false, ethers.ZeroHash]);
      }
    });

    it("reverts OneStepBadChunk for chunks of the wrong length or not the trace's last tensor", async function () {
      const { executor, modelId, trace, tensors, commitment } = await loadFixture(deployExecutor);
      const { data, proof } = finalTensor(trace);
      const [h, w] = [hex(commitment.header), hex(commitment.weightsRoot)];
      await expect(executor.outputHashOf(modelId, trace.traceRoot, h, w, proof, ethers.concat([data, "0x00"])))
        .to.be.revertedWithCustomError(executor, "OneStepBadChunk")
        .withArgs(10, 1);
      const other = tensors.map((t) => Int32Array.from(t));
      other[10]![0]! += 1;
      const wrong = finalTensor(buildTraceV2(other));
      await expect(executor.outputHashOf(modelId, trace.traceRoot, h, w, proof, wrong.data))
        .to.be.revertedWithCustomError(executor, "OneStepBadChunk")
        .withArgs(10, 1);
      await expect(executor.outputHashOf(modelId, trace.traceRoot, h, w, [], data))
        .to.be.revertedWithCustomError(executor, "OneStepBadChunk")
        .withArgs(10, 1);
    });

    it("reverts OneStepOutputTooLarge for a last tensor of more than 1024 elements", async function () {
      const { executor } = await loadFixture(deployExecutor);
      const header = hex(craftHeader([{ op: 7, n: 1025 }]));
      const weightsRoot = ethers.ZeroHash as Hex;
      await expect(
        executor.outputHashOf(modelIdOf(header, weightsRoot), ethers.ZeroHash, header, weightsRoot, [], "0x"),
      )
        .to.be.revertedWithCustomError(executor, "OneStepOutputTooLarge")
        .withArgs(1025, 1024);
    });
  });

  describe("inputElementOf", function () {
    const input: Tensor<"int8"> = { dtype: "int8", shape: [2, 3], data: Int8Array.of(1, -2, 3, -128, 127, 0) };
    const encoding = hex(encodeTensor(input));

    it("reads every element of a canonical int8 encoding", async function () {
      const { executor } = await loadFixture(deployExecutor);
      for (let e = 0; e < 6; e++) {
        expect(await pair(executor.inputElementOf(encoding, 6, e))).to.deep.equal([true, BigInt(input.data[e]!)]);
      }
    });

    it("answers invalid for a short, foreign-version, non-int8, wrong-size or out-of-range read", async function () {
      const { executor } = await loadFixture(deployExecutor);
      const bytes = ethers.getBytes(encoding);
      const with_ = (i: number, v: number) => {
        const b = Uint8Array.from(bytes);
        b[i] = v;
        return hex(b);
      };
      const int32 = hex(encodeTensor({ dtype: "int32", shape: [6], data: Int32Array.of(1, 2, 3, 4, 5, 6) }));
      const cases: [Hex, number, number][] = [
        ["0x0101", 0, 0], // shorter than the 3-byte head
        [with_(0, 2), 6, 0], // encoding version 2
        [int32, 6, 0], // int32 dtype
        [encoding, 5, 0], // size does not fit the length
        [encoding, 6, 6], // element past the end
        [with_(3, 3), 6, 0], // shape [3, 3] with 6 data bytes: 9 elements ≠ size 6
        [ethers.concat([encoding, "0x00"]) as Hex, 6, 0], // trailing byte
      ];
      for (const [enc, size, e] of cases) {
        expect(await pair(executor.inputElementOf(enc, size, e))).to.deep.equal([false, 0n], `${enc} ${size} ${e}`);
      }
    });
  });
});
