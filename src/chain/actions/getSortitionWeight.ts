import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { nodeRegistryAbi } from "../abis.generated";

export type GetSortitionWeightParameters = {
  /** The NodeRegistry contract. */
  address: Address;
  node: ContractFunctionArgs<typeof nodeRegistryAbi, "pure" | "view", "sortitionWeightOf">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetSortitionWeightReturnType = ContractFunctionReturnType<
  typeof nodeRegistryAbi,
  "pure" | "view",
  "sortitionWeightOf"
>;

/** A node's weight in the sortition draw (`INodeRegistry.sortitionWeightOf`). */
export function getSortitionWeight(
  client: Client,
  { address, node, blockNumber }: GetSortitionWeightParameters,
): Promise<GetSortitionWeightReturnType> {
  return readContract(client, {
    address,
    abi: nodeRegistryAbi,
    functionName: "sortitionWeightOf",
    args: [node],
    blockNumber,
  });
}
