import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { disputeManagerAbi } from "../abis.generated";

export type GetDisputeParameters = {
  /** The DisputeManager contract. */
  address: Address;
  id: ContractFunctionArgs<typeof disputeManagerAbi, "pure" | "view", "getDispute">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetDisputeReturnType = ContractFunctionReturnType<typeof disputeManagerAbi, "pure" | "view", "getDispute">;

/** A dispute's record (`IDisputeManager.getDispute`). */
export function getDispute(
  client: Client,
  { address, id, blockNumber }: GetDisputeParameters,
): Promise<GetDisputeReturnType> {
  return readContract(client, { address, abi: disputeManagerAbi, functionName: "getDispute", args: [id], blockNumber });
}
