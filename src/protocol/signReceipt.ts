import type { Hex, LocalAccount } from "viem";
import { type GetVerityDomainParameters, getVerityDomain, verityTypes } from "./domain";
import { type Receipt, getReceiptDigestBytes } from "./receipt";
import { toHex } from "./bytes";

/**
 * Anything that signs EIP-712 typed data the viem way (a local account, or a wallet client bound to one). When it
 * also signs raw digests (`sign`, as local accounts do), the digest is computed here and signed directly: the same
 * signature, without viem's generic typed-data hashing (and through libsecp256k1 for a `createSignerAccount`).
 */
export type TypedDataSigner = Pick<LocalAccount, "signTypedData"> & Partial<Pick<LocalAccount, "sign">>;

/** Parameters of {@link signReceipt}. */
export type SignReceiptParameters = { signer: TypedDataSigner; domain: GetVerityDomainParameters; receipt: Receipt };

/** Signs a receipt (EIP-712 `InferenceReceipt`) with the node's signer key; returns the 65-byte signature. */
export async function signReceipt({ signer, domain, receipt }: SignReceiptParameters): Promise<Hex> {
  if (signer.sign) return signer.sign({ hash: toHex(getReceiptDigestBytes(receipt, domain)) });
  return signer.signTypedData({
    domain: getVerityDomain(domain),
    types: { InferenceReceipt: verityTypes.InferenceReceipt },
    primaryType: "InferenceReceipt",
    message: receipt,
  });
}
