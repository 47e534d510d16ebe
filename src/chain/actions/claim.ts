import type { Address, ContractFunctionArgs } from "viem";
import { disputeManagerAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type ClaimParameters = {
  /** The DisputeManager contract. */
  address: Address;
  to: ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "claim">[0];
};

/** Pays out what an account may claim from settled disputes (`IDisputeManager.claim`): the call, for `sendContractCall` or the keeper's sender. */
export function claim({ address, to }: ClaimParameters): ContractCall {
  return defineContractCall({ address, abi: disputeManagerAbi, functionName: "claim", args: [to] });
}
