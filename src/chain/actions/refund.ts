import type { Address, ContractFunctionArgs } from "viem";
import { inferenceRouterAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type RefundParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  id: ContractFunctionArgs<typeof inferenceRouterAbi, "nonpayable" | "payable", "refund">[0];
};

/** Refunds a request no node can serve (`IInferenceRouter.refund`): the call, for `sendContractCall` or the keeper's sender. */
export function refund({ address, id }: RefundParameters): ContractCall {
  return defineContractCall({ address, abi: inferenceRouterAbi, functionName: "refund", args: [id] });
}
