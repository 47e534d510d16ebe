import type { Address, ContractFunctionArgs } from "viem";
import { nodeRegistryAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type SyncWeightParameters = {
  /** The NodeRegistry contract. */
  address: Address;
  node: ContractFunctionArgs<typeof nodeRegistryAbi, "nonpayable" | "payable", "syncWeight">[0];
};

/**
 * Recomputes a node's sortition weight (`INodeRegistry.syncWeight`, open to anyone); for a jailed node, clears the
 * stale weight it still holds in its models' trees. The call, for `sendContractCall` or the keeper's sender.
 */
export function syncWeight({ address, node }: SyncWeightParameters): ContractCall {
  return defineContractCall({ address, abi: nodeRegistryAbi, functionName: "syncWeight", args: [node] });
}
