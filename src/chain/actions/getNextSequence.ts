import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { attestationRegistryAbi } from "../abis.generated";

export type GetNextSequenceParameters = {
  /** The AttestationRegistry contract. */
  address: Address;
  node: ContractFunctionArgs<typeof attestationRegistryAbi, "pure" | "view", "nextSequence">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetNextSequenceReturnType = ContractFunctionReturnType<
  typeof attestationRegistryAbi,
  "pure" | "view",
  "nextSequence"
>;

/** The next batch sequence number of a node (`IAttestationRegistry.nextSequence`). */
export function getNextSequence(
  client: Client,
  { address, node, blockNumber }: GetNextSequenceParameters,
): Promise<GetNextSequenceReturnType> {
  return readContract(client, {
    address,
    abi: attestationRegistryAbi,
    functionName: "nextSequence",
    args: [node],
    blockNumber,
  });
}
