import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { verityValidatorAbi } from "../abis.generated";

export type GetCurrentAnswerParameters = {
  /** The VerityValidator contract. */
  address: Address;
  receipt: ContractFunctionArgs<typeof verityValidatorAbi, "pure" | "view", "currentAnswer">[0];
  /** Zero for a receipt attested singly. */
  batchId: ContractFunctionArgs<typeof verityValidatorAbi, "pure" | "view", "currentAnswer">[1];
  proof: ContractFunctionArgs<typeof verityValidatorAbi, "pure" | "view", "currentAnswer">[2];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetCurrentAnswerReturnType = ContractFunctionReturnType<
  typeof verityValidatorAbi,
  "pure" | "view",
  "currentAnswer"
>;

/**
 * The answer the chain gives now for a receipt, whatever was pushed (`IVerityValidator.currentAnswer`). Reverts with
 * `ValidatorReceiptNotFound` or `ValidatorWrongProof` when the receipt is not attested there.
 */
export function getCurrentAnswer(
  client: Client,
  { address, receipt, batchId, proof, blockNumber }: GetCurrentAnswerParameters,
): Promise<GetCurrentAnswerReturnType> {
  return readContract(client, {
    address,
    abi: verityValidatorAbi,
    functionName: "currentAnswer",
    args: [receipt, batchId, proof],
    blockNumber,
  });
}
