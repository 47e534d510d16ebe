import type { Address, Hex } from "viem";
import { z } from "zod";
import { BaseError } from "./errors";
import type { Receipt } from "./receipt";
import { addressSchema, bytes32Schema, receiptSchema } from "./schemas";

/** The `type` of a Verity ERC-8004 validation request document. */
export const VALIDATION_REQUEST_DOCUMENT_TYPE = "verity/erc8004-validation-request/v1";

const DATA_URI_PREFIX = "data:application/json;base64,";

/**
 * What an ERC-8004 request's `requestURI` carries for a `VerityValidator`: the receipt, where it was attested (batch
 * id and proof, or none for a receipt attested singly) and the salt, so anyone can push updates. Its
 * `(chainId, validator, agentId, receiptHash, batchId, salt)` hash to the request's `requestHash`.
 */
export type ValidationRequestDocument = {
  type: typeof VALIDATION_REQUEST_DOCUMENT_TYPE;
  chainId: number;
  validator: Address;
  agentId: bigint;
  receipt: Receipt;
  /** Zero for a receipt attested singly. */
  batchId: Hex;
  proof: Hex[];
  salt: Hex;
};

/** A `requestURI` that is no Verity validation request document (or a malformed one). */
export class InvalidValidationRequestError extends BaseError {
  override name = "InvalidValidationRequestError";
}

const documentSchema = z
  .object({
    type: z.literal(VALIDATION_REQUEST_DOCUMENT_TYPE),
    chainId: z.number().int().positive(),
    validator: addressSchema,
    agentId: z
      .string()
      .regex(/^(0|[1-9][0-9]*)$/, "expected a decimal integer string")
      .transform((v) => BigInt(v)),
    receipt: receiptSchema,
    batchId: bytes32Schema,
    proof: z.array(bytes32Schema).max(64),
    salt: bytes32Schema,
  })
  .strict();

/** The document as a `data:application/json;base64,` URI (integers as decimal strings). */
export function toValidationRequestUri(document: ValidationRequestDocument): string {
  const json = JSON.stringify(document, (_, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
  return `${DATA_URI_PREFIX}${toBase64(json)}`;
}

/**
 * Reads a document from a `requestURI` written by {@link toValidationRequestUri}; throws
 * {@link InvalidValidationRequestError} for any other URI or a malformed document.
 */
export function parseValidationRequestUri(uri: string): ValidationRequestDocument {
  if (!uri.startsWith(DATA_URI_PREFIX)) {
    throw new InvalidValidationRequestError("Not a Verity validation request URI.", {
      details: `expected ${DATA_URI_PREFIX}…`,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fromBase64(uri.slice(DATA_URI_PREFIX.length)));
  } catch (cause) {
    throw new InvalidValidationRequestError("The request URI holds no JSON.", { cause });
  }
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidValidationRequestError("Invalid validation request document.", {
      details: `${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
    });
  }
  return parsed.data as ValidationRequestDocument;
}

/** UTF-8 text to base64 (browser and Node alike). */
function toBase64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Base64 to UTF-8 text; throws on malformed input. */
function fromBase64(encoded: string): string {
  const binary = atob(encoded);
  return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}
