import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { DigitsManifest } from "../../src/models/build/buildDigitsModel";
import { evaluateIntegerV2Artifact } from "../../src/models/build/buildDigitsModel";
import { getDigitsSplit, loadDigits } from "../../src/models/build/digits";
import { createIntegerRuntimeV2, quantizeInputV2, parseIntegerModelV2 } from "../../src/runtime/integerV2";

const MODELS = path.join(__dirname, "..", "..", "models");

describe("bundled digits CNN (runtime v2)", function () {
  const digits = (JSON.parse(readFileSync(path.join(MODELS, "manifest.json"), "utf8")) as { digits: DigitsManifest })
    .digits;
  const entry = digits.models[0]!;
  const artifact = new Uint8Array(readFileSync(path.join(MODELS, entry.file)));

  it("ships the 1,797 UCI digits and splits them 1,438 / 359", function () {
    expect(loadDigits()).to.have.length(1797);
    const { train, heldOut } = getDigitsSplit();
    expect([train.length, heldOut.length]).to.deep.equal([1438, 359]);
  });

  it("loads under its registered id (the model commitment) and reproduces the manifest's held-out accuracy", async function () {
    const loaded = await createIntegerRuntimeV2({ expectedModelId: entry.modelId }).load(artifact);
    expect(loaded.modelId).to.equal(entry.modelId);
    const { heldOut } = getDigitsSplit();
    expect(evaluateIntegerV2Artifact(artifact, heldOut)).to.equal(entry.heldOut.correct);
    expect(entry.heldOut.accuracy).to.be.at.least(0.9);
    expect(digits.float.accuracy).to.be.at.least(0.9);
    const model = parseIntegerModelV2(artifact);
    const sample = heldOut[0]!;
    const { output } = await loaded.run(quantizeInputV2(model, sample.features));
    expect(output.shape).to.deep.equal([1]);
  });
});
