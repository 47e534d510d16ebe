import { expect } from "chai";
import { loadBundledModel } from "../../src/models";
import { buildTestModel } from "../../src/models/build/syntheticV2";
import { INTEGER_V2_RUNTIME_ID } from "../../src/runtime/integerV2/createIntegerRuntimeV2";
import { serializeIntegerModelV2 } from "../../src/runtime/integerV2";
import { buildOnnxFixtures } from "../../src/models/build/onnxFixtureManifest";
import {
  INTEGER_RUNTIME_ID,
  ONNX_RUNTIME_ID,
  ONNX_WASM_RUNTIME_ID,
  RegistrationRefusedError,
  prepareModelRegistration,
  type PrepareModelRegistrationParameters,
} from "../../src/runtime";

async function expectRefused(parameters: PrepareModelRegistrationParameters, message: RegExp): Promise<void> {
  try {
    await prepareModelRegistration(parameters);
  } catch (error) {
    expect(error).to.be.instanceOf(RegistrationRefusedError);
    expect((error as Error).message).to.match(message);
    return;
  }
  expect.fail(`expected a refusal matching ${message}`);
}

const randomBytes = Uint8Array.from({ length: 64 }, (_, i) => (i * 97 + 13) & 0xff);

describe("prepareModelRegistration (checks before any transaction)", function () {
  it("records the signature of an ONNX model with its declared maxima, addressed by content", async function () {
    const fixtures = buildOnnxFixtures();
    for (const { entry, artifact, signatureText } of fixtures) {
      const prepared = await prepareModelRegistration({
        artifact,
        runtime: entry.runtimeId,
        mode: entry.verificationMode === "EXACT" ? "exact" : "tolerance",
        ...(entry.name === "dynamic-batch" ? { maxDims: { N: 16 } } : {}),
      });
      expect(prepared.checked).to.equal(true);
      expect(prepared.signature!.uri).to.equal(entry.signature);
      expect(prepared.signature!.text).to.equal(signatureText);
    }
  });

  it("checks an integer model loads, and records no signature for it", async function () {
    const { artifact } = loadBundledModel("iris-int8");
    expect(await prepareModelRegistration({ artifact, runtime: INTEGER_RUNTIME_ID, mode: "exact" })).to.deep.equal({
      checked: true,
    });
  });

  describe("refuses", function () {
    it("random bytes registered as pytorch-gpu EXACT (an unknown runtime) unless told to allow it", async function () {
      await expectRefused(
        { artifact: randomBytes, runtime: "pytorch-gpu", mode: "exact" },
        /Unknown runtime "pytorch-gpu"[\s\S]*--allow-unknown-runtime/,
      );
      const allowed = await prepareModelRegistration({
        artifact: randomBytes,
        runtime: "pytorch-gpu",
        mode: "exact",
        allowUnknownRuntime: true,
      });
      expect(allowed).to.deep.equal({ checked: false });
    });
    it("an unparsable ONNX file, with the reason", async function () {
      await expectRefused(
        { artifact: randomBytes, runtime: ONNX_RUNTIME_ID, mode: "tolerance" },
        /onnxruntime-cpu-f32-v1 runtime refuses the artifact: Not an ONNX model/,
      );
      await expectRefused(
        { artifact: randomBytes, runtime: ONNX_WASM_RUNTIME_ID, mode: "exact" },
        /refuses the artifact: Not an ONNX model/,
      );
    });
    it("a malformed integer model, with the reason", async function () {
      const { artifact } = loadBundledModel("iris-int8");
      await expectRefused(
        { artifact: artifact.subarray(0, artifact.length - 1), runtime: INTEGER_RUNTIME_ID, mode: "exact" },
        /verity-int8-v1 runtime refuses the artifact/,
      );
    });
    it("a verity-int8-v2 model with a requantize shift of 0 (the on-chain one-step names it: OneStepRequantizeShiftOutOfRange)", async function () {
      const artifact = serializeIntegerModelV2(buildTestModel());
      expect(await prepareModelRegistration({ artifact, runtime: INTEGER_V2_RUNTIME_ID, mode: "exact" })).to.deep.equal(
        {
          checked: true,
        },
      );
      // Layer 2 of the test CNN is a requantize; its shift byte is at 32·2 + 5.
      const malformed = artifact.slice();
      malformed[32 * 2 + 5] = 0;
      await expectRefused(
        { artifact: malformed, runtime: INTEGER_V2_RUNTIME_ID, mode: "exact" },
        /verity-int8-v2 runtime refuses the artifact/,
      );
    });
    it("EXACT under native ONNX Runtime, pointing at the pinned WASM runtime", async function () {
      const { artifact } = buildOnnxFixtures()[1]!;
      await expectRefused(
        { artifact, runtime: ONNX_RUNTIME_ID, mode: "exact" },
        /can't verify EXACT[\s\S]*pinned WASM/,
      );
    });
    it("a dynamic dimension without a declared maximum", async function () {
      const { artifact } = buildOnnxFixtures()[2]!;
      await expectRefused(
        { artifact, runtime: ONNX_RUNTIME_ID, mode: "tolerance" },
        /Dynamic input dimensions need a declared maximum: N[\s\S]*--max-dim N=64/,
      );
    });
  });
});
