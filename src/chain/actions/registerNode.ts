import type { Address, ContractFunctionArgs } from "viem";
import { nodeRegistryAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type RegisterNodeParameters = {
  /** The NodeRegistry contract. */
  address: Address;
  signer: ContractFunctionArgs<typeof nodeRegistryAbi, "nonpayable" | "payable", "registerNode">[0];
  endpoint: ContractFunctionArgs<typeof nodeRegistryAbi, "nonpayable" | "payable", "registerNode">[1];
  role: ContractFunctionArgs<typeof nodeRegistryAbi, "nonpayable" | "payable", "registerNode">[2];
  models: ContractFunctionArgs<typeof nodeRegistryAbi, "nonpayable" | "payable", "registerNode">[3];
};

/** Registers the sender as a node operator (`INodeRegistry.registerNode`): the call, for `sendContractCall` or the keeper's sender. */
export function registerNode({ address, signer, endpoint, role, models }: RegisterNodeParameters): ContractCall {
  return defineContractCall({
    address,
    abi: nodeRegistryAbi,
    functionName: "registerNode",
    args: [signer, endpoint, role, models],
  });
}
