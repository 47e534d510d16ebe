import type { Address, ContractFunctionArgs } from "viem";
import { inferenceRouterAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type ReassignParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  id: ContractFunctionArgs<typeof inferenceRouterAbi, "nonpayable" | "payable", "reassign">[0];
};

/** Reassigns an expired request's unanswered slots (`IInferenceRouter.reassign`): the call, for `sendContractCall` or the keeper's sender. */
export function reassign({ address, id }: ReassignParameters): ContractCall {
  return defineContractCall({ address, abi: inferenceRouterAbi, functionName: "reassign", args: [id] });
}
