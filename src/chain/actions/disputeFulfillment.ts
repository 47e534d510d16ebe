import type { Address, ContractFunctionArgs } from "viem";
import { inferenceRouterAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

type Args = ContractFunctionArgs<typeof inferenceRouterAbi, "nonpayable" | "payable", "disputeFulfillment">;

export type DisputeFulfillmentParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  id: Args[0];
  receipt: Args[1];
  batchId: Args[2];
  proof: Args[3];
};

/**
 * Puts a fulfilment that another fulfilment of the same request contradicts under judgment, bond-free
 * (`IInferenceRouter.disputeFulfillment`): the call, for `sendContractCall` or the keeper's sender.
 */
export function disputeFulfillment({
  address,
  id,
  receipt,
  batchId,
  proof,
}: DisputeFulfillmentParameters): ContractCall {
  return defineContractCall({
    address,
    abi: inferenceRouterAbi,
    functionName: "disputeFulfillment",
    args: [id, receipt, batchId, proof],
  });
}
