import type { Address } from "viem";
import { inferenceRouterAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type ClaimRouterCreditParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  /** Where the caller's credit is paid. */
  to: Address;
};

/** Withdraws the caller's whole router credit to `to` (`IInferenceRouter.claim`): the call, for `sendContractCall` or the keeper's sender. */
export function claimRouterCredit({ address, to }: ClaimRouterCreditParameters): ContractCall {
  return defineContractCall({ address, abi: inferenceRouterAbi, functionName: "claim", args: [to] });
}
