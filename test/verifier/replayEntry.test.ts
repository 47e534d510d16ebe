import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Hex } from "viem";
import { readModelManifest } from "../../src/models";
import { getIrisSplit } from "../../src/models/build";
import {
  bytesToHex,
  createTensor,
  encodeTensor,
  getTensorHash,
  type BatchFileEntry,
  type Tensor,
  toSingleTensor,
} from "../../src/protocol";
import {
  createIntegerRuntime,
  createOnnxRuntime,
  getOnchainRuntimeId,
  parseIntegerModel,
  quantizeInput,
} from "../../src/runtime";
import { ContentUnavailableError } from "../../src/verifier/errors";
import { ModelCatalog } from "../../src/verifier/ModelCatalog";
import { replayEntry, type ModelPolicy } from "../../src/verifier/replayEntry";

const MODELS_DIR = path.resolve(__dirname, "..", "..", "models");
const manifest = readModelManifest(MODELS_DIR);
const integerEntry = manifest.models.find((m) => m.runtimeId === "verity-int8-v1")!;
const onnxEntry = manifest.models.find((m) => m.runtimeId === "onnxruntime-cpu-f32-v1")!;
const ZERO: Hex = `0x${"00".repeat(32)}`;
const features = getIrisSplit().heldOut[0]!.features;

const exactPolicy: ModelPolicy = { mode: 0, tolerance: 0n, runtimeId: getOnchainRuntimeId(integerEntry.runtimeId) };
const tolerancePolicy: ModelPolicy = {
  mode: 1,
  tolerance: BigInt(onnxEntry.tolerance),
  runtimeId: getOnchainRuntimeId(onnxEntry.runtimeId),
};

function entryFor(modelId: string, input: Tensor, output: Tensor, traceRoot: Hex = ZERO): BatchFileEntry {
  return {
    receipt: {
      requestId: `0x${"01".padStart(64, "0")}`,
      modelId: modelId as Hex,
      inputHash: getTensorHash(input),
      outputHash: getTensorHash(output),
      traceRoot,
      node: "0x00000000000000000000000000000000000000aa",
      issuedAt: 1n,
    },
    input: { encoding: bytesToHex(encodeTensor(input)) },
    output: { encoding: bytesToHex(encodeTensor(output)) },
  };
}

describe("replayEntry", function () {
  const catalog = new ModelCatalog([createIntegerRuntime(), createOnnxRuntime()], [MODELS_DIR]);
  const sources = { contentDir: fs.mkdtempSync(path.join(os.tmpdir(), "verity-replay-")) };
  let input: Tensor;
  let honest: { output: Tensor; traceRoot: Hex };

  before(async function () {
    const artifact = new Uint8Array(fs.readFileSync(path.join(MODELS_DIR, integerEntry.file)));
    input = quantizeInput(parseIntegerModel(artifact), features);
    honest = await (await createIntegerRuntime().load(artifact)).run(input);
  });

  describe("EXACT", function () {
    it("accepts an honest receipt", async function () {
      const outcome = await replayEntry(
        entryFor(integerEntry.modelId, input, honest.output, honest.traceRoot),
        exactPolicy,
        catalog,
        sources,
      );
      expect(outcome.verdict).to.equal("valid");
      expect(outcome.replayOutputHash).to.equal(getTensorHash(honest.output));
    });

    it("finds a different output wrong, with the replay's output hash for the challenge", async function () {
      const lie = createTensor("int32", [1], [(Number(honest.output.data[0]) + 1) % 3]);
      const outcome = await replayEntry(
        entryFor(integerEntry.modelId, input, lie, honest.traceRoot),
        exactPolicy,
        catalog,
        sources,
      );
      expect(outcome.verdict).to.equal("wrong-output");
      expect(outcome.replayOutputHash).to.equal(getTensorHash(honest.output));
    });

    it("flags the same output with another trace root", async function () {
      const outcome = await replayEntry(
        entryFor(integerEntry.modelId, input, honest.output, ZERO),
        exactPolicy,
        catalog,
        sources,
      );
      expect(outcome.verdict).to.equal("wrong-trace");
    });
  });

  describe("TOLERANCE", function () {
    const floatInput = createTensor("float32", [1, 4], features);

    it("accepts an output within the tolerance and rejects one outside it", async function () {
      const artifact = new Uint8Array(fs.readFileSync(path.join(MODELS_DIR, onnxEntry.file)));
      const output = toSingleTensor((await (await createOnnxRuntime().load(artifact)).run(floatInput)).output);
      const nudged = createTensor(
        "float32",
        [1, 3],
        Array.from(output.data as Float32Array, (v) => v + 1e-5),
      );
      const far = createTensor(
        "float32",
        [1, 3],
        Array.from(output.data as Float32Array, (v, i) => (i === 0 ? v + 0.5 : v)),
      );
      expect(
        (await replayEntry(entryFor(onnxEntry.modelId, floatInput, nudged), tolerancePolicy, catalog, sources)).verdict,
      ).to.equal("valid");
      const wrong = await replayEntry(entryFor(onnxEntry.modelId, floatInput, far), tolerancePolicy, catalog, sources);
      expect(wrong.verdict).to.equal("wrong-output");
      expect(wrong.reason).to.contain("outside tolerance");
    });
  });

  describe("gives a specific verdict", function () {
    it("for a model the chain doesn't know", async function () {
      const outcome = await replayEntry(
        entryFor(integerEntry.modelId, input, honest.output),
        undefined,
        catalog,
        sources,
      );
      expect(outcome).to.include({ verdict: "unknown-model" });
    });

    it("for a registered model whose artifact or runtime isn't here", async function () {
      const missing = await replayEntry(
        entryFor(`0x${"ab".repeat(32)}`, input, honest.output),
        exactPolicy,
        catalog,
        sources,
      );
      expect(missing.verdict).to.equal("unknown-model");
      expect(missing.reason).to.contain("No artifact");
      const noRuntime = { ...exactPolicy, runtimeId: getOnchainRuntimeId("tee-v1") };
      const unknownRuntime = await replayEntry(
        entryFor(integerEntry.modelId, input, honest.output),
        noRuntime,
        catalog,
        sources,
      );
      expect(unknownRuntime.reason).to.contain("No runtime");
    });

    it("for an input that doesn't hash to the receipt", async function () {
      const entry = entryFor(integerEntry.modelId, input, honest.output);
      entry.receipt.inputHash = `0x${"cd".repeat(32)}`;
      const outcome = await replayEntry(entry, exactPolicy, catalog, sources);
      expect(outcome.verdict).to.equal("malformed");
      expect(outcome.reason).to.contain("input");
    });

    it("for an input the model can't run", async function () {
      const wrongShape = createTensor("int8", [1, 3], [1, 2, 3]);
      const outcome = await replayEntry(
        entryFor(integerEntry.modelId, wrongShape, honest.output),
        exactPolicy,
        catalog,
        sources,
      );
      expect(outcome.verdict).to.equal("malformed");
      expect(outcome.reason).to.contain("replay failed");
    });
  });

  it("throws ContentUnavailableError (to retry) when a referenced input can't be fetched", async function () {
    const entry = entryFor(integerEntry.modelId, input, honest.output);
    entry.input = { uri: entry.receipt.inputHash };
    let thrown: unknown;
    try {
      await replayEntry(entry, exactPolicy, catalog, sources);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(ContentUnavailableError);
    fs.mkdirSync(path.join(sources.contentDir, "tensors"), { recursive: true });
    fs.writeFileSync(path.join(sources.contentDir, "tensors", entry.receipt.inputHash), encodeTensor(input));
    expect((await replayEntry(entry, exactPolicy, catalog, sources)).verdict).to.equal("wrong-trace");
  });
});
