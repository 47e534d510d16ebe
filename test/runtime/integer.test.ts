import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import fc from "fast-check";
import { bytesToHex, createTensor, getTensorHash } from "../../src/protocol";
import {
  type IntegerModel,
  ModelFormatError,
  RuntimeInputError,
  createIntegerRuntime,
  parseIntegerModel,
  requantize,
  runIntegerModel,
  serializeIntegerModel,
} from "../../src/runtime";

// A hand-checked model: 2 inputs -> 2 hidden (ReLU, requantized by 3/2^2) -> 2 int32 logits, identity output.
function tinyModel(outputOp: "identity" | "argmax" = "identity"): IntegerModel {
  return {
    inputSize: 2,
    outputOp,
    input: { mean: Float32Array.of(0, 0), scale: Float32Array.of(1, 1) },
    layers: [
      {
        inputSize: 2,
        outputSize: 2,
        relu: true,
        requantize: true,
        multiplier: 3,
        shift: 2,
        weights: Int8Array.of(1, 2, -3, 4),
        bias: Int32Array.of(1, -2),
      },
      {
        inputSize: 2,
        outputSize: 2,
        relu: false,
        requantize: false,
        multiplier: 0,
        shift: 0,
        weights: Int8Array.of(127, -128, -1, 1),
        bias: Int32Array.of(0, 5),
      },
    ],
  };
}

describe("integer runtime", function () {
  describe("requantize", function () {
    it("rounds half up (toward +infinity), exactly", function () {
      // 5*1/2 = 2.5 -> 3; -5*1/2 = -2.5 -> -2; 7*3/4 = 5.25 -> 5; -7*3/4 = -5.25 -> -5
      expect(requantize(5, 1, 1)).to.equal(3);
      expect(requantize(-5, 1, 1)).to.equal(-2);
      expect(requantize(7, 3, 2)).to.equal(5);
      expect(requantize(-7, 3, 2)).to.equal(-5);
    });
    it("equals the BigInt definition floor((acc*m + 2^(s-1)) / 2^s) over the whole int32 x uint16 range", function () {
      fc.assert(
        fc.property(fc.integer(), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 1, max: 46 }), (acc, m, s) => {
          const numerator = BigInt(acc) * BigInt(m) + (1n << BigInt(s - 1));
          const denominator = 1n << BigInt(s);
          let q = numerator / denominator;
          if (numerator < 0n && q * denominator !== numerator) q -= 1n; // floor for negatives
          expect(requantize(acc, m, s)).to.equal(Number(q));
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe("runIntegerModel", function () {
    it("computes the hand-checked golden output and trace", function () {
      const { output, trace, traceHashes, traceRoot } = runIntegerModel(
        tinyModel(),
        createTensor("int8", [1, 2], [10, -3]),
      );
      // hidden: acc = [1 + 10 - 6, -2 - 30 - 12] = [5, -44]; requant 3/4: [floor(15/4+.5)=4, floor(-132/4+.5)=-33]; relu: [4, 0]
      expect(Array.from(trace[1]!.data as Int8Array)).to.deep.equal([4, 0]);
      // logits: [127*4 - 128*0 + 0, -4 + 0 + 5] = [508, 1]
      expect(output.dtype).to.equal("int32");
      expect(Array.from(output.data)).to.deep.equal([508, 1]);
      const tree = StandardMerkleTree.of(
        traceHashes.map((h) => [bytesToHex(h)]),
        ["bytes32"],
        { sortLeaves: false },
      );
      expect(traceRoot).to.equal(tree.root);
      expect(bytesToHex(traceHashes[2]!)).to.equal(getTensorHash(createTensor("int32", [1, 2], [508, 1])));
    });

    it("wraps int32 accumulation instead of overflowing to a float", function () {
      const model = tinyModel();
      model.layers[1]!.bias = Int32Array.of(2147483647, -2147483648);
      const { output } = runIntegerModel(model, createTensor("int8", [1, 2], [10, -3]));
      expect(Array.from(output.data)).to.deep.equal([(2147483647 + 508) | 0, (-2147483648 + 1 - 5) | 0]);
    });

    it("saturates requantized values to int8", function () {
      const model = tinyModel();
      model.layers[0]!.multiplier = 0xffff;
      const { trace } = runIntegerModel(model, createTensor("int8", [1, 2], [127, 127]));
      expect(Array.from(trace[1]!.data as Int8Array)).to.deep.equal([127, 127]);
    });

    it("argmax returns the first index of the maximum as int32 [1]", function () {
      const { output } = runIntegerModel(tinyModel("argmax"), createTensor("int8", [2], [10, -3]));
      expect(output.shape).to.deep.equal([1]);
      expect(Array.from(output.data)).to.deep.equal([0]);
    });

    it("is a pure function of the input (same result twice; a changed input changes the trace root)", function () {
      const model = tinyModel();
      fc.assert(
        fc.property(fc.integer({ min: -128, max: 127 }), fc.integer({ min: -128, max: 127 }), (a, b) => {
          const first = runIntegerModel(model, createTensor("int8", [1, 2], [a, b]));
          const second = runIntegerModel(model, createTensor("int8", [1, 2], [a, b]));
          expect(second.traceRoot).to.equal(first.traceRoot);
          const other = runIntegerModel(model, createTensor("int8", [1, 2], [a, b === 127 ? 126 : b + 1]));
          expect(other.traceRoot).to.not.equal(first.traceRoot);
        }),
        { numRuns: 100 },
      );
    });

    describe("rejects", function () {
      it("a non-int8 input", function () {
        expect(() => runIntegerModel(tinyModel(), createTensor("int32", [1, 2], [1, 2]))).to.throw(
          RuntimeInputError,
          /int8/,
        );
      });
      it("an input of the wrong shape", function () {
        expect(() => runIntegerModel(tinyModel(), createTensor("int8", [1, 3], [1, 2, 3]))).to.throw(
          RuntimeInputError,
          /shape/,
        );
      });
    });
  });

  describe("artifact format", function () {
    it("round-trips a model through serializeIntegerModel / parseIntegerModel", function () {
      const bytes = serializeIntegerModel(tinyModel("argmax"));
      expect(bytesToHex(serializeIntegerModel(parseIntegerModel(bytes)))).to.equal(bytesToHex(bytes));
    });
    it("loads through the Runtime interface with modelId = keccak256(artifact)", async function () {
      const bytes = serializeIntegerModel(tinyModel());
      const loaded = await createIntegerRuntime().load(bytes);
      const { keccak256 } = await import("viem");
      expect(loaded.modelId).to.equal(keccak256(bytes));
      expect(loaded.runtimeId).to.equal("verity-int8-v1");
      const result = await loaded.run(createTensor("int8", [1, 2], [10, -3]));
      expect(Array.from(result.output.data as Int32Array)).to.deep.equal([508, 1]);
    });
    describe("rejects", function () {
      it("a wrong magic, a truncated file and trailing bytes", function () {
        const bytes = serializeIntegerModel(tinyModel());
        expect(() => parseIntegerModel(Uint8Array.of(0, ...bytes.subarray(1)))).to.throw(ModelFormatError, /magic/);
        expect(() => parseIntegerModel(bytes.subarray(0, bytes.length - 1))).to.throw(ModelFormatError, /truncated/);
        expect(() => parseIntegerModel(Uint8Array.of(...bytes, 0))).to.throw(ModelFormatError, /trailing/);
      });
      it("a hidden layer without requantization and an out-of-range shift", function () {
        const noRequant = tinyModel();
        noRequant.layers[0]!.requantize = false;
        expect(() => serializeIntegerModel(noRequant)).to.throw(ModelFormatError, /not the last layer/);
        const badShift = tinyModel();
        badShift.layers[0]!.shift = 47;
        expect(() => serializeIntegerModel(badShift)).to.throw(ModelFormatError, /shift 47/);
      });
    });
  });
});
