import type { Address, Client, ContractFunctionReturnType, Hex } from "viem";
import { readContract } from "viem/actions";
import { verityValidatorAbi } from "../abis.generated";

export type GetValidatorAnswerParameters = {
  /** The VerityValidator contract. */
  address: Address;
  /** The ERC-8004 request. */
  requestHash: Hex;
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetValidatorAnswerReturnType = ContractFunctionReturnType<
  typeof verityValidatorAbi,
  "pure" | "view",
  "answerOf"
>;

/** The answer a VerityValidator last pushed for a request (`IVerityValidator.answerOf`; `None` before the first). */
export function getValidatorAnswer(
  client: Client,
  { address, requestHash, blockNumber }: GetValidatorAnswerParameters,
): Promise<GetValidatorAnswerReturnType> {
  return readContract(client, {
    address,
    abi: verityValidatorAbi,
    functionName: "answerOf",
    args: [requestHash],
    blockNumber,
  });
}
