import type { Address, ContractFunctionArgs } from "viem";
import { attestationRegistryAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type SubmitReceiptParameters = {
  /** The AttestationRegistry contract. */
  address: Address;
  receipt: ContractFunctionArgs<typeof attestationRegistryAbi, "nonpayable" | "payable", "submitReceipt">[0];
  signature: ContractFunctionArgs<typeof attestationRegistryAbi, "nonpayable" | "payable", "submitReceipt">[1];
};

/** Attests one node-signed receipt on its own (`IAttestationRegistry.submitReceipt`): the call, for `sendContractCall`. */
export function submitReceipt({ address, receipt, signature }: SubmitReceiptParameters): ContractCall {
  return defineContractCall({
    address,
    abi: attestationRegistryAbi,
    functionName: "submitReceipt",
    args: [receipt, signature],
  });
}
