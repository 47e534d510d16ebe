import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { modelRegistryAbi } from "../abis.generated";

export type GetModelParameters = {
  /** The ModelRegistry contract. */
  address: Address;
  id: ContractFunctionArgs<typeof modelRegistryAbi, "pure" | "view", "getModel">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetModelReturnType = ContractFunctionReturnType<typeof modelRegistryAbi, "pure" | "view", "getModel">;

/** A model's registration (reverts ModelRegistryUnknownModel for an unknown id) (`IModelRegistry.getModel`). */
export function getModel(
  client: Client,
  { address, id, blockNumber }: GetModelParameters,
): Promise<GetModelReturnType> {
  return readContract(client, { address, abi: modelRegistryAbi, functionName: "getModel", args: [id], blockNumber });
}
