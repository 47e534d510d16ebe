import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { nodeRegistryAbi } from "../abis.generated";

export type GetSignerParameters = {
  /** The NodeRegistry contract. */
  address: Address;
  node: ContractFunctionArgs<typeof nodeRegistryAbi, "pure" | "view", "signerOf">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetSignerReturnType = ContractFunctionReturnType<typeof nodeRegistryAbi, "pure" | "view", "signerOf">;

/** A node's registered signer key (`INodeRegistry.signerOf`). */
export function getSigner(
  client: Client,
  { address, node, blockNumber }: GetSignerParameters,
): Promise<GetSignerReturnType> {
  return readContract(client, { address, abi: nodeRegistryAbi, functionName: "signerOf", args: [node], blockNumber });
}
