import type { Hex, LocalAccount } from "viem";
import { type GetVerityDomainParameters, getVerityDomain, verityTypes } from "./domain";
import type { Receipt } from "./receipt";

/** Anything that signs EIP-712 typed data the viem way (a local account, or a wallet client bound to one). */
export type TypedDataSigner = Pick<LocalAccount, "signTypedData">;

/** Parameters of {@link signReceipt}. */
export type SignReceiptParameters = { signer: TypedDataSigner; domain: GetVerityDomainParameters; receipt: Receipt };

/** Signs a receipt (EIP-712 `InferenceReceipt`) with the node's signer key; returns the 65-byte signature. */
export async function signReceipt({ signer, domain, receipt }: SignReceiptParameters): Promise<Hex> {
  return signer.signTypedData({
    domain: getVerityDomain(domain),
    types: { InferenceReceipt: verityTypes.InferenceReceipt },
    primaryType: "InferenceReceipt",
    message: receipt,
  });
}
