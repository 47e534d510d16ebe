import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { modelRegistryAbi } from "../abis.generated";

export type GetSuccessorParameters = {
  /** The ModelRegistry contract. */
  address: Address;
  id: ContractFunctionArgs<typeof modelRegistryAbi, "pure" | "view", "successorOf">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetSuccessorReturnType = ContractFunctionReturnType<
  typeof modelRegistryAbi,
  "pure" | "view",
  "successorOf"
>;

/** The model that deprecated this one (zero when none) (`IModelRegistry.successorOf`). */
export function getSuccessor(
  client: Client,
  { address, id, blockNumber }: GetSuccessorParameters,
): Promise<GetSuccessorReturnType> {
  return readContract(client, { address, abi: modelRegistryAbi, functionName: "successorOf", args: [id], blockNumber });
}
