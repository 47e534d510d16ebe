import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { stakingAbi } from "../abis.generated";

export type GetLockedStakeParameters = {
  /** The Staking contract. */
  address: Address;
  node: ContractFunctionArgs<typeof stakingAbi, "pure" | "view", "lockedStakeOf">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetLockedStakeReturnType = ContractFunctionReturnType<typeof stakingAbi, "pure" | "view", "lockedStakeOf">;

/** A node's stake locked by open disputes (`IStaking.lockedStakeOf`). */
export function getLockedStake(
  client: Client,
  { address, node, blockNumber }: GetLockedStakeParameters,
): Promise<GetLockedStakeReturnType> {
  return readContract(client, { address, abi: stakingAbi, functionName: "lockedStakeOf", args: [node], blockNumber });
}
