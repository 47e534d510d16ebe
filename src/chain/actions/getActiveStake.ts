import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { stakingAbi } from "../abis.generated";

export type GetActiveStakeParameters = {
  /** The Staking contract. */
  address: Address;
  node: ContractFunctionArgs<typeof stakingAbi, "pure" | "view", "activeStakeOf">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetActiveStakeReturnType = ContractFunctionReturnType<typeof stakingAbi, "pure" | "view", "activeStakeOf">;

/** A node's active stake (`IStaking.activeStakeOf`). */
export function getActiveStake(
  client: Client,
  { address, node, blockNumber }: GetActiveStakeParameters,
): Promise<GetActiveStakeReturnType> {
  return readContract(client, { address, abi: stakingAbi, functionName: "activeStakeOf", args: [node], blockNumber });
}
