import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { attestationRegistryAbi } from "../abis.generated";

export type VerifyInclusionParameters = {
  /** The AttestationRegistry contract. */
  address: Address;
  receipt: ContractFunctionArgs<typeof attestationRegistryAbi, "pure" | "view", "verifyInclusion">[0];
  batchId: ContractFunctionArgs<typeof attestationRegistryAbi, "pure" | "view", "verifyInclusion">[1];
  proof: ContractFunctionArgs<typeof attestationRegistryAbi, "pure" | "view", "verifyInclusion">[2];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type VerifyInclusionReturnType = ContractFunctionReturnType<
  typeof attestationRegistryAbi,
  "pure" | "view",
  "verifyInclusion"
>;

/** Whether a receipt is attested: in the batch by the proof, or singly (`IAttestationRegistry.verifyInclusion`). */
export function verifyInclusion(
  client: Client,
  { address, receipt, batchId, proof, blockNumber }: VerifyInclusionParameters,
): Promise<VerifyInclusionReturnType> {
  return readContract(client, {
    address,
    abi: attestationRegistryAbi,
    functionName: "verifyInclusion",
    args: [receipt, batchId, proof],
    blockNumber,
  });
}
