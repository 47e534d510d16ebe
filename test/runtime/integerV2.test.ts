import { expect } from "chai";
import golden from "../../docs/vectors/integer-v2-golden.json";
import { buildEdgeModels, buildInput, buildTestModel } from "../../src/models/build/syntheticV2";
import {
  bytesToHex,
  decodeTensor,
  encodeTensor,
  getTensorHash,
  hexToBytes,
  keccak256Bytes,
  processPositionalProof,
} from "../../src/protocol";
import { ModelFormatError } from "../../src/runtime";
import {
  type IntegerModelV2,
  createIntegerRuntimeV2,
  getModelCommitmentV2,
  getTensorRoots,
  getTraceChunkProofV2,
  getWeightProofV2,
  parseIntegerModelV2,
  runIntegerModelV2,
  serializeIntegerModelV2,
  validateIntegerModelV2,
} from "../../src/runtime/integerV2";

function expectFormatError(fn: () => unknown, details: RegExp) {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(ModelFormatError);
    expect((error as ModelFormatError).details).to.match(details);
    return;
  }
  expect.fail("expected a ModelFormatError");
}

describe("integer runtime v2", function () {
  describe("golden vectors (docs/vectors/integer-v2-golden.json)", function () {
    for (const c of golden.cases) {
      it(`reproduces ${c.name} bit for bit`, function () {
        const model = parseIntegerModelV2(hexToBytes(c.artifact));
        expect(bytesToHex(serializeIntegerModelV2(model))).to.equal(c.artifact);
        expect(getModelCommitmentV2(model).modelId).to.equal(c.modelId);
        const input = decodeTensor(hexToBytes(c.input));
        const result = runIntegerModelV2(model, input);
        expect(result.trace.tensors.map((t) => Array.from(t))).to.deep.equal(c.tensors);
        expect(getTensorRoots(result.trace).map(bytesToHex)).to.deep.equal(c.tensorRoots);
        expect(result.traceRoot).to.equal(c.traceRoot);
        expect(bytesToHex(encodeTensor(result.output))).to.equal(c.output);
        expect(getTensorHash(result.output)).to.equal(c.outputHash);
      });
    }
  });

  describe("element rules", function () {
    const edges = buildEdgeModels();
    const run = (name: string) => {
      const { model, input } = edges[name]!;
      return runIntegerModelV2(model, input).trace.tensors.map((t) => Array.from(t));
    };

    it("requantizes with ties toward +∞ and saturates to int8", function () {
      // accumulators -3, -1, 1, 3, 2^31-1, -2^31, 255, -257 with M = 1, s = 1: floor((x + 1) / 2), clamped
      expect(run("requantEdges")[2]).to.deep.equal([-1, 0, 1, 2, 127, -128, 127, -128]);
    });

    it("keeps every intermediate exact at the largest multiplier and shift", function () {
      // (2^31-1)·65535 / 2^46 = 1.99997 → 2; -2^31·65535 / 2^46 = -1.99997 → -2; ±65535 / 2^46 → 0
      expect(run("requantShift46")[2]).to.deep.equal([2, -2, 0, 0]);
    });

    it("wraps an int32 accumulator mod 2^32", function () {
      expect(run("int32Wrap")[1]).to.deep.equal([2 ** 31 - 1 + 2 * 127 * 127 - 2 ** 32]);
    });

    it("reads zeros in the conv2d padding at every border", function () {
      // input 1..9 as 3×3, all-ones 3×3 kernel, stride 2, padding 2
      expect(run("convPadding")[1]).to.deep.equal([1, 1 + 2 + 3, 3, 1 + 4 + 7, 45, 3 + 6 + 9, 7, 7 + 8 + 9, 9]);
    });
  });

  describe("format", function () {
    const model = buildTestModel();
    const artifact = serializeIntegerModelV2(model);

    it("round-trips", function () {
      expect(serializeIntegerModelV2(parseIntegerModelV2(artifact))).to.deep.equal(artifact);
    });

    it("rejects malformed artifacts with a clear reason", function () {
      const patched = (at: number, value: number) => {
        const copy = artifact.slice();
        copy[at] = value;
        return copy;
      };
      expectFormatError(() => parseIntegerModelV2(artifact.slice(0, 10)), /shorter than the 32-byte header/);
      expectFormatError(() => parseIntegerModelV2(patched(0, 0x58)), /magic/);
      expectFormatError(() => parseIntegerModelV2(patched(4, 1)), /unknown version 1/);
      expectFormatError(() => parseIntegerModelV2(patched(5, 7)), /unknown output op 7/);
      expectFormatError(() => parseIntegerModelV2(patched(7, 1)), /reserved/);
      expectFormatError(() => parseIntegerModelV2(patched(32, 99)), /layer 1: unknown op code 99/);
      expectFormatError(() => parseIntegerModelV2(artifact.slice(0, artifact.length - 1)), /truncated weights/);
      expectFormatError(() => parseIntegerModelV2(Uint8Array.from([...artifact, 0])), /1 trailing bytes/);
      // layer 2 (requantize) shift byte at 32·2 + 5
      expectFormatError(() => parseIntegerModelV2(patched(32 * 2 + 5, 47)), /shift 47 not in 1..46/);
      expectFormatError(() => parseIntegerModelV2(patched(32 * 2 + 5, 0)), /shift 0 not in 1..46/);
      // layer 1 (conv2d) pad byte at 32 + 4
      expectFormatError(() => parseIntegerModelV2(patched(32 + 4, 3)), /pad 3 not in 0..kernel-1/);
      // layer 4 (add) src byte at 32·4 + 1
      expectFormatError(() => parseIntegerModelV2(patched(32 * 4 + 1, 3)), /src 3 not in 0..2/);
      // layer 3 (relu) given a kernel
      expectFormatError(() => parseIntegerModelV2(patched(32 * 3 + 2, 1)), /kernel and stride must be 0/);
    });

    it("rejects models whose shapes do not chain or whose tensors are too large to dispute", function () {
      const bad = (edit: (m: IntegerModelV2) => void) => {
        const m = structuredClone(model);
        edit(m);
        return () => validateIntegerModelV2(m);
      };
      expectFormatError(
        bad((m) => (m.layers[4]!.inShape = [4, 6, 5])),
        /layer 5 \(maxPool\): input shape \[4,6,5\] != tensor 4/,
      );
      expectFormatError(
        bad((m) => (m.layers[4]!.outShape = [4, 2, 2])),
        /output shape \[4,2,2\] != expected \[4,3,3\]/,
      );
      expectFormatError(
        bad((m) => (m.layers[7]!.bias = new Int32Array(3))),
        /layer 8 \(dense\): bias length 3 != 40/,
      );
      expectFormatError(
        bad((m) => {
          m.inputShape = [1, 200, 200];
          m.layers[0]!.inShape = [1, 200, 200];
        }),
        /input has more than 16384 elements/,
      );
      expectFormatError(
        bad((m) => {
          m.inputShape = [1, 40, 40];
          m.layers = [{ ...m.layers[2]!, inShape: [1, 40, 40], outShape: [1, 40, 40] }];
        }),
        /final tensor has more than 1024 elements/,
      );
    });
  });

  describe("commitments", function () {
    const model = buildTestModel();
    const commitment = getModelCommitmentV2(model);
    const input = buildInput(model);
    const result = runIntegerModelV2(model, input);

    it("proves one weight segment against the model id, and one weight changes the id", function () {
      const proof = getWeightProofV2(model, commitment, 10, 3, 1);
      const layerRoot = processPositionalProof(keccak256Bytes(proof.leaf), 3 * 2 + 1, proof.leafProof);
      expect(layerRoot).to.deep.equal(proof.layerWeightsRoot);
      expect(processPositionalProof(layerRoot, 10, proof.layerProof)).to.deep.equal(commitment.weightsRoot);
      const changed = structuredClone(model);
      changed.layers[9]!.weights![0]! ^= 1;
      expect(getModelCommitmentV2(changed).modelId).to.not.equal(commitment.modelId);
    });

    it("proves one trace element against the trace root with log-size proofs, and one element changes the root", function () {
      const chunk = getTraceChunkProofV2(result.trace, 1, 3);
      expect(chunk.chunkProof.length).to.equal(3); // 144 elements → 5 chunks → depth 3
      expect(chunk.tensorProof.length).to.equal(4); // 11 tensors → depth 4
      const root = processPositionalProof(keccak256Bytes(chunk.data), 3, chunk.chunkProof);
      expect(bytesToHex(processPositionalProof(root, 1, chunk.tensorProof))).to.equal(result.traceRoot);
      const tampered = runIntegerModelV2(model, {
        ...input,
        data: Int8Array.from(input.data, (v, i) => (i === 0 ? v ^ 1 : v)),
      });
      expect(tampered.traceRoot).to.not.equal(result.traceRoot);
    });

    it("loads only an artifact that matches the registered id; opaque v1 ids stay keccak256(artifact)", async function () {
      const artifact = serializeIntegerModelV2(model);
      const runtime = createIntegerRuntimeV2({ expectedModelId: commitment.modelId });
      const loaded = await runtime.load(artifact);
      expect(loaded.modelId).to.equal(commitment.modelId);
      expect(loaded.runtimeId).to.equal("verity-int8-v2");
      expect((await loaded.run(input)).traceRoot).to.equal(result.traceRoot);
      expect(commitment.modelId).to.not.equal(bytesToHex(keccak256Bytes(artifact)));
      const wrongId = bytesToHex(keccak256Bytes(artifact));
      let error: unknown;
      await createIntegerRuntimeV2({ expectedModelId: wrongId })
        .load(artifact)
        .catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(ModelFormatError);
      expect((error as ModelFormatError).shortMessage).to.equal("The artifact does not match the registered model id.");
    });
  });
});
