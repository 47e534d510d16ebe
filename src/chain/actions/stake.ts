import type { Address, ContractFunctionArgs } from "viem";
import { stakingAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type StakeParameters = {
  /** The Staking contract. */
  address: Address;
  amount: ContractFunctionArgs<typeof stakingAbi, "nonpayable" | "payable", "stake">[0];
};

/** Stakes the sender's tokens (approve the Staking contract first) (`IStaking.stake`): the call, for `sendContractCall` or the keeper's sender. */
export function stake({ address, amount }: StakeParameters): ContractCall {
  return defineContractCall({ address, abi: stakingAbi, functionName: "stake", args: [amount] });
}
