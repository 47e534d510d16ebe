import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { onnx } from "onnx-proto";
import { buildCnnModel, buildDynamicBatchModel, buildMultiInputModel } from "../../src/models/build/buildOnnxFixtures";
import { encodeOnnxModel, node, valueInfo } from "../../src/models/build/onnxGraph";
import { buildOnnxFixtures } from "../../src/models/build/onnxFixtureManifest";
import { createTensor, getTensorSize, isTensorBundle, type Tensor } from "../../src/protocol";
import { InputValidationError, ModelFormatError } from "../../src/runtime/errors";
import { readOnnxSignature } from "../../src/runtime/onnx/readOnnxSignature";
import { fromFloat16Bits, toFloat16Bits } from "../../src/runtime/signature/float16";
import { parseTensorJson } from "../../src/runtime/signature/parseTensorJson";
import {
  getModelSignatureUri,
  parseModelSignature,
  serializeModelSignature,
} from "../../src/runtime/signature/serializeModelSignature";
import { validatePayload } from "../../src/runtime/signature/validatePayload";

const FIXTURES = path.join(__dirname, "..", "..", "models", "onnx");

function expectModelError(run: () => unknown, message: RegExp): ModelFormatError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(ModelFormatError);
    expect((error as Error).message).to.match(message);
    return error as ModelFormatError;
  }
  expect.fail(`expected a ModelFormatError matching ${message}`);
}

function expectInputError(run: () => unknown, ...messages: RegExp[]): void {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(InputValidationError);
    const problems = (error as InputValidationError).problems;
    expect(problems).to.have.length(messages.length, problems.join("; "));
    messages.forEach((m, i) => expect(problems[i]).to.match(m));
    return;
  }
  expect.fail("expected an InputValidationError");
}

/** The multi-input model with one thing changed in its decoded protobuf. */
function mutate(artifact: Uint8Array, change: (graph: onnx.GraphProto) => void): Uint8Array {
  const model = onnx.ModelProto.decode(artifact);
  change(model.graph as onnx.GraphProto);
  return onnx.ModelProto.encode(model).finish();
}

const features = createTensor("float32", [1, 4], [1, 2, 3, 4]);
const category = createTensor("int64", [1, 1], [3n]);
const mask = createTensor("bool", [1, 4], [1, 0, 1, 1]);

describe("ONNX model signatures", function () {
  describe("readOnnxSignature", function () {
    it("reads names, dtypes and shapes of several inputs and outputs, initializers excepted", function () {
      const signature = readOnnxSignature(buildMultiInputModel());
      expect(signature.inputs).to.deep.equal([
        { name: "features", dtype: "float32", shape: [1, 4], finite: true },
        { name: "category", dtype: "int64", shape: [1, 1] },
        { name: "mask", dtype: "bool", shape: [1, 4] },
      ]);
      expect(signature.outputs).to.deep.equal([
        { name: "logits", dtype: "float32", shape: [1, 3] },
        { name: "label", dtype: "int64", shape: [1] },
      ]);
      expect(readOnnxSignature(buildCnnModel()).inputs[0]!.shape).to.deep.equal([1, 1, 8, 8]);
    });

    it("takes the declared maximum of a dynamic dimension", function () {
      const signature = readOnnxSignature(buildDynamicBatchModel(), { maxDims: { N: 16 }, maxInputBytes: 4096 });
      expect(signature.inputs[0]!.shape).to.deep.equal([{ param: "N", max: 16 }, 4]);
      expect(signature.outputs[0]!.shape).to.deep.equal([{ param: "N" }, 2]);
      expect(signature.maxInputBytes).to.equal(4096);
    });

    describe("refuses", function () {
      it("bytes that are not ONNX", function () {
        expectModelError(
          () => readOnnxSignature(Uint8Array.from([0xff, 0xff, 0xff, 0x0f, 1, 2, 3])),
          /does not parse|no graph/,
        );
        expectModelError(() => readOnnxSignature(new Uint8Array(0)), /no graph/);
      });
      it("a dynamic dimension without a declared maximum, naming it and the flag", function () {
        const error = expectModelError(
          () => readOnnxSignature(buildDynamicBatchModel()),
          /need a declared maximum: N\./,
        );
        expect(error.details).to.include("--max-dim N=64");
      });
      it("a declared maximum for a dimension the inputs don't have", function () {
        expectModelError(
          () => readOnnxSignature(buildDynamicBatchModel(), { maxDims: { N: 4, M: 2 } }),
          /don't have: M/,
        );
      });
      it("a tensor stored as external data", function () {
        const artifact = mutate(buildCnnModel(), (m) => {
          const w = m.initializer[0]!;
          w.rawData = new Uint8Array(0);
          w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
          w.externalData = [onnx.StringStringEntryProto.create({ key: "location", value: "weights.bin" })];
        });
        const error = expectModelError(() => readOnnxSignature(artifact), /external data for tensor "conv_w"/);
        expect(error.details).to.include("weights.bin");
      });
      it("a graph with two outputs of the same name", function () {
        const artifact = mutate(buildMultiInputModel(), (m) => {
          m.output[1]!.name = "logits";
        });
        expectModelError(() => readOnnxSignature(artifact), /output "logits" more than once/);
      });
      it("a graph where two nodes produce the same value", function () {
        const artifact = mutate(buildMultiInputModel(), (m) => {
          m.node[3]!.output = ["masked"];
        });
        expectModelError(() => readOnnxSignature(artifact), /Two nodes produce the value "masked"/);
      });
      it("an input of an element type Verity does not carry", function () {
        const artifact = encodeOnnxModel({
          name: "strings",
          node: [node("Identity", "id", ["s"], ["t"])],
          input: [
            {
              ...valueInfo("s", "float32", [1]),
              type: { tensorType: { elemType: 8, shape: { dim: [{ dimValue: 1 }] } } },
            },
          ],
          output: [valueInfo("t", "float32", [1])],
        });
        expectModelError(() => readOnnxSignature(artifact), /input "s" has element type STRING/);
      });
    });
  });

  describe("signature documents", function () {
    it("are canonical JSON, addressed by a CIDv1 of their sha256, and the committed fixtures match", function () {
      for (const fixture of buildOnnxFixtures()) {
        const { entry, artifact, signatureText } = fixture;
        expect(getModelSignatureUri(fixture.signature)).to.equal(entry.signature);
        expect(entry.signature).to.match(/^ipfs:\/\/bafkrei[a-z2-7]{52}$/);
        const file = path.join(FIXTURES, `${entry.signature.slice(7)}.json`);
        expect(fs.readFileSync(file, "utf8")).to.equal(signatureText);
        expect(new Uint8Array(fs.readFileSync(path.join(FIXTURES, entry.file)))).to.deep.equal(artifact);
        expect(parseModelSignature(signatureText, entry.signature)).to.deep.equal(JSON.parse(signatureText) as unknown);
      }
    });
    it("refuse a document that is not canonical or does not hash to its address", function () {
      const signature = readOnnxSignature(buildCnnModel());
      const uri = getModelSignatureUri(signature);
      const text = serializeModelSignature(signature);
      expectModelError(() => parseModelSignature(JSON.stringify(signature, null, 1), uri), /not in canonical form/);
      expectModelError(
        () =>
          parseModelSignature(
            text.replace('"max', '"max'),
            getModelSignatureUri(readOnnxSignature(buildMultiInputModel())),
          ),
        /does not hash/,
      );
      expectModelError(() => parseModelSignature('{"version":2}'), /malformed/);
    });
  });

  describe("validatePayload", function () {
    const multi = readOnnxSignature(buildMultiInputModel());
    const dynamic = readOnnxSignature(buildDynamicBatchModel(), { maxDims: { N: 4 }, maxInputBytes: 200 });

    it("returns the bundle for several inputs and the plain tensor for one", function () {
      const bundle = validatePayload(multi, { tensors: { mask, category, features } });
      expect(isTensorBundle(bundle)).to.equal(true);
      const x = createTensor("float32", [3, 4], new Array<number>(12).fill(0.5));
      expect(validatePayload(dynamic, x)).to.equal(x);
      expect(validatePayload(dynamic, { tensors: { x } })).to.equal(x);
    });

    describe("names the input and what is wrong", function () {
      it("a missing input", function () {
        expectInputError(
          () => validatePayload(multi, { tensors: { features, category } }),
          /^missing input "mask" \(bool \[1,4\]\)$/,
        );
      });
      it("an extra input", function () {
        expectInputError(
          () => validatePayload(multi, { tensors: { features, category, mask, bias: features } }),
          /^unexpected input "bias" \(the model takes "features", "category", "mask"\)$/,
        );
      });
      it("an unnamed tensor for a model with several inputs", function () {
        expectInputError(() => validatePayload(multi, features), /takes 3 named inputs .* got one unnamed tensor/);
      });
      it("a wrong dtype", function () {
        const wrong = createTensor("int32", [1, 1], [3]);
        expectInputError(
          () => validatePayload(multi, { tensors: { features, category: wrong, mask } }),
          /^input "category": dtype is int32, the model takes int64$/,
        );
      });
      it("NaN or Inf where the model declares finite values", function () {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const x = createTensor("float32", [1, 4], [1, bad, 3, 4]);
          expectInputError(
            () => validatePayload(multi, { tensors: { features: x, category, mask } }),
            /^input "features": element 1 is NaN or infinite, the model declares finite values$/,
          );
        }
      });
      it("a dimension over its declared maximum, and a wrong fixed dimension or rank", function () {
        const x = createTensor("float32", [5, 4], new Array<number>(20).fill(0));
        expectInputError(
          () => validatePayload(dynamic, x),
          /^input "x": dimension 0 \(N\) is 5, over its declared maximum 4$/,
        );
        const y = createTensor("float32", [2, 3], new Array<number>(6).fill(0));
        expectInputError(() => validatePayload(dynamic, y), /^input "x": dimension 1 is 3, the model takes 4$/);
        const z = createTensor("float32", [8], new Array<number>(8).fill(0));
        expectInputError(() => validatePayload(dynamic, z), /^input "x": shape \[8\] has rank 1/);
      });
      it("an input over the model's byte limit", function () {
        const x = createTensor("float32", [4, 4], new Array<number>(16).fill(0));
        const big = { ...dynamic, maxInputBytes: 50 };
        expectInputError(() => validatePayload(big, x), /over the model's limit of 50 bytes$/);
      });
      it("several problems at once, one line each", function () {
        const wrong = createTensor("float32", [1, 1], [3]);
        expectInputError(
          () => validatePayload(multi, { tensors: { features, category: wrong, extra: mask } }),
          /unexpected input "extra"/,
          /input "category": dtype is float32/,
          /missing input "mask"/,
        );
      });
    });
  });

  describe("tensors as JSON", function () {
    it("converts float16 by round-half-even from the float64, int64 from decimal strings, bools", function () {
      const cases: [number, number][] = [
        [1, 0x3c00],
        [-2, 0xc000],
        [65504, 0x7bff],
        [65519.99, 0x7bff],
        [65520, 0x7c00],
        [2 ** -24, 0x0001],
        [2 ** -25, 0x0000],
        [3 * 2 ** -25, 0x0002],
        [-0, 0x8000],
        [1 + 2 ** -11, 0x3c00],
        [1 + 3 * 2 ** -11, 0x3c02],
        [NaN, 0x7e00],
      ];
      for (const [value, bits] of cases) expect(toFloat16Bits(value)).to.equal(bits, String(value));
      for (let bits = 0; bits < 0x7c00; bits += 37) expect(toFloat16Bits(fromFloat16Bits(bits))).to.equal(bits);
      const half = parseTensorJson({ dtype: "float16", shape: [2], data: [1, "Infinity"] }, 'input "h"');
      expect(Array.from(half.data as Uint16Array)).to.deep.equal([0x3c00, 0x7c00]);
      const ids = parseTensorJson({ dtype: "int64", shape: [2], data: [-1, "9223372036854775807"] }, "ids");
      expect(Array.from(ids.data as BigInt64Array)).to.deep.equal([-1n, 9223372036854775807n]);
      const flags = parseTensorJson({ dtype: "bool", shape: [3], data: [true, 0, false] }, "flags");
      expect(Array.from(flags.data as Uint8Array)).to.deep.equal([1, 0, 0]);
    });
    it("refuses elements outside the dtype, naming the input and element", function () {
      const bad: [Parameters<typeof parseTensorJson>[0], RegExp][] = [
        [{ dtype: "int64", shape: [1], data: ["9223372036854775808"] }, /^ids: data\[0\] is out of the int64 range/],
        [{ dtype: "int64", shape: [1], data: [2 ** 60] }, /^ids: data\[0\] is not an int64/],
        [{ dtype: "int8", shape: [2], data: [1, 128] }, /^ids: data\[1\] is not an int8 \(-128..127\)/],
        [{ dtype: "bool", shape: [1], data: [2] }, /^ids: data\[0\] is not a bool/],
        [{ dtype: "float32", shape: [1], data: ["nan"] }, /^ids: data\[0\] is not a number/],
        [{ dtype: "string", shape: [1], data: [1] }, /^ids: unknown dtype "string"/],
        [{ dtype: "int32", shape: [2, 2], data: [1] }, /^ids: shape \[2,2\] holds 4 elements, data has 1/],
      ];
      for (const [json, message] of bad) {
        expectInputError(() => parseTensorJson(json, "ids"), message);
      }
    });
  });
});

// Keeps the helper imports honest (one source of sizes).
void getTensorSize;
void ({} as Tensor);
