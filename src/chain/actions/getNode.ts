import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { nodeRegistryAbi } from "../abis.generated";

export type GetNodeParameters = {
  /** The NodeRegistry contract. */
  address: Address;
  node: ContractFunctionArgs<typeof nodeRegistryAbi, "pure" | "view", "getNode">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetNodeReturnType = ContractFunctionReturnType<typeof nodeRegistryAbi, "pure" | "view", "getNode">;

/** A node's registration (`INodeRegistry.getNode`). */
export function getNode(client: Client, { address, node, blockNumber }: GetNodeParameters): Promise<GetNodeReturnType> {
  return readContract(client, { address, abi: nodeRegistryAbi, functionName: "getNode", args: [node], blockNumber });
}
