import type { Address, ContractFunctionArgs } from "viem";
import { disputeManagerAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type CommitVoteParameters = {
  /** The DisputeManager contract. */
  address: Address;
  id: ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "commit">[0];
  commitment: ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "commit">[1];
};

/** Commits a committee member's hidden vote (`IDisputeManager.commit`): the call, for `sendContractCall` or the keeper's sender. */
export function commitVote({ address, id, commitment }: CommitVoteParameters): ContractCall {
  return defineContractCall({ address, abi: disputeManagerAbi, functionName: "commit", args: [id, commitment] });
}
