import { z } from "zod";
import type { Address, Hex } from "viem";
import { addressSchema, bytes32Schema, uint64Schema, type ReceiptBatch } from "../protocol";
import { NodeBatchError } from "./errors";

/** What a node answers to `POST /v1/batches`. */
export interface BatchSignature {
  batchId: Hex;
  batch: ReceiptBatch;
  signature: Hex;
}

/** Asks a node to build, store and sign the batch of `receiptHashes` at `sequence`. */
export type BatchSigner = (request: {
  node: Address;
  endpoint: string;
  sequence: bigint;
  receiptHashes: readonly Hex[];
}) => Promise<BatchSignature>;

const answerSchema = z.object({
  batchId: bytes32Schema,
  batch: z.object({
    node: addressSchema,
    sequence: uint64Schema,
    root: bytes32Schema,
    count: z.number().int().min(1).max(0xffffffff),
    dataHash: bytes32Schema,
  }),
  signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/),
});

/**
 * The HTTP batch signer of docs/services.md: `POST {endpoint}/v1/batches` with the bearer token. A 4xx is a
 * {@link NodeBatchError} with its status (permanent for this plan); network errors and 5xx throw as they are
 * (transient: the caller retries with backoff).
 */
export function createHttpBatchSigner(options: { token?: string | undefined; timeoutMs?: number } = {}): BatchSigner {
  return async ({ endpoint, sequence, receiptHashes }) => {
    const response = await fetch(`${endpoint.replace(/\/+$/, "")}/v1/batches`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: JSON.stringify({ sequence: sequence.toString(10), receiptHashes }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    const text = await response.text();
    if (response.status >= 500) throw new Error(`node ${endpoint} answered ${response.status}: ${text.slice(0, 300)}`);
    if (!response.ok) {
      throw new NodeBatchError(
        `node ${endpoint} refused the batch (${response.status})`,
        response.status,
        text.slice(0, 64 * 1024),
      );
    }
    let parsed;
    try {
      parsed = answerSchema.parse(JSON.parse(text));
    } catch (error) {
      throw new NodeBatchError(`node ${endpoint} sent a malformed batch answer`, response.status, String(error));
    }
    return { batchId: parsed.batchId, batch: parsed.batch, signature: parsed.signature.toLowerCase() as Hex };
  };
}

/** Asks a node to release a signed batch that was never submitted (its receipts may then go into another batch). */
export type BatchReleaser = (request: { node: Address; endpoint: string; batchId: Hex }) => Promise<{ state: string }>;

/**
 * The HTTP batch releaser of docs/services.md: `POST {endpoint}/v1/batches/{batchId}/release` with the bearer token.
 * A 4xx is a {@link NodeBatchError} (e.g. `BatchAttested`); network errors and 5xx throw as they are.
 */
export function createHttpBatchReleaser(
  options: { token?: string | undefined; timeoutMs?: number } = {},
): BatchReleaser {
  return async ({ endpoint, batchId }) => {
    const response = await fetch(`${endpoint.replace(/\/+$/, "")}/v1/batches/${batchId}/release`, {
      method: "POST",
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    const text = await response.text();
    if (response.status >= 500) throw new Error(`node ${endpoint} answered ${response.status}: ${text.slice(0, 300)}`);
    if (!response.ok) {
      throw new NodeBatchError(
        `node ${endpoint} refused to release batch ${batchId} (${response.status})`,
        response.status,
        text,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = z.object({ state: z.string() }).safeParse(json);
    if (!parsed.success)
      throw new NodeBatchError(`node ${endpoint} sent a malformed release answer`, response.status, text);
    return parsed.data;
  };
}

/** Reads a batch file a node serves (`GET {endpoint}/batches/{batchId}`), exactly as hashed. */
export type BatchFileReader = (request: { endpoint: string; batchId: Hex }) => Promise<string>;

/** The HTTP {@link BatchFileReader}; anything but a 200 throws (the caller retries). */
export function createHttpBatchFileReader(options: { timeoutMs?: number } = {}): BatchFileReader {
  return async ({ endpoint, batchId }) => {
    const response = await fetch(`${endpoint.replace(/\/+$/, "")}/batches/${batchId}`, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`node ${endpoint} answered ${response.status} for batch ${batchId}`);
    return text;
  };
}
