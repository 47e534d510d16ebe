import type { Address, ContractFunctionArgs } from "viem";
import { disputeManagerAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type ResolveDisputeParameters = {
  /** The DisputeManager contract. */
  address: Address;
  id: ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "resolve">[0];
};

/** Resolves a dispute once the vote or the expiry allows (`IDisputeManager.resolve`): the call, for `sendContractCall` or the keeper's sender. */
export function resolveDispute({ address, id }: ResolveDisputeParameters): ContractCall {
  return defineContractCall({ address, abi: disputeManagerAbi, functionName: "resolve", args: [id] });
}
