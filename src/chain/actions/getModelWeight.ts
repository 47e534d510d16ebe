import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { nodeRegistryAbi } from "../abis.generated";

type Args = ContractFunctionArgs<typeof nodeRegistryAbi, "pure" | "view", "modelWeightOf">;

export type GetModelWeightParameters = {
  /** The NodeRegistry contract. */
  address: Address;
  node: Args[0];
  model: Args[1];
};

export type GetModelWeightReturnType = ContractFunctionReturnType<
  typeof nodeRegistryAbi,
  "pure" | "view",
  "modelWeightOf"
>;

/**
 * The weight `node` holds in `model`'s sortition tree now (`INodeRegistry.modelWeightOf`): for a jailed node, the
 * stale weight nobody has cleared yet (draws skip it, but it still takes their attempts).
 */
export function getModelWeight(
  client: Client,
  { address, node, model }: GetModelWeightParameters,
): Promise<GetModelWeightReturnType> {
  return readContract(client, { address, abi: nodeRegistryAbi, functionName: "modelWeightOf", args: [node, model] });
}
