import type { Address, ContractFunctionArgs } from "viem";
import { inferenceRouterAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type SettleParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  id: ContractFunctionArgs<typeof inferenceRouterAbi, "nonpayable" | "payable", "settle">[0];
};

/** Pays out a request whose challenge windows closed (`IInferenceRouter.settle`): the call, for `sendContractCall` or the keeper's sender. */
export function settle({ address, id }: SettleParameters): ContractCall {
  return defineContractCall({ address, abi: inferenceRouterAbi, functionName: "settle", args: [id] });
}
