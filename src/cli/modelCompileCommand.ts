import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { ConfigError } from "../config/ConfigError";
import type { ModelManifest, ModelManifestEntry } from "../models/manifest";
import { getErrorMessage } from "../protocol";
import { ExitCode, ExitCodeError } from "./exitCode";
import { addExamples, addJsonOption } from "./options";
import { createOutput } from "./output";

interface CompileOptions {
  calibration: string;
  out?: string;
  manifest?: boolean;
  calibrationMethod: string;
  percentile?: string;
  json: boolean;
}

/** `--calibration-method` / `--percentile` as the compiler takes them; a bad value is a {@link ConfigError}. */
export function parseCalibrationMethod(
  method: string,
  percentile: string | undefined,
): { method: "max" } | { method: "percentile"; percentile: number } {
  if (method === "max") {
    if (percentile !== undefined) throw new ConfigError("--percentile: only with --calibration-method percentile");
    return { method: "max" };
  }
  if (method !== "percentile") throw new ConfigError(`--calibration-method: "max" or "percentile", not "${method}"`);
  const p = percentile === undefined ? 99.99 : Number(percentile);
  if (!(Number.isFinite(p) && p > 50 && p <= 100)) {
    throw new ConfigError(`--percentile: a number in (50, 100], not "${percentile}"`);
  }
  return { method: "percentile", percentile: p };
}

/**
 * Adds (or replaces, by file name) the model's entry in `manifest.json` next to the artifact, creating the manifest
 * when absent: `model register` then takes its runtime and mode from it, and `node serve --models <dir>` serves it.
 */
export function writeManifestEntry(artifactPath: string, entry: ModelManifestEntry): string {
  const file = path.join(path.dirname(artifactPath), "manifest.json");
  let manifest: ModelManifest = { version: 1, models: [] };
  if (fs.existsSync(file)) {
    try {
      manifest = JSON.parse(fs.readFileSync(file, "utf8")) as ModelManifest;
    } catch (cause) {
      throw new ConfigError(`--manifest: ${file} is not JSON: ${getErrorMessage(cause)}`);
    }
    if (!Array.isArray(manifest.models)) throw new ConfigError(`--manifest: ${file} has no "models" list`);
  }
  manifest.models = [...manifest.models.filter((m) => m.file !== entry.file), entry];
  fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return file;
}

/** `<model>.onnx` → `<model>.vmodel2` next to it. */
export function getDefaultCompileOut(model: string): string {
  const parsed = path.parse(model);
  return path.join(parsed.dir, `${parsed.ext === ".onnx" ? parsed.name : parsed.base}.vmodel2`);
}

/**
 * `verity model compile <model.onnx> --calibration <inputs.json> [--out <model.vmodel2>]`: quantizes a float ONNX
 * model into a runtime-v2 (`verity-int8-v2`) model. Exit 2 for a model or calibration set that can't be compiled
 * (every unsupported node listed, nothing written), 1 for other failures.
 */
export function addModelCompileCommand(model: Command): void {
  const compile = addJsonOption(
    model
      .command("compile")
      .description("quantize a float ONNX model into a verity-int8-v2 model (EXACT, fraud-provable on chain)")
      .argument("<model>", "the float ONNX model: self-contained, one float32 input [1,F] or [1,C,H,W], one output")
      .requiredOption(
        "--calibration <file>",
        'calibration inputs: { "samples": [ {"dtype":"float32","shape":[1,...],"data":[...]}, ... ] }',
      )
      .option("--out <file>", "where to write the v2 model (default: <model> with the extension .vmodel2)")
      .option(
        "--manifest",
        "also add the model to manifest.json next to the output (for model register and node serve)",
      )
      .option(
        "--calibration-method <method>",
        "activation ranges: max (largest |value|) or percentile (clip rare outliers; also prints max's figures)",
        "max",
      )
      .option("--percentile <p>", "with --calibration-method percentile: the percentile of |values| (default 99.99)"),
  );
  addExamples(
    compile,
    [
      "verity model compile models/onnx/small-cnn.onnx --calibration digits-calibration.json",
      "verity model compile my.onnx --calibration inputs.json --out models/my.vmodel2 --manifest --json",
      "verity model compile my.onnx --calibration inputs.json --calibration-method percentile --percentile 99.99",
    ],
    "\nOps: Gemm, MatMul, Conv, Add (residual, or a bias), Relu, MaxPool, AveragePool, GlobalAveragePool,\n" +
      "GlobalMaxPool, Flatten, Reshape (to [1, n]), BatchNormalization (folded into the Conv/Gemm before it),\n" +
      "Identity, Dropout, constant Sub/Mul/Div/Add on the input (folded), and at the end Softmax/LogSoftmax (dropped:\n" +
      "the model outputs int32 logits) or ArgMax (the v2 argmax output). Anything else is refused, naming the node.\n" +
      "The int8 model takes q = clamp(floor((x - mean) * scale + 0.5)) of the float input (mean, scale printed).\n" +
      "Exit codes: 0 compiled, 2 the model or calibration data can't be compiled (nothing written), 1 other failures.\n",
  ).action(async (onnxPath: string, options: CompileOptions) => {
    const output = createOutput(options.json);
    const out = options.out ?? getDefaultCompileOut(onnxPath);
    if (path.resolve(out) === path.resolve(onnxPath)) throw new ConfigError("--out: would overwrite the ONNX model");
    let onnx: Uint8Array;
    try {
      onnx = new Uint8Array(fs.readFileSync(onnxPath));
    } catch (cause) {
      throw new ConfigError(`<model>: cannot read ${onnxPath}: ${getErrorMessage(cause)}`);
    }
    let calibration: unknown;
    try {
      calibration = JSON.parse(fs.readFileSync(options.calibration, "utf8"));
    } catch (cause) {
      throw new ConfigError(`--calibration: cannot read JSON from ${options.calibration}: ${getErrorMessage(cause)}`);
    }
    const calibrationMethod = parseCalibrationMethod(options.calibrationMethod, options.percentile);
    // Loaded only for this command: onnx-proto, ONNX Runtime and the compiler.
    const { compileOnnxModel, CompileRefusedError } = await import("../models/build/compile");
    let result;
    try {
      result = await compileOnnxModel({ onnx, calibration, calibrationMethod });
    } catch (error) {
      if (error instanceof CompileRefusedError) {
        throw new ExitCodeError(`cannot compile ${onnxPath}: ${error.message}`, ExitCode.Usage);
      }
      throw error;
    }
    fs.writeFileSync(out, result.artifact);
    const manifestEntry: ModelManifestEntry = {
      name: path.parse(out).name,
      file: path.basename(out),
      modelId: result.modelId,
      runtimeId: "verity-int8-v2",
      verificationMode: "EXACT",
      tolerance: "0",
      input: { dtype: "int8", shape: result.input.v2Shape },
      output:
        result.output.op === "argmax"
          ? { dtype: "int32", shape: [1], meaning: `the class index (argmax of ${result.output.size} logits)` }
          : {
              dtype: "int32",
              shape: [1, result.output.size],
              meaning: `logits; float logit = value / ${result.output.scale}`,
            },
      description:
        `compiled from ${path.basename(onnxPath)}; input q = clamp_int8(floor((x - ${result.input.mean}) * ` +
        `${result.input.scale} + 0.5))`,
    };
    const manifestFile = options.manifest ? writeManifestEntry(out, manifestEntry) : undefined;
    const e = result.evaluation;
    const b = result.baseline;
    const method =
      result.calibrationMethod.method === "max" ? "max" : `percentile ${result.calibrationMethod.percentile}`;
    const summary = {
      file: out,
      bytes: result.artifact.length,
      modelId: result.modelId,
      runtime: "verity-int8-v2",
      verificationMode: "EXACT",
      input: `${result.input.name}: int8 [${result.input.v2Shape.join(",")}], q = clamp(floor((x - ${result.input.mean}) * ${result.input.scale} + 0.5))`,
      output:
        result.output.op === "argmax"
          ? `int32 [1]: the class index (argmax of the ${result.output.size} logits "${result.output.logits}")`
          : `int32 [1,${result.output.size}]: logits "${result.output.logits}" = value / ${result.output.scale} (no softmax)`,
      calibrationSamples: e.samples,
      calibrationMethod: method,
      topClassAgreement: `${e.topClassAgreements}/${e.samples} (${(100 * e.topClassAgreement).toFixed(1)}%)`,
      maxLogitError: `${e.maxLogitError.toPrecision(4)} (largest |logit| ${e.maxAbsLogit.toPrecision(4)})`,
      ...(b
        ? {
            maxAbsCalibrationAgreement: `${b.topClassAgreements}/${b.samples} (${(100 * b.topClassAgreement).toFixed(1)}%)`,
            maxAbsCalibrationLogitError: b.maxLogitError.toPrecision(4),
          }
        : {}),
      compileMs: Math.round(result.compileMs),
      evaluateMs: Math.round(result.evaluateMs),
      ...(manifestFile ? { manifest: manifestFile } : {}),
    };
    if (options.json) {
      output.record({
        file: out,
        bytes: result.artifact.length,
        modelId: result.modelId,
        runtime: "verity-int8-v2",
        verificationMode: "EXACT",
        mapping: result.mapping,
        layers: result.layers,
        input: result.input,
        output: result.output,
        calibrationMethod: result.calibrationMethod,
        evaluation: result.evaluation,
        ...(b ? { baseline: b } : {}),
        compileMs: result.compileMs,
        evaluateMs: result.evaluateMs,
        manifestEntry,
        ...(manifestFile ? { manifest: manifestFile } : {}),
      });
      return;
    }
    output.table(result.mapping, ["node", "opType", "v2"]);
    output.table(result.layers, ["layer", "op", "inShape", "outShape", "parameters"]);
    output.record(summary);
  });
}
