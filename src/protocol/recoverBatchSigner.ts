import type { Address, Hex } from "viem";
import { type ReceiptBatch, getBatchDigestBytes } from "./batch";
import type { GetVerityDomainParameters } from "./domain";
import { recoverDigestSigner } from "./secp256k1";

/** Parameters of {@link recoverBatchSigner}. */
export type RecoverBatchSignerParameters = { batch: ReceiptBatch; domain: GetVerityDomainParameters; signature: Hex };

/**
 * Recovers the signer key of a batch signature (libsecp256k1 when it loads, viem otherwise); rejects non-canonical
 * (high-s, bad v, not 65 bytes) signatures first, like the contracts.
 */
export async function recoverBatchSigner({ batch, domain, signature }: RecoverBatchSignerParameters): Promise<Address> {
  return recoverDigestSigner(getBatchDigestBytes(batch, domain), signature);
}
