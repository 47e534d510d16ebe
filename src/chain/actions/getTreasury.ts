import type { Address, Client, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { stakingAbi } from "../abis.generated";

export type GetTreasuryParameters = {
  /** The Staking contract. */
  address: Address;
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetTreasuryReturnType = ContractFunctionReturnType<typeof stakingAbi, "pure" | "view", "treasury">;

/** Where slashed tokens not paid out go (`IStaking.treasury`). */
export function getTreasury(
  client: Client,
  { address, blockNumber }: GetTreasuryParameters,
): Promise<GetTreasuryReturnType> {
  return readContract(client, { address, abi: stakingAbi, functionName: "treasury", blockNumber });
}
