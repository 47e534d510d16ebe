import type { Address, ContractFunctionArgs } from "viem";
import { inferenceRouterAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type FulfillParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  id: ContractFunctionArgs<typeof inferenceRouterAbi, "nonpayable" | "payable", "fulfill">[0];
  receipt: ContractFunctionArgs<typeof inferenceRouterAbi, "nonpayable" | "payable", "fulfill">[1];
  batchId: ContractFunctionArgs<typeof inferenceRouterAbi, "nonpayable" | "payable", "fulfill">[2];
  proof: ContractFunctionArgs<typeof inferenceRouterAbi, "nonpayable" | "payable", "fulfill">[3];
};

/** Relays an attested receipt that answers a request (`IInferenceRouter.fulfill`): the call, for `sendContractCall` or the keeper's sender. */
export function fulfill({ address, id, receipt, batchId, proof }: FulfillParameters): ContractCall {
  return defineContractCall({
    address,
    abi: inferenceRouterAbi,
    functionName: "fulfill",
    args: [id, receipt, batchId, proof],
  });
}
