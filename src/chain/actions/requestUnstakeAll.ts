import type { Address } from "viem";
import { stakingAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type RequestUnstakeAllParameters = {
  /** The Staking contract. */
  address: Address;
};

/**
 * Starts unbonding the whole active stake as it is when the transaction runs (`IStaking.requestUnstakeAll`): a third
 * party's top-up just before it can't make it revert, as it can an exact amount. The call, for `sendContractCall` or
 * the keeper's sender.
 */
export function requestUnstakeAll({ address }: RequestUnstakeAllParameters): ContractCall {
  return defineContractCall({ address, abi: stakingAbi, functionName: "requestUnstakeAll", args: [] });
}
