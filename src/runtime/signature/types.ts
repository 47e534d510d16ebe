import { z } from "zod";
import { tensorDtypes, type TensorDtype } from "../../protocol";

/** One dimension: fixed, or dynamic with a name and (for inputs) the largest value accepted. */
export type DimSpec = number | { readonly param: string; readonly max?: number };

/** A named input or output of a model. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: TensorDtype;
  readonly shape: readonly DimSpec[];
  /** Float inputs only: NaN and ±Inf are refused (the default for every float input). */
  readonly finite?: boolean;
}

/**
 * What a model takes and gives, recorded at registration as a content-addressed document
 * (docs/runtime.md § Model signatures). Inputs and outputs are in the model's own order.
 */
export interface ModelSignature {
  readonly version: 1;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** Largest canonical input encoding accepted, in bytes. */
  readonly maxInputBytes: number;
}

/** Float dtypes (the ones the `finite` flag applies to). */
export const FLOAT_DTYPES: ReadonlySet<TensorDtype> = new Set(["float16", "float32", "float64"]);

const dimSchema = z.union([
  z.number().int().nonnegative().max(0xffffffff),
  z
    .object({
      param: z.string().min(1).max(255),
      max: z.number().int().positive().max(0xffffffff).optional(),
    })
    .strict(),
]);
const tensorSpecSchema = z
  .object({
    name: z.string().min(1).max(255),
    dtype: z.enum(Object.keys(tensorDtypes) as [TensorDtype, ...TensorDtype[]]),
    shape: z.array(dimSchema).max(255),
    finite: z.boolean().optional(),
  })
  .strict();

/** zod schema of a {@link ModelSignature} document. */
export const modelSignatureSchema = z
  .object({
    version: z.literal(1),
    inputs: z.array(tensorSpecSchema).min(1).max(0xffff),
    outputs: z.array(tensorSpecSchema).min(1).max(0xffff),
    maxInputBytes: z.number().int().positive().max(0xffffffff),
  })
  .strict();
