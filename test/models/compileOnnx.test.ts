import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { onnx } from "onnx-proto";
import { getDigitsSplit } from "../../src/models/build/digits";
import { getIrisSplit } from "../../src/models/build/iris";
import { compileOnnxModel, lowerOnnxGraph } from "../../src/models/build/compile";
import {
  encodeOnnxModel,
  floatAttribute,
  floatInitializer,
  int64Initializer,
  intAttribute,
  node,
  valueInfo,
} from "../../src/models/build/onnxGraph";
import { createRandom } from "../../src/models/build/random";
import {
  createIntegerRuntimeV2,
  getModelCommitmentV2,
  parseIntegerModelV2,
  quantizeInputV2,
} from "../../src/runtime/integerV2";
import pino from "pino";
import { loadServedModels } from "../../src/node/loadServedModels";
import { toSingleTensor } from "../../src/protocol";
import { getOnchainRuntimeId } from "../../src/runtime";
import { runVerity } from "../cli/runVerity";

const MODELS = path.join(__dirname, "..", "..", "models");
const SMALL_CNN = path.join(MODELS, "onnx", "small-cnn.onnx");
const IRIS = path.join(MODELS, "iris.onnx");

/** Top-class agreement the compiled models must reach on their calibration sets (measured: CNN 99 %, Iris 100 %). */
const MIN_AGREEMENT = 0.95;

type CompileJson = {
  file: string;
  modelId: string;
  mapping: { node: string; opType: string; v2: string }[];
  layers: { op: string }[];
  input: { name: string; mean: number; scale: number; v2Shape: number[] };
  output: { op: string; size: number; scale: number };
  evaluation: {
    samples: number;
    topClassAgreement: number;
    maxLogitError: number;
    maxAbsLogit: number;
    loweringError: number;
  };
  compileMs: number;
};

const tensorJson = (shape: number[], data: readonly number[]) => ({ dtype: "float32", shape, data: [...data] });

/** 200 digits of the training split as the CNN's float input (pixel / 16, [1,1,8,8]). */
function digitsCalibration() {
  return {
    samples: getDigitsSplit()
      .train.slice(0, 200)
      .map((s) =>
        tensorJson(
          [1, 1, 8, 8],
          s.features.map((p) => p / 16),
        ),
      ),
  };
}

/** The 150 Iris samples, raw centimetres ([1,4]; iris.onnx standardizes them itself). */
function irisCalibration() {
  const { train, heldOut } = getIrisSplit();
  return { samples: [...train, ...heldOut].map((s) => ({ inputs: { features: tensorJson([1, 4], s.features) } })) };
}

/** Seeded weights in [-scale, scale). */
function weights(random: () => number, count: number, scale: number): number[] {
  return Array.from({ length: count }, () => (random() * 2 - 1) * scale);
}

/**
 * A residual CNN using the folded and mapped ops: Conv → BatchNormalization → Relu → Conv → Add (residual) → Relu →
 * MaxPool → GlobalAveragePool → Flatten → MatMul → Add (bias) → Softmax, on `x` float32 [1,2,8,8].
 */
function buildResidualModel(tail: "Softmax" | "ArgMax"): Uint8Array {
  const random = createRandom(99);
  return encodeOnnxModel({
    name: "residual",
    initializer: [
      floatInitializer("w1", [4, 2, 3, 3], weights(random, 72, 0.5)),
      floatInitializer("b1", [4], weights(random, 4, 0.1)),
      floatInitializer("bn_scale", [4], [1.2, 0.8, 1.0, 0.5]),
      floatInitializer("bn_bias", [4], [0.1, -0.1, 0.05, 0]),
      floatInitializer("bn_mean", [4], [0.05, -0.02, 0.1, 0]),
      floatInitializer("bn_var", [4], [0.5, 1.5, 1, 0.25]),
      floatInitializer("w2", [4, 4, 3, 3], weights(random, 144, 0.3)),
      floatInitializer("b2", [4], weights(random, 4, 0.1)),
      floatInitializer("fc", [4, 3], weights(random, 12, 1)),
      floatInitializer("fc_b", [1, 3], weights(random, 3, 0.1)),
    ],
    node: [
      node(
        "Conv",
        "conv1",
        ["x", "w1", "b1"],
        ["c1"],
        [intAttribute("kernel_shape", [3, 3]), intAttribute("pads", [1, 1, 1, 1])],
      ),
      node(
        "BatchNormalization",
        "bn1",
        ["c1", "bn_scale", "bn_bias", "bn_mean", "bn_var"],
        ["n1"],
        [floatAttribute("epsilon", 1e-5)],
      ),
      node("Relu", "relu1", ["n1"], ["r1"]),
      node(
        "Conv",
        "conv2",
        ["r1", "w2", "b2"],
        ["c2"],
        [intAttribute("kernel_shape", [3, 3]), intAttribute("pads", [1, 1, 1, 1])],
      ),
      node("Add", "residual", ["c2", "r1"], ["s"]),
      node("Relu", "relu2", ["s"], ["r2"]),
      node("MaxPool", "pool", ["r2"], ["p"], [intAttribute("kernel_shape", [2, 2]), intAttribute("strides", [2, 2])]),
      node("GlobalAveragePool", "gap", ["p"], ["g"]),
      node("Flatten", "flatten", ["g"], ["f"]),
      node("MatMul", "fc", ["f", "fc"], ["m"]),
      node("Add", "fc_bias", ["m", "fc_b"], ["logits"]),
      tail === "Softmax"
        ? node("Softmax", "softmax", ["logits"], ["y"], [intAttribute("axis", 1)])
        : node("ArgMax", "argmax", ["logits"], ["y"], [intAttribute("axis", 1), intAttribute("keepdims", 0)]),
    ],
    input: [valueInfo("x", "float32", [1, 2, 8, 8])],
    output: [valueInfo("y", tail === "Softmax" ? "float32" : "int64", tail === "Softmax" ? [1, 3] : [1])],
  });
}

function residualCalibration() {
  const random = createRandom(7);
  return { samples: Array.from({ length: 100 }, () => tensorJson([1, 2, 8, 8], weights(random, 128, 1))) };
}

describe("verity model compile (float ONNX → verity-int8-v2)", function () {
  this.timeout(60_000);
  let dir: string;
  const write = (name: string, value: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, value instanceof Uint8Array ? value : JSON.stringify(value));
    return file;
  };

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-compile-"));
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("compiles the float CNN fixture: ≥ 95 % top-class agreement with ONNX Runtime, its id the commitment", async function () {
    const calibration = write("digits.json", digitsCalibration());
    const out = path.join(dir, "small-cnn.vmodel2");
    const run = await runVerity(["model", "compile", SMALL_CNN, "--calibration", calibration, "--out", out, "--json"]);
    expect(run.code, run.stderr).to.equal(0);
    const result = JSON.parse(run.stdout) as CompileJson;
    expect(result.mapping.map((m) => m.opType)).to.deep.equal(["Conv", "Relu", "MaxPool", "Flatten", "Gemm"]);
    expect(result.layers.map((l) => l.op)).to.deep.equal([
      "conv2d",
      "requantize",
      "relu",
      "maxPool",
      "flatten",
      "dense",
    ]);
    expect(result.evaluation.samples).to.equal(200);
    expect(result.evaluation.topClassAgreement).to.be.at.least(MIN_AGREEMENT);
    expect(result.evaluation.maxLogitError).to.be.greaterThan(0);
    expect(result.evaluation.maxLogitError).to.be.below(0.05 * result.evaluation.maxAbsLogit);
    expect(result.evaluation.loweringError).to.be.below(1e-5);
    expect(result.output).to.include({ op: "identity", size: 10 });

    const artifact = new Uint8Array(fs.readFileSync(out));
    const model = parseIntegerModelV2(artifact);
    expect(result.modelId).to.equal(getModelCommitmentV2(model).modelId);
    const loaded = await createIntegerRuntimeV2({ expectedModelId: result.modelId as `0x${string}` }).load(artifact);
    expect(loaded.modelId).to.equal(result.modelId);
    const pixels = getDigitsSplit().train[0]!.features.map((p) => p / 16);
    const { output } = await loaded.run(quantizeInputV2(model, pixels));
    expect(output.dtype).to.equal("int32");
    expect(output.shape).to.deep.equal([1, 10]);
  });

  it("compiles the Iris MLP, folding its standardization (Sub, Mul) into the first dense layer; prints a table", async function () {
    const calibration = write("iris.json", irisCalibration());
    const out = path.join(dir, "iris.vmodel2");
    const run = await runVerity(["model", "compile", IRIS, "--calibration", calibration, "--out", out]);
    expect(run.code, run.stderr).to.equal(0);
    for (const text of [
      "center",
      "Sub",
      "folded into the first",
      "dense1",
      "dense 4→16",
      "topClassAgreement",
      "maxLogitError",
    ]) {
      expect(run.stdout).to.contain(text);
    }
    const json = await runVerity(["model", "compile", IRIS, "--calibration", calibration, "--out", out, "--json"]);
    const result = JSON.parse(json.stdout) as CompileJson;
    expect(result.evaluation.samples).to.equal(150);
    expect(result.evaluation.topClassAgreement).to.be.at.least(MIN_AGREEMENT);
    expect(result.evaluation.maxLogitError).to.be.below(0.05 * result.evaluation.maxAbsLogit);
    expect(result.input.mean).to.not.equal(0); // the asymmetric input range folds into the bias
    const artifact = new Uint8Array(fs.readFileSync(out));
    expect((await createIntegerRuntimeV2().load(artifact)).modelId).to.equal(result.modelId);
  });

  it("folds BatchNormalization and a MatMul bias, maps a residual Add and GlobalAveragePool, drops Softmax", async function () {
    const result = await compileOnnxModel({ onnx: buildResidualModel("Softmax"), calibration: residualCalibration() });
    const v2 = Object.fromEntries(result.mapping.map((m) => [m.node, m.v2]));
    expect(v2.bn1).to.match(/^folded into the weights and bias of layer 1/);
    expect(v2.fc_bias).to.match(/^folded into the bias/);
    expect(v2.residual).to.match(/^add \(residual, src tensor 2/);
    expect(v2.gap).to.equal("avgPool k4 s1 (integer mean, rounded half up)");
    expect(v2.softmax).to.match(/^dropped/);
    expect(result.model.outputOp).to.equal("identity");
    expect(result.evaluation.loweringError).to.be.below(1e-4);
    // Measured 91/100 on uniform noise inputs (the conv output is clipped to the skip tensor's int8 range).
    expect(result.evaluation.topClassAgreement).to.be.at.least(0.85);
    expect(result.layers.map((l) => l.op)).to.deep.equal([
      ...["conv2d", "requantize", "relu", "conv2d", "requantize", "add", "requantize", "relu"],
      ...["maxPool", "avgPool", "flatten", "dense"],
    ]);
    const withArgmax = await compileOnnxModel({
      onnx: buildResidualModel("ArgMax"),
      calibration: residualCalibration(),
    });
    expect(withArgmax.model.outputOp).to.equal("argmax");
    expect(withArgmax.modelId).to.not.equal(result.modelId);
  });

  it("with --manifest writes the entry a node serves the compiled model from", async function () {
    const modelsDir = fs.mkdtempSync(path.join(dir, "served-"));
    const calibration = write("digits-served.json", digitsCalibration());
    const out = path.join(modelsDir, "my-cnn.vmodel2");
    const run = await runVerity([
      "model",
      "compile",
      SMALL_CNN,
      "--calibration",
      calibration,
      "--out",
      out,
      "--manifest",
      "--json",
    ]);
    expect(run.code, run.stderr).to.equal(0);
    const { modelId } = JSON.parse(run.stdout) as CompileJson;
    const served = await loadServedModels({
      modelsDir,
      registered: [
        { modelId: modelId as `0x${string}`, runtimeId: getOnchainRuntimeId("verity-int8-v2"), active: true },
      ],
      logger: pino({ level: "silent" }),
    });
    const model = served.get(modelId as `0x${string}`)!;
    expect(model.entry).to.include({ file: "my-cnn.vmodel2", runtimeId: "verity-int8-v2", verificationMode: "EXACT" });
    expect(model.integerV2).to.not.equal(undefined);
    const pixels = getDigitsSplit().train[1]!.features.map((p) => p / 16);
    const { output } = await model.loaded.run(quantizeInputV2(model.integerV2!, pixels));
    expect(toSingleTensor(output).shape).to.deep.equal([1, 10]);
  });

  it("refuses every unsupported node at once, naming each, exit 2, nothing written", async function () {
    const random = createRandom(5);
    const bytes = encodeOnnxModel({
      name: "unsupported",
      initializer: [floatInitializer("w", [3, 4], weights(random, 12, 1))],
      node: [
        node("Gemm", "dense", ["x", "w"], ["h"], [intAttribute("transB", 1)]),
        node("Sigmoid", "squash", ["h"], ["s"]),
        node("LSTM", "memory", ["s", "w", "w"], ["y"], [intAttribute("hidden_size", 3)]),
      ],
      input: [valueInfo("x", "float32", [1, 4])],
      output: [valueInfo("y", "float32", [1, 3])],
    });
    const model = write("unsupported.onnx", bytes);
    const calibration = write("x.json", { samples: [tensorJson([1, 4], [1, 2, 3, 4])] });
    const out = path.join(dir, "unsupported.vmodel2");
    const run = await runVerity(["model", "compile", model, "--calibration", calibration, "--out", out]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('node "squash" (Sigmoid)');
    expect(run.stderr).to.contain("replace Sigmoid by Relu");
    expect(run.stderr).to.contain('node "memory" (LSTM)');
    expect(run.stderr).to.contain("recurrent layers are not supported by runtime v2");
    expect(fs.existsSync(out)).to.equal(false);
    const multi = await runVerity([
      "model",
      "compile",
      path.join(MODELS, "onnx", "multi-input.onnx"),
      "--calibration",
      calibration,
      "--out",
      out,
    ]);
    expect(multi.code).to.equal(2);
    expect(multi.stderr).to.contain('node "embed" (Gather)').and.contain('node "apply_mask" (Where)');
    expect(fs.existsSync(out)).to.equal(false);
  });

  it("refuses calibration data of the wrong shape, naming the input and both shapes, exit 2", async function () {
    const calibration = write("flat.json", {
      samples: [tensorJson([1, 1, 8, 8], new Array(64).fill(0)), tensorJson([1, 64], new Array(64).fill(0))],
    });
    const out = path.join(dir, "wrong.vmodel2");
    const run = await runVerity(["model", "compile", SMALL_CNN, "--calibration", calibration, "--out", out]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain(
      'calibration sample 1, input "image": expected float32 [1,1,8,8], given float32 [1,64]',
    );
    expect(fs.existsSync(out)).to.equal(false);
  });

  it("refuses an ONNX file with external data, exit 2", async function () {
    const decoded = onnx.ModelProto.decode(fs.readFileSync(SMALL_CNN));
    const w = decoded.graph!.initializer![0]!;
    w.rawData = new Uint8Array(0);
    w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    w.externalData = [onnx.StringStringEntryProto.create({ key: "location", value: "weights.bin" })];
    const model = write("external.onnx", onnx.ModelProto.encode(decoded).finish());
    const calibration = write("digits2.json", digitsCalibration());
    const out = path.join(dir, "external.vmodel2");
    const run = await runVerity(["model", "compile", model, "--calibration", calibration, "--out", out]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain("external data");
    expect(fs.existsSync(out)).to.equal(false);
  });

  it("refuses what runtime v2 can't express exactly: a global pool over 8×8, a padded Conv after an input offset", function () {
    const random = createRandom(3);
    const gap = encodeOnnxModel({
      name: "gap",
      initializer: [],
      node: [node("GlobalAveragePool", "gap", ["x"], ["y"])],
      input: [valueInfo("x", "float32", [1, 2, 8, 8])],
      output: [valueInfo("y", "float32", [1, 2, 1, 1])],
    });
    expect(() => lowerOnnxGraph(gap)).to.throw(/node "gap" \(GlobalAveragePool\): window 8×8 > 4×4/);
    const offset = encodeOnnxModel({
      name: "offset",
      initializer: [
        floatInitializer("mean", [1], [0.5]),
        floatInitializer("w", [2, 1, 3, 3], weights(random, 18, 1)),
        int64Initializer("unused", [1], [1n]),
      ],
      node: [
        node("Sub", "center", ["x", "mean"], ["c"]),
        node(
          "Conv",
          "conv",
          ["c", "w"],
          ["y"],
          [intAttribute("kernel_shape", [3, 3]), intAttribute("pads", [1, 1, 1, 1])],
        ),
      ],
      input: [valueInfo("x", "float32", [1, 1, 8, 8])],
      output: [valueInfo("y", "float32", [1, 2, 8, 8])],
    });
    expect(() => lowerOnnxGraph(offset)).to.throw(
      /node "conv" \(Conv\): the input preprocessing adds an offset before a padded Conv/,
    );
  });
});
