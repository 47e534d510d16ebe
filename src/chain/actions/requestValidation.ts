import type { Address, ContractFunctionArgs } from "viem";
import { iValidationRegistryAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

type RequestArgs = ContractFunctionArgs<typeof iValidationRegistryAbi, "nonpayable" | "payable", "validationRequest">;

export type RequestValidationParameters = {
  /** The ERC-8004 Validation Registry. */
  address: Address;
  validatorAddress: RequestArgs[0];
  agentId: RequestArgs[1];
  requestURI: RequestArgs[2];
  requestHash: RequestArgs[3];
};

/**
 * Asks a validator to check work (ERC-8004 `validationRequest`; only the agent's owner or operator): the call, for
 * `sendContractCall`.
 */
export function requestValidation({
  address,
  validatorAddress,
  agentId,
  requestURI,
  requestHash,
}: RequestValidationParameters): ContractCall {
  return defineContractCall({
    address,
    abi: iValidationRegistryAbi,
    functionName: "validationRequest",
    args: [validatorAddress, agentId, requestURI, requestHash],
  });
}
