import type { Hex } from "viem";
import { type ReceiptBatch, getBatchDigestBytes } from "./batch";
import { toHex } from "./bytes";
import { type GetVerityDomainParameters, getVerityDomain, verityTypes } from "./domain";
import type { TypedDataSigner } from "./signReceipt";

/** Parameters of {@link signBatch}. */
export type SignBatchParameters = { signer: TypedDataSigner; domain: GetVerityDomainParameters; batch: ReceiptBatch };

/** Signs a batch header (EIP-712 `ReceiptBatch`) with the node's signer key; returns the 65-byte signature. */
export async function signBatch({ signer, domain, batch }: SignBatchParameters): Promise<Hex> {
  if (signer.sign) return signer.sign({ hash: toHex(getBatchDigestBytes(batch, domain)) });
  return signer.signTypedData({
    domain: getVerityDomain(domain),
    types: { ReceiptBatch: verityTypes.ReceiptBatch },
    primaryType: "ReceiptBatch",
    message: batch,
  });
}
