import type { Address, Client, Hex } from "viem";
import { readContract } from "viem/actions";
import { iValidationRegistryAbi } from "../abis.generated";

export type GetValidationStatusParameters = {
  /** The ERC-8004 Validation Registry. */
  address: Address;
  requestHash: Hex;
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

/** A request and its latest answer, as ERC-8004's `getValidationStatus` returns them. */
export type GetValidationStatusReturnType = {
  validatorAddress: Address;
  agentId: bigint;
  response: number;
  responseHash: Hex;
  tag: string;
  lastUpdate: bigint;
};

/** The status of an ERC-8004 request (`getValidationStatus`; the reference registry reverts for an unknown one). */
export async function getValidationStatus(
  client: Client,
  { address, requestHash, blockNumber }: GetValidationStatusParameters,
): Promise<GetValidationStatusReturnType> {
  const [validatorAddress, agentId, response, responseHash, tag, lastUpdate] = await readContract(client, {
    address,
    abi: iValidationRegistryAbi,
    functionName: "getValidationStatus",
    args: [requestHash],
    blockNumber,
  });
  return { validatorAddress, agentId, response, responseHash, tag, lastUpdate };
}
