import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { disputeManagerAbi } from "../abis.generated";

export type PreviewBondParameters = {
  /** The DisputeManager contract. */
  address: Address;
  node: ContractFunctionArgs<typeof disputeManagerAbi, "pure" | "view", "previewBond">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type PreviewBondReturnType = ContractFunctionReturnType<
  typeof disputeManagerAbi,
  "pure" | "view",
  "previewBond"
>;

/** The bond a challenge of a node's receipt costs now (`IDisputeManager.previewBond`). */
export function previewBond(
  client: Client,
  { address, node, blockNumber }: PreviewBondParameters,
): Promise<PreviewBondReturnType> {
  return readContract(client, {
    address,
    abi: disputeManagerAbi,
    functionName: "previewBond",
    args: [node],
    blockNumber,
  });
}
