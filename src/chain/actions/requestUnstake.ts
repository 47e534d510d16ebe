import type { Address, ContractFunctionArgs } from "viem";
import { stakingAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type RequestUnstakeParameters = {
  /** The Staking contract. */
  address: Address;
  amount: ContractFunctionArgs<typeof stakingAbi, "nonpayable" | "payable", "requestUnstake">[0];
};

/** Starts unbonding an amount of active stake (`IStaking.requestUnstake`): the call, for `sendContractCall` or the keeper's sender. */
export function requestUnstake({ address, amount }: RequestUnstakeParameters): ContractCall {
  return defineContractCall({ address, abi: stakingAbi, functionName: "requestUnstake", args: [amount] });
}
