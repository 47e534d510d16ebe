import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { stakingAbi } from "../abis.generated";

export type GetUnbondingStakeParameters = {
  /** The Staking contract. */
  address: Address;
  node: ContractFunctionArgs<typeof stakingAbi, "pure" | "view", "unbondingStakeOf">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetUnbondingStakeReturnType = ContractFunctionReturnType<
  typeof stakingAbi,
  "pure" | "view",
  "unbondingStakeOf"
>;

/** A node's stake waiting out the unbonding period (`IStaking.unbondingStakeOf`). */
export function getUnbondingStake(
  client: Client,
  { address, node, blockNumber }: GetUnbondingStakeParameters,
): Promise<GetUnbondingStakeReturnType> {
  return readContract(client, {
    address,
    abi: stakingAbi,
    functionName: "unbondingStakeOf",
    args: [node],
    blockNumber,
  });
}
