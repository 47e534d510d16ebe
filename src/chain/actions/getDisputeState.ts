import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { disputeManagerAbi } from "../abis.generated";

export type GetDisputeStateParameters = {
  /** The DisputeManager contract. */
  address: Address;
  id: ContractFunctionArgs<typeof disputeManagerAbi, "pure" | "view", "state">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetDisputeStateReturnType = ContractFunctionReturnType<typeof disputeManagerAbi, "pure" | "view", "state">;

/** A dispute's lifecycle state (`IDisputeManager.state`). */
export function getDisputeState(
  client: Client,
  { address, id, blockNumber }: GetDisputeStateParameters,
): Promise<GetDisputeStateReturnType> {
  return readContract(client, { address, abi: disputeManagerAbi, functionName: "state", args: [id], blockNumber });
}
