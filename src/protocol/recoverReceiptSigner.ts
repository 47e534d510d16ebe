import type { Address, Hex } from "viem";
import type { GetVerityDomainParameters } from "./domain";
import { type Receipt, getReceiptDigestBytes } from "./receipt";
import { recoverDigestSigner } from "./secp256k1";

/** Parameters of {@link recoverReceiptSigner}. */
export type RecoverReceiptSignerParameters = { receipt: Receipt; domain: GetVerityDomainParameters; signature: Hex };

/**
 * Recovers the signer key of a receipt signature (libsecp256k1 when it loads, viem otherwise); rejects non-canonical
 * (high-s, bad v, not 65 bytes) signatures first, like the contracts.
 */
export async function recoverReceiptSigner({
  receipt,
  domain,
  signature,
}: RecoverReceiptSignerParameters): Promise<Address> {
  return recoverDigestSigner(getReceiptDigestBytes(receipt, domain), signature);
}
