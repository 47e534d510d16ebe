import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { stakingAbi } from "../abis.generated";

export type GetUnbondingRequestsParameters = {
  /** The Staking contract. */
  address: Address;
  node: ContractFunctionArgs<typeof stakingAbi, "pure" | "view", "unbondingRequestsOf">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetUnbondingRequestsReturnType = ContractFunctionReturnType<
  typeof stakingAbi,
  "pure" | "view",
  "unbondingRequestsOf"
>;

/** A node's unbonding queue (`IStaking.unbondingRequestsOf`). */
export function getUnbondingRequests(
  client: Client,
  { address, node, blockNumber }: GetUnbondingRequestsParameters,
): Promise<GetUnbondingRequestsReturnType> {
  return readContract(client, {
    address,
    abi: stakingAbi,
    functionName: "unbondingRequestsOf",
    args: [node],
    blockNumber,
  });
}
