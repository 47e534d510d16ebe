import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { attestationRegistryAbi } from "../abis.generated";

export type GetBatchParameters = {
  /** The AttestationRegistry contract. */
  address: Address;
  id: ContractFunctionArgs<typeof attestationRegistryAbi, "pure" | "view", "getBatch">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetBatchReturnType = ContractFunctionReturnType<typeof attestationRegistryAbi, "pure" | "view", "getBatch">;

/** An attested batch by its id (zero node when none) (`IAttestationRegistry.getBatch`). */
export function getBatch(
  client: Client,
  { address, id, blockNumber }: GetBatchParameters,
): Promise<GetBatchReturnType> {
  return readContract(client, {
    address,
    abi: attestationRegistryAbi,
    functionName: "getBatch",
    args: [id],
    blockNumber,
  });
}
