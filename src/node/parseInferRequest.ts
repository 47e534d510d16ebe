import type { Hex } from "viem";
import { z } from "zod";
import {
  bytes32Schema,
  createTensor,
  getTensorSize,
  tensorDtypes,
  type Tensor,
  type TensorDtype,
  type TensorPayload,
} from "../protocol";
import { InputValidationError, parseTensorJson, validatePayload, type ModelSignature } from "../runtime";
import { InvalidRequestError } from "./errors";

/** What the model expects: the manifest's input dtype and shape. */
export type TensorSpec = { dtype: TensorDtype; shape: readonly number[] };

/** The body of `POST /v1/infer`. */
const tensorJsonSchema = z
  .object({
    dtype: z.enum(Object.keys(tensorDtypes) as [TensorDtype, ...TensorDtype[]]),
    shape: z.array(z.number().int().nonnegative().max(0xffffffff)).max(255),
    data: z.array(
      z.union([
        z.number(),
        z.boolean(),
        z.string().regex(/^(-?(0|[1-9][0-9]*)|NaN|-?Infinity)$/, "expected a decimal integer, NaN or ±Infinity"),
      ]),
    ),
  })
  .strict();

/** The body of `POST /v1/infer`: one unnamed `input`, or named `inputs` (a model with a signature document). */
export const inferRequestSchema = z
  .object({
    modelId: bytes32Schema,
    input: tensorJsonSchema.optional(),
    inputs: z.record(z.string().min(1).max(255), tensorJsonSchema).optional(),
    requestId: bytes32Schema.optional(),
  })
  .strict()
  .refine((body) => (body.input === undefined) !== (body.inputs === undefined), {
    message: "Required: exactly one of input (one unnamed tensor) or inputs (named tensors)",
    path: ["input"],
  });

type TensorJsonBody = z.infer<typeof tensorJsonSchema>;
export type InferRequest = {
  modelId: Hex;
  input?: TensorJsonBody;
  inputs?: Record<string, TensorJsonBody>;
  requestId?: Hex;
};

const INTEGER_RANGES: Partial<Record<TensorDtype, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Parses a `POST /v1/infer` body; throws {@link InvalidRequestError} naming every bad field. */
export function parseInferRequest(body: unknown): InferRequest {
  const parsed = inferRequestSchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(body)"}: ${issue.message}`)
      .join("; ");
    throw new InvalidRequestError("InvalidRequest", `Invalid inference request: ${problems}`);
  }
  return parsed.data as InferRequest;
}

/**
 * Builds the input tensor and checks it against the model: same dtype, same shape, one element per position, every
 * element representable in the dtype. Throws {@link InvalidRequestError} (`InvalidInput`) saying what differs.
 */
export function toInputTensor(input: TensorJsonBody, spec: TensorSpec): Tensor {
  const fail = (message: string) => new InvalidRequestError("InvalidInput", message);
  if (input.dtype !== spec.dtype) throw fail(`input dtype is ${input.dtype}, the model takes ${spec.dtype}`);
  if (input.shape.length !== spec.shape.length || input.shape.some((dim, i) => dim !== spec.shape[i])) {
    throw fail(`input shape is [${input.shape.join(",")}], the model takes [${spec.shape.join(",")}]`);
  }
  const size = getTensorSize(input.shape);
  if (input.data.length !== size) {
    throw fail(`input shape [${input.shape.join(",")}] holds ${size} elements, data has ${input.data.length}`);
  }
  if (input.dtype === "int64") {
    const values = input.data.map((v, i) => {
      if (typeof v === "number" && !Number.isSafeInteger(v)) throw fail(`data[${i}] is not an int64: ${v}`);
      const big = BigInt(v);
      if (big < INT64_MIN || big > INT64_MAX) throw fail(`data[${i}] is out of the int64 range: ${v}`);
      return big;
    });
    return createTensor("int64", input.shape, values);
  }
  const numbers = input.data.map((v, i) => {
    if (typeof v !== "number") throw fail(`data[${i}] must be a number for ${input.dtype}`);
    return v;
  });
  const range = INTEGER_RANGES[input.dtype];
  numbers.forEach((v, i) => {
    if (range && (!Number.isInteger(v) || v < range[0] || v > range[1])) {
      throw fail(`data[${i}] is not an ${input.dtype} (${range[0]}..${range[1]}): ${v}`);
    }
    if (input.dtype === "float32" && Number.isFinite(v) && Math.abs(v) > 3.4028234663852886e38) {
      throw fail(`data[${i}] overflows float32: ${v}`);
    }
  });
  return createTensor(input.dtype, input.shape, numbers);
}

/**
 * The request's input as the payload its receipt commits, checked against the model's signature: named `inputs`
 * become a bundle (or the plain tensor of a one-input model), an unnamed `input` stands for the only input. Throws
 * {@link InvalidRequestError} (`InvalidInput`) naming each input and what is wrong with it.
 */
export function toInputPayload(request: InferRequest, signature: ModelSignature): TensorPayload {
  try {
    const payload: TensorPayload =
      request.inputs !== undefined
        ? {
            tensors: Object.fromEntries(
              Object.entries(request.inputs).map(([name, json]) => [name, parseTensorJson(json, `input "${name}"`)]),
            ),
          }
        : parseTensorJson(request.input!, "input");
    return validatePayload(signature, payload);
  } catch (error) {
    if (error instanceof InputValidationError) {
      throw new InvalidRequestError("InvalidInput", `Input does not match the model: ${error.problems.join("; ")}`);
    }
    throw error;
  }
}
