import type { Address, ContractFunctionArgs } from "viem";
import { disputeManagerAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type ChallengeParameters = {
  /** The DisputeManager contract. */
  address: Address;
  receipt: ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "challenge">[0];
  batchId: ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "challenge">[1];
  proof: ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "challenge">[2];
  outputHash: ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "challenge">[3];
  beneficiary: ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "challenge">[4];
  maxBond: ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "challenge">[5];
};

/** Challenges an attested receipt with a bond (`IDisputeManager.challenge`): the call, for `sendContractCall` or the keeper's sender. */
export function challenge({
  address,
  receipt,
  batchId,
  proof,
  outputHash,
  beneficiary,
  maxBond,
}: ChallengeParameters): ContractCall {
  return defineContractCall({
    address,
    abi: disputeManagerAbi,
    functionName: "challenge",
    args: [receipt, batchId, proof, outputHash, beneficiary, maxBond],
  });
}
