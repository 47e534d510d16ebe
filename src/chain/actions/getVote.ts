import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { disputeManagerAbi } from "../abis.generated";

export type GetVoteParameters = {
  /** The DisputeManager contract. */
  address: Address;
  id: ContractFunctionArgs<typeof disputeManagerAbi, "pure" | "view", "getVote">[0];
  member: ContractFunctionArgs<typeof disputeManagerAbi, "pure" | "view", "getVote">[1];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetVoteReturnType = ContractFunctionReturnType<typeof disputeManagerAbi, "pure" | "view", "getVote">;

/** A committee member's vote on a dispute (`IDisputeManager.getVote`). */
export function getVote(
  client: Client,
  { address, id, member, blockNumber }: GetVoteParameters,
): Promise<GetVoteReturnType> {
  return readContract(client, {
    address,
    abi: disputeManagerAbi,
    functionName: "getVote",
    args: [id, member],
    blockNumber,
  });
}
