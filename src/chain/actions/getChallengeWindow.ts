import type { Address, Client, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { attestationRegistryAbi } from "../abis.generated";

export type GetChallengeWindowParameters = {
  /** The AttestationRegistry contract. */
  address: Address;
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetChallengeWindowReturnType = ContractFunctionReturnType<
  typeof attestationRegistryAbi,
  "pure" | "view",
  "challengeWindow"
>;

/** The challenge window of attested receipts, in seconds (`IAttestationRegistry.challengeWindow`). */
export function getChallengeWindow(
  client: Client,
  { address, blockNumber }: GetChallengeWindowParameters,
): Promise<GetChallengeWindowReturnType> {
  return readContract(client, { address, abi: attestationRegistryAbi, functionName: "challengeWindow", blockNumber });
}
