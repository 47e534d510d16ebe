import type { Address, ContractFunctionArgs } from "viem";
import { attestationRegistryAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type SubmitBatchParameters = {
  /** The AttestationRegistry contract. */
  address: Address;
  batch: ContractFunctionArgs<typeof attestationRegistryAbi, "nonpayable" | "payable", "submitBatch">[0];
  signature: ContractFunctionArgs<typeof attestationRegistryAbi, "nonpayable" | "payable", "submitBatch">[1];
};

/** Attests a node-signed batch of receipts (`IAttestationRegistry.submitBatch`): the call, for `sendContractCall` or the keeper's sender. */
export function submitBatch({ address, batch, signature }: SubmitBatchParameters): ContractCall {
  return defineContractCall({
    address,
    abi: attestationRegistryAbi,
    functionName: "submitBatch",
    args: [batch, signature],
  });
}
