import { type Address, type Hex, recoverAddress } from "viem";
import type { GetVerityDomainParameters } from "./domain";
import { getReceiptDigest } from "./receipt";
import type { Receipt } from "./receipt";
import { assertLowSSignature } from "./signature";

/** Parameters of {@link recoverReceiptSigner}. */
export type RecoverReceiptSignerParameters = { receipt: Receipt; domain: GetVerityDomainParameters; signature: Hex };

/** Recovers the signer key of a receipt signature; rejects non-canonical (high-s, bad v) signatures first. */
export async function recoverReceiptSigner({
  receipt,
  domain,
  signature,
}: RecoverReceiptSignerParameters): Promise<Address> {
  assertLowSSignature(signature);
  return recoverAddress({ hash: getReceiptDigest(receipt, domain), signature });
}
