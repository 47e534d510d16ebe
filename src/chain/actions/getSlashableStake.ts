import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { stakingAbi } from "../abis.generated";

export type GetSlashableStakeParameters = {
  /** The Staking contract. */
  address: Address;
  node: ContractFunctionArgs<typeof stakingAbi, "pure" | "view", "slashableStakeOf">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetSlashableStakeReturnType = ContractFunctionReturnType<
  typeof stakingAbi,
  "pure" | "view",
  "slashableStakeOf"
>;

/** A node's stake that can be slashed (`IStaking.slashableStakeOf`). */
export function getSlashableStake(
  client: Client,
  { address, node, blockNumber }: GetSlashableStakeParameters,
): Promise<GetSlashableStakeReturnType> {
  return readContract(client, {
    address,
    abi: stakingAbi,
    functionName: "slashableStakeOf",
    args: [node],
    blockNumber,
  });
}
