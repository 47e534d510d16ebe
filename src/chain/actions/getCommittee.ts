import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { disputeManagerAbi } from "../abis.generated";

export type GetCommitteeParameters = {
  /** The DisputeManager contract. */
  address: Address;
  id: ContractFunctionArgs<typeof disputeManagerAbi, "pure" | "view", "committeeOf">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetCommitteeReturnType = ContractFunctionReturnType<
  typeof disputeManagerAbi,
  "pure" | "view",
  "committeeOf"
>;

/** A dispute's drawn committee (`IDisputeManager.committeeOf`). */
export function getCommittee(
  client: Client,
  { address, id, blockNumber }: GetCommitteeParameters,
): Promise<GetCommitteeReturnType> {
  return readContract(client, {
    address,
    abi: disputeManagerAbi,
    functionName: "committeeOf",
    args: [id],
    blockNumber,
  });
}
