import type { Address, Hex } from "viem";
import { z } from "zod";
import type { BatchFile } from "./batchFile";
import { InvalidBatchError, InvalidReceiptError } from "./errors";
import type { Receipt } from "./receipt";

const UINT64_MAX = (1n << 64n) - 1n;

/** 0x-prefixed 32-byte hex. */
export const bytes32Schema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x-prefixed 32-byte hex (64 hex digits)")
  .transform((s) => s.toLowerCase() as Hex);

/** 0x-prefixed 20-byte address (any case; checksums are not enforced, the hash ignores case). */
export const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected 0x-prefixed 20-byte address (40 hex digits)")
  .transform((s) => s.toLowerCase() as Address);

/** A uint64 given as a decimal string, a safe integer, or a bigint. */
export const uint64Schema = z
  .union([z.string().regex(/^(0|[1-9][0-9]*)$/, "expected a decimal integer string"), z.number().int(), z.bigint()])
  .transform((v) => BigInt(v))
  .refine((v) => v >= 0n && v <= UINT64_MAX, "expected an integer in [0, 2^64-1]");

/** A receipt in JSON. */
export const receiptSchema = z
  .object({
    requestId: bytes32Schema,
    modelId: bytes32Schema,
    inputHash: bytes32Schema,
    outputHash: bytes32Schema,
    traceRoot: bytes32Schema,
    node: addressSchema,
    issuedAt: uint64Schema,
  })
  .strict();

/** An input/output reference: inline canonical tensor encoding, or a content address. */
export const tensorReferenceSchema = z.union([
  z.object({ encoding: z.string().regex(/^0x([0-9a-fA-F]{2})*$/, "expected 0x-prefixed even-length hex") }).strict(),
  z.object({ uri: z.string().min(1).max(2048) }).strict(),
]);

/** A batch file in JSON. */
export const batchFileSchema = z
  .object({
    version: z.literal(1),
    node: addressSchema,
    sequence: uint64Schema,
    entries: z
      .array(z.object({ receipt: receiptSchema, input: tensorReferenceSchema, output: tensorReferenceSchema }).strict())
      .min(1, "a batch holds at least one receipt")
      .max(0xffffffff),
  })
  .strict();

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}

function parseJsonText(value: unknown, ErrorClass: typeof InvalidReceiptError, what: string): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch (cause) {
    throw new ErrorClass(`${what} is not valid JSON.`, { cause });
  }
}

/** Parses a receipt from JSON text or a parsed value; throws {@link InvalidReceiptError} saying which field is wrong. */
export function parseReceipt(value: unknown): Receipt {
  const result = receiptSchema.safeParse(parseJsonText(value, InvalidReceiptError, "Receipt"));
  if (!result.success)
    throw new InvalidReceiptError("Invalid receipt.", { details: describeIssues(result.error), cause: result.error });
  return result.data;
}

/**
 * Parses a batch file from JSON text or a parsed value; throws {@link InvalidBatchError} saying which field is wrong,
 * or if a receipt names another node than the file.
 */
export function parseBatchFile(value: unknown): BatchFile {
  const result = batchFileSchema.safeParse(parseJsonText(value, InvalidBatchError, "Batch file"));
  if (!result.success)
    throw new InvalidBatchError("Invalid batch file.", { details: describeIssues(result.error), cause: result.error });
  const file = result.data;
  file.entries.forEach((entry, i) => {
    if (entry.receipt.node !== file.node) {
      throw new InvalidBatchError("Receipt belongs to another node.", {
        details: `entries.${i}.receipt.node ${entry.receipt.node} != node ${file.node}`,
      });
    }
  });
  return file as BatchFile;
}
