import type { Address, ContractFunctionArgs } from "viem";
import { disputeManagerAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type RevealVoteParameters = {
  /** The DisputeManager contract. */
  address: Address;
  id: ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "reveal">[0];
  verdict: ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "reveal">[1];
  outputHash: ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "reveal">[2];
  salt: ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "reveal">[3];
};

/** Reveals a committed vote (`IDisputeManager.reveal`): the call, for `sendContractCall` or the keeper's sender. */
export function revealVote({ address, id, verdict, outputHash, salt }: RevealVoteParameters): ContractCall {
  return defineContractCall({
    address,
    abi: disputeManagerAbi,
    functionName: "reveal",
    args: [id, verdict, outputHash, salt],
  });
}
