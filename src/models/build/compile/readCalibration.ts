import { InputValidationError, parseTensorJson, type TensorJson } from "../../../runtime";
import { CompileRefusedError } from "./compileErrors";

/**
 * Calibration data: `{ "samples": [ <input>, ... ] }`, each input in the JSON form `verity request submit --input`
 * takes for the float model: one tensor `{ "dtype": "float32", "shape": [1, C, H, W], "data": [...] }` (data flat,
 * row-major), or `{ "inputs": { "<input name>": { dtype, shape, data } } }`.
 */
export type CalibrationJson = { samples: unknown[] };

/**
 * Parses calibration JSON against the model's input: every sample must be float32 of exactly `shape` (batch 1),
 * finite. Refuses ({@link CompileRefusedError}) naming the sample, the input, the expected and the given shape.
 */
export function readCalibration(json: unknown, input: { name: string; onnxShape: readonly number[] }): Float64Array[] {
  const expected = `float32 [${input.onnxShape.join(",")}]`;
  const samples = (json as Partial<CalibrationJson> | null)?.samples;
  if (!Array.isArray(samples) || samples.length === 0) {
    throw new CompileRefusedError(
      `Calibration data must be { "samples": [ ... ] } with at least one input (each ${expected} for input "${input.name}").`,
    );
  }
  return samples.map((sample, index) => {
    const where = `calibration sample ${index}, input "${input.name}"`;
    let tensorJson = sample as TensorJson & { inputs?: Record<string, TensorJson> };
    if (tensorJson?.inputs !== undefined) {
      const names = Object.keys(tensorJson.inputs);
      if (names.length !== 1 || names[0] !== input.name) {
        throw new CompileRefusedError(
          `Calibration sample ${index} names inputs [${names.join(", ")}]; the model takes one input "${input.name}" (${expected}).`,
        );
      }
      tensorJson = tensorJson.inputs[input.name]! as typeof tensorJson;
    }
    let tensor;
    try {
      tensor = parseTensorJson(tensorJson, where);
    } catch (error) {
      const reason = error instanceof InputValidationError ? error.problems.join("; ") : String(error);
      throw new CompileRefusedError(`${where}: not a valid tensor (expected ${expected}): ${reason}`);
    }
    const given = `${tensor.dtype} [${tensor.shape.join(",")}]`;
    if (given !== expected) throw new CompileRefusedError(`${where}: expected ${expected}, given ${given}.`);
    const data = Float64Array.from(tensor.data as Float32Array);
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new CompileRefusedError(`${where}: element ${bad} is not finite.`);
    return data;
  });
}
