import type { Address, ContractFunctionArgs } from "viem";
import { disputeManagerAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type DrawCommitteeParameters = {
  /** The DisputeManager contract. */
  address: Address;
  id: ContractFunctionArgs<typeof disputeManagerAbi, "nonpayable" | "payable", "drawCommittee">[0];
};

/** Draws a dispute's committee once the draw block has passed (`IDisputeManager.drawCommittee`): the call, for `sendContractCall` or the keeper's sender. */
export function drawCommittee({ address, id }: DrawCommitteeParameters): ContractCall {
  return defineContractCall({ address, abi: disputeManagerAbi, functionName: "drawCommittee", args: [id] });
}
