import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { nodeRegistryAbi } from "../abis.generated";

export type IsNodeActiveParameters = {
  /** The NodeRegistry contract. */
  address: Address;
  node: ContractFunctionArgs<typeof nodeRegistryAbi, "pure" | "view", "isActive">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type IsNodeActiveReturnType = ContractFunctionReturnType<typeof nodeRegistryAbi, "pure" | "view", "isActive">;

/** Whether a node may be assigned work (`INodeRegistry.isActive`). */
export function isNodeActive(
  client: Client,
  { address, node, blockNumber }: IsNodeActiveParameters,
): Promise<IsNodeActiveReturnType> {
  return readContract(client, { address, abi: nodeRegistryAbi, functionName: "isActive", args: [node], blockNumber });
}
