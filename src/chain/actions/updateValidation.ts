import type { Address, ContractFunctionArgs } from "viem";
import { verityValidatorAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

type UpdateArgs = ContractFunctionArgs<typeof verityValidatorAbi, "nonpayable" | "payable", "update">;

export type UpdateValidationParameters = {
  /** The VerityValidator contract. */
  address: Address;
  requestHash: UpdateArgs[0];
  receipt: UpdateArgs[1];
  /** Zero for a receipt attested singly. */
  batchId: UpdateArgs[2];
  proof: UpdateArgs[3];
  salt: UpdateArgs[4];
};

/**
 * Pushes the chain's current answer for an ERC-8004 request into the Validation Registry (`IVerityValidator.update`,
 * permissionless): the call, for `sendContractCall` or the keeper's sender.
 */
export function updateValidation({
  address,
  requestHash,
  receipt,
  batchId,
  proof,
  salt,
}: UpdateValidationParameters): ContractCall {
  return defineContractCall({
    address,
    abi: verityValidatorAbi,
    functionName: "update",
    args: [requestHash, receipt, batchId, proof, salt],
  });
}
