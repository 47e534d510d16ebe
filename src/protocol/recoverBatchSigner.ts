import { type Address, type Hex, recoverAddress } from "viem";
import { type ReceiptBatch, getBatchDigest } from "./batch";
import type { GetVerityDomainParameters } from "./domain";
import { assertLowSSignature } from "./signature";

/** Parameters of {@link recoverBatchSigner}. */
export type RecoverBatchSignerParameters = { batch: ReceiptBatch; domain: GetVerityDomainParameters; signature: Hex };

/** Recovers the signer key of a batch signature; rejects non-canonical (high-s, bad v) signatures first. */
export async function recoverBatchSigner({ batch, domain, signature }: RecoverBatchSignerParameters): Promise<Address> {
  assertLowSSignature(signature);
  return recoverAddress({ hash: getBatchDigest(batch, domain), signature });
}
