import type { Hex } from "viem";
import { getErrorMessage } from "../protocol";

/** Where a batched receipt sits, as its node's `GET /v1/receipts/<hash>` tells it. */
export type ReceiptProof = { batchId: Hex; proof: Hex[] };

/** What asking the node found: the batch and proof, "not batched yet", or why the node could not say. */
export type FetchReceiptProofReturnType =
  { kind: "batched"; batchId: Hex; proof: Hex[] } | { kind: "unbatched" } | { kind: "unavailable"; reason: string };

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/**
 * Asks a node (`GET {endpoint}/v1/receipts/{receiptHash}`) for the batch id and Merkle proof of a receipt it issued.
 * Never throws: an unreachable node or a malformed answer is `unavailable` with the reason.
 */
export async function fetchReceiptProof(endpoint: string, receiptHash: Hex): Promise<FetchReceiptProofReturnType> {
  const url = `${endpoint.replace(/\/+$/, "")}/v1/receipts/${receiptHash}`;
  let body: { batchId?: unknown; proof?: unknown };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return { kind: "unavailable", reason: `${url} answered ${response.status}` };
    body = (await response.json()) as typeof body;
  } catch (error) {
    return { kind: "unavailable", reason: `${url}: ${getErrorMessage(error)}` };
  }
  if (body.batchId === null || body.batchId === undefined) return { kind: "unbatched" };
  const proof = body.proof;
  if (
    typeof body.batchId !== "string" ||
    !BYTES32.test(body.batchId) ||
    !Array.isArray(proof) ||
    !proof.every((item) => typeof item === "string" && BYTES32.test(item))
  ) {
    return { kind: "unavailable", reason: `${url} sent no well-formed batchId and proof` };
  }
  return { kind: "batched", batchId: body.batchId as Hex, proof: proof as Hex[] };
}
