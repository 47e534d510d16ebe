import type { Address, ContractFunctionArgs } from "viem";
import { inferenceRouterAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type RequestInferenceParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  params: ContractFunctionArgs<typeof inferenceRouterAbi, "nonpayable" | "payable", "request">[0];
};

/** Escrows a fee and asks staked nodes for an inference (`IInferenceRouter.request`): the call, for `sendContractCall` or the keeper's sender. */
export function requestInference({ address, params }: RequestInferenceParameters): ContractCall {
  return defineContractCall({ address, abi: inferenceRouterAbi, functionName: "request", args: [params] });
}
