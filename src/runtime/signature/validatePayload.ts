import { encodePayload, isTensorBundle, type Tensor, type TensorPayload } from "../../protocol";
import { InputValidationError } from "../errors";
import { fromFloat16Bits } from "./float16";
import { FLOAT_DTYPES, type ModelSignature, type TensorSpec } from "./types";

function describeSpec(spec: TensorSpec): string {
  const dims = spec.shape.map((d) => (typeof d === "number" ? d : `${d.param}≤${d.max ?? "?"}`));
  return `${spec.dtype} [${dims.join(",")}]`;
}

function firstNonFinite(tensor: Tensor): number {
  const { data } = tensor;
  for (let i = 0; i < data.length; i++) {
    const v = tensor.dtype === "float16" ? fromFloat16Bits(data[i] as number) : (data[i] as number);
    if (!Number.isFinite(v)) return i;
  }
  return -1;
}

/** The payload as named tensors: a plain tensor stands for the only input of a one-input model. */
function toNamed(signature: ModelSignature, payload: TensorPayload, problems: string[]): Record<string, Tensor> {
  if (isTensorBundle(payload)) return payload.tensors;
  if (signature.inputs.length === 1) return { [signature.inputs[0]!.name]: payload };
  problems.push(
    `the model takes ${signature.inputs.length} named inputs (${signature.inputs.map((s) => `"${s.name}"`).join(", ")}), got one unnamed tensor`,
  );
  return {};
}

/**
 * Checks inputs against a model's signature and returns them as the payload a receipt commits (one input: the plain
 * tensor; several: the bundle of all). Every problem is collected and named: a missing or unexpected input, a wrong
 * dtype, a wrong rank or fixed dimension, a dynamic dimension over its declared maximum or disagreeing with the same
 * dimension elsewhere, NaN or ±Inf in a float input declared finite, an encoding over the model's byte limit.
 * Throws {@link InputValidationError}.
 */
export function validatePayload(signature: ModelSignature, payload: TensorPayload): TensorPayload {
  const problems: string[] = [];
  const named = toNamed(signature, payload, problems);
  const expected = new Set(signature.inputs.map((s) => s.name));
  for (const name of Object.keys(named)) {
    if (!expected.has(name)) {
      problems.push(`unexpected input "${name}" (the model takes ${[...expected].map((n) => `"${n}"`).join(", ")})`);
    }
  }
  const params = new Map<string, { value: number; where: string }>();
  for (const spec of signature.inputs) {
    const tensor = named[spec.name];
    const label = `input "${spec.name}"`;
    if (tensor === undefined) {
      if (!isTensorBundle(payload) && signature.inputs.length !== 1) continue;
      problems.push(`missing ${label} (${describeSpec(spec)})`);
      continue;
    }
    if (tensor.dtype !== spec.dtype) {
      problems.push(`${label}: dtype is ${tensor.dtype}, the model takes ${spec.dtype}`);
      continue;
    }
    if (tensor.shape.length !== spec.shape.length) {
      problems.push(
        `${label}: shape [${tensor.shape.join(",")}] has rank ${tensor.shape.length}, the model takes ${describeSpec(spec)}`,
      );
      continue;
    }
    spec.shape.forEach((dim, axis) => {
      const actual = tensor.shape[axis]!;
      if (typeof dim === "number") {
        if (actual !== dim) problems.push(`${label}: dimension ${axis} is ${actual}, the model takes ${dim}`);
        return;
      }
      if (dim.max !== undefined && actual > dim.max) {
        problems.push(`${label}: dimension ${axis} (${dim.param}) is ${actual}, over its declared maximum ${dim.max}`);
      }
      const seen = params.get(dim.param);
      if (seen === undefined) params.set(dim.param, { value: actual, where: `${label} dimension ${axis}` });
      else if (seen.value !== actual) {
        problems.push(`${label}: dimension ${axis} (${dim.param}) is ${actual}, but ${seen.where} is ${seen.value}`);
      }
    });
    if (FLOAT_DTYPES.has(spec.dtype) && spec.finite !== false) {
      const index = firstNonFinite(tensor);
      if (index >= 0) problems.push(`${label}: element ${index} is NaN or infinite, the model declares finite values`);
    }
  }
  if (problems.length > 0) throw new InputValidationError(problems);
  const result: TensorPayload = signature.inputs.length === 1 ? named[signature.inputs[0]!.name]! : { tensors: named };
  const size = encodePayload(result).length;
  if (size > signature.maxInputBytes) {
    throw new InputValidationError([
      `the input is ${size} bytes encoded, over the model's limit of ${signature.maxInputBytes} bytes`,
    ]);
  }
  return result;
}
