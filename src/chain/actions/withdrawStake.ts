import type { Address } from "viem";
import { stakingAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type WithdrawStakeParameters = {
  /** The Staking contract. */
  address: Address;
};

/** Withdraws every unbonding request whose period is over (`IStaking.withdraw`): the call, for `sendContractCall` or the keeper's sender. */
export function withdrawStake({ address }: WithdrawStakeParameters): ContractCall {
  return defineContractCall({ address, abi: stakingAbi, functionName: "withdraw", args: [] });
}
