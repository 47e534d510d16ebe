import type { Address, ContractFunctionArgs } from "viem";
import { modelRegistryAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type RegisterModelParameters = {
  /** The ModelRegistry contract. */
  address: Address;
  registration: ContractFunctionArgs<typeof modelRegistryAbi, "nonpayable" | "payable", "registerModel">[0];
};

/** Registers a model with its verification policy (`IModelRegistry.registerModel`): the call, for `sendContractCall` or the keeper's sender. */
export function registerModel({ address, registration }: RegisterModelParameters): ContractCall {
  return defineContractCall({ address, abi: modelRegistryAbi, functionName: "registerModel", args: [registration] });
}
