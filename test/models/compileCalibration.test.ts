import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { calibrate, lowerOnnxGraph } from "../../src/models/build/compile";
import { getDigitsSplit } from "../../src/models/build/digits";
import { runVerity } from "../cli/runVerity";

const SMALL_CNN = path.join(__dirname, "..", "..", "models", "onnx", "small-cnn.onnx");

type Evaluation = { samples: number; topClassAgreements: number; maxLogitError: number; maxAbsLogit: number };
type CompileJson = {
  modelId: string;
  calibrationMethod: { method: string; percentile?: number };
  evaluation: Evaluation;
  baseline?: Evaluation;
};

/** 200 digits as the CNN's float input (pixel / 16); with `outlier`, sample 0 has one pixel at that value. */
function digits(outlier?: number): Float64Array[] {
  return getDigitsSplit()
    .train.slice(0, 200)
    .map((s, i) => {
      const x = Float64Array.from(s.features, (p) => p / 16);
      if (outlier !== undefined && i === 0) x[27] = outlier;
      return x;
    });
}

const asJson = (samples: Float64Array[]) => ({
  samples: samples.map((x) => ({ dtype: "float32", shape: [1, 1, 8, 8], data: Array.from(x) })),
});

describe("model compile: percentile calibration", function () {
  this.timeout(60_000);
  let dir: string;
  const write = (name: string, value: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  };
  const compile = async (calibration: string, ...flags: string[]) => {
    const run = await runVerity([
      "model",
      "compile",
      SMALL_CNN,
      "--calibration",
      calibration,
      "--out",
      path.join(dir, "out.vmodel2"),
      "--json",
      ...flags,
    ]);
    expect(run.code, run.stderr).to.equal(0);
    return JSON.parse(run.stdout) as CompileJson;
  };

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-calibration-"));
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("takes each tensor's range at the p-th percentile of |values| (100: the max), the input's min/max likewise", function () {
    const { model } = lowerOnnxGraph(new Uint8Array(fs.readFileSync(SMALL_CNN)));
    const inputs = digits(100);
    const max = calibrate(model, inputs);
    const p100 = calibrate(model, inputs, { method: "percentile", percentile: 100 });
    expect(Array.from(p100.maxAbs)).to.deep.equal(Array.from(max.maxAbs));
    expect([p100.inputMin, p100.inputMax]).to.deep.equal([max.inputMin, max.inputMax]);
    expect(max.maxAbs[0]).to.equal(100);
    // One value in 12,800 input values is the outlier: the 99.99th percentile (rank 12,799) is the next largest.
    const clipped = calibrate(model, inputs, { method: "percentile", percentile: 99.99 });
    expect(clipped.maxAbs[0]).to.equal(1);
    expect(clipped.inputMax).to.equal(1);
    expect(clipped.inputMin).to.equal(0);
    for (let t = 1; t < max.maxAbs.length; t++) expect(clipped.maxAbs[t]).to.be.at.most(max.maxAbs[t]!);
    expect(() => calibrate(model, inputs, { method: "percentile", percentile: 0 })).to.throw(/percentile/);
  });

  it("prints the max-abs figures next to the percentile's (before / after), on clean digits and with an outlier", async function () {
    const clean = write("clean.json", asJson(digits()));
    const maxClean = await compile(clean);
    expect(maxClean.calibrationMethod).to.deep.equal({ method: "max" });
    expect(maxClean.baseline).to.equal(undefined);
    const pctClean = await compile(clean, "--calibration-method", "percentile", "--percentile", "99.99");
    expect(pctClean.calibrationMethod).to.deep.equal({ method: "percentile", percentile: 99.99 });
    expect(pctClean.baseline).to.deep.equal(maxClean.evaluation);
    expect(pctClean.modelId).to.not.equal(maxClean.modelId);
    expect(pctClean.evaluation.topClassAgreements / 200).to.be.at.least(0.95);

    // One sample with a pixel at 100 (the others are in [0, 1]): max-abs spends the int8 input range on it.
    const outlier = write("outlier.json", asJson(digits(100)));
    const pct = await compile(outlier, "--calibration-method", "percentile");
    expect(pct.calibrationMethod).to.deep.equal({ method: "percentile", percentile: 99.99 });
    const before = pct.baseline!;
    const after = pct.evaluation;
    console.log(
      `      small-cnn, 200 digits: max ${maxClean.evaluation.topClassAgreements}/200 ` +
        `(max logit error ${maxClean.evaluation.maxLogitError.toPrecision(3)}), p99.99 ` +
        `${pctClean.evaluation.topClassAgreements}/200 (${pctClean.evaluation.maxLogitError.toPrecision(3)}); ` +
        `with one outlier pixel: max ${before.topClassAgreements}/200 (${before.maxLogitError.toPrecision(3)}), ` +
        `p99.99 ${after.topClassAgreements}/200 (${after.maxLogitError.toPrecision(3)})`,
    );
    expect(after.topClassAgreements).to.be.greaterThan(before.topClassAgreements);

    const table = await runVerity([
      "model",
      "compile",
      SMALL_CNN,
      "--calibration",
      outlier,
      "--out",
      path.join(dir, "table.vmodel2"),
      "--calibration-method",
      "percentile",
      "--percentile",
      "99.9",
    ]);
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.match(/calibrationMethod\s+│ percentile 99\.9\s/);
    expect(table.stdout).to.match(/maxAbsCalibrationAgreement\s+│ 121\/200 \(60\.5%\)/);
    expect(table.stdout).to.match(/maxAbsCalibrationLogitError\s+│ 0\.4/);
  });

  it("refuses a bad method or percentile, exit 2, nothing written", async function () {
    const clean = write("bad.json", asJson(digits().slice(0, 2)));
    const out = path.join(dir, "bad.vmodel2");
    for (const [flags, message] of [
      [["--calibration-method", "entropy"], /--calibration-method: "max" or "percentile", not "entropy"/],
      [["--calibration-method", "percentile", "--percentile", "40"], /--percentile: a number in \(50, 100\]/],
      [["--percentile", "99"], /--percentile: only with --calibration-method percentile/],
    ] as const) {
      const run = await runVerity(["model", "compile", SMALL_CNN, "--calibration", clean, "--out", out, ...flags]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(message);
      expect(fs.existsSync(out)).to.equal(false);
    }
  });
});
