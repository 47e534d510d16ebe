import type { Address, ContractFunctionArgs } from "viem";
import { disputeManagerAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

type Args = ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "joinChallenge">;

export type JoinChallengeParameters = {
  /** The DisputeManager contract. */
  address: Address;
  id: Args[0];
  /** Who is credited this bond's share of the challengers' pot. */
  beneficiary: Args[1];
  /** The most the caller accepts to post. */
  maxBond: Args[2];
};

/**
 * Joins an open challenge with the caller's own bond once its committee is drawn (`IDisputeManager.joinChallenge`):
 * the call, for `sendContractCall` or the keeper's sender.
 */
export function joinChallenge({ address, id, beneficiary, maxBond }: JoinChallengeParameters): ContractCall {
  return defineContractCall({
    address,
    abi: disputeManagerAbi,
    functionName: "joinChallenge",
    args: [id, beneficiary, maxBond],
  });
}
