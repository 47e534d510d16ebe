import { z } from "zod";
import { type Address, type Hex, isAddressEqual } from "viem";
import {
  type GetVerityDomainParameters,
  getReceiptStructHash,
  receiptSchema,
  recoverReceiptSigner,
  InvalidSignatureError,
} from "../protocol";
import type { ValidReceipt } from "./KeeperStore";
import type { NodeInfo } from "./NodeDirectory";

/** Most receipts in one `POST /v1/receipts`. */
export const MAX_RECEIPTS_PER_REQUEST = 4096;

const signatureSchema = z.string().regex(/^0x[0-9a-fA-F]{130}$/, "expected a 65-byte 0x-prefixed hex signature");

/** One item of `POST /v1/receipts`. */
export const itemSchema = z
  .object({ receipt: receiptSchema, signature: signatureSchema, routerRequest: z.boolean().optional() })
  .strict();

/** The body of `POST /v1/receipts`. */
export const receiptsBodySchema = z.object({
  receipts: z.array(z.unknown()).min(1, "expected at least one receipt").max(MAX_RECEIPTS_PER_REQUEST),
});

/**
 * The items of a `POST /v1/receipts` body: `{receipts: [...]}`, a bare array `[...]`, or one item
 * `{receipt, signature, routerRequest?}` on its own.
 */
export const receiptsRequestSchema = z.union([
  receiptsBodySchema.transform((body) => body.receipts),
  z.array(z.unknown()).min(1, "expected at least one receipt").max(MAX_RECEIPTS_PER_REQUEST),
  z
    .object({ receipt: z.unknown(), signature: z.unknown() })
    .passthrough()
    .transform((item) => [item as unknown]),
]);

/** Why an item was refused, by its index in the request. */
export interface Rejection {
  index: number;
  error: string;
  message: string;
}

export interface ValidateReceiptsParameters {
  items: readonly unknown[];
  domain: GetVerityDomainParameters;
  /** The node's current registration (a cached `NodeRegistry` read). */
  lookupNode: (node: Address) => Promise<NodeInfo>;
  /** Reads the node again, bypassing the cache (once per node and request, when a signer does not match). */
  refreshNode?: (node: Address) => Promise<NodeInfo>;
}

/** The schema's complaints about an item, on one line. */
export function describeItemError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(item)"}: ${issue.message}`).join("; ");
}

/**
 * Checks every item: schema, a canonical low-s signature, and that it recovers to the node's CURRENT registered
 * signer. Returns the valid ones (with their struct hash) and a rejection per invalid one. Chain reads that fail
 * throw (the caller answers 503), so an RPC outage never rejects good receipts.
 */
export async function validateReceipts({
  items,
  domain,
  lookupNode,
  refreshNode,
}: ValidateReceiptsParameters): Promise<{ valid: ValidReceipt[]; rejected: Rejection[] }> {
  const valid: ValidReceipt[] = [];
  const rejected: Rejection[] = [];
  const refreshed = new Set<Address>();
  for (let index = 0; index < items.length; index++) {
    const parsed = itemSchema.safeParse(items[index]);
    if (!parsed.success) {
      rejected.push({ index, error: "InvalidReceipt", message: describeItemError(parsed.error) });
      continue;
    }
    const { receipt, routerRequest } = parsed.data;
    const signature = parsed.data.signature.toLowerCase() as Hex;
    let node = await lookupNode(receipt.node);
    if (!node.registered) {
      rejected.push({ index, error: "NodeNotRegistered", message: `node ${receipt.node} is not registered` });
      continue;
    }
    let signer: Address;
    try {
      signer = await recoverReceiptSigner({ receipt, domain, signature });
    } catch (error) {
      const message = error instanceof InvalidSignatureError ? error.message : `cannot recover: ${String(error)}`;
      rejected.push({ index, error: "InvalidSignature", message });
      continue;
    }
    if (!isAddressEqual(signer, node.signer) && refreshNode && !refreshed.has(receipt.node)) {
      // The signer may have been rotated since the registration was cached.
      refreshed.add(receipt.node);
      node = await refreshNode(receipt.node);
    }
    if (!isAddressEqual(signer, node.signer)) {
      rejected.push({
        index,
        error: "WrongSigner",
        message: `signed by ${signer}, but node ${receipt.node}'s registered signer is ${node.signer}`,
      });
      continue;
    }
    valid.push({
      hash: getReceiptStructHash(receipt),
      receipt,
      signature,
      routerRequest: routerRequest ?? false,
    });
  }
  return { valid, rejected };
}
