import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { attestationRegistryAbi } from "../abis.generated";

export type IsFinalParameters = {
  /** The AttestationRegistry contract. */
  address: Address;
  receipt: ContractFunctionArgs<typeof attestationRegistryAbi, "pure" | "view", "isFinal">[0];
  batchId: ContractFunctionArgs<typeof attestationRegistryAbi, "pure" | "view", "isFinal">[1];
  proof: ContractFunctionArgs<typeof attestationRegistryAbi, "pure" | "view", "isFinal">[2];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type IsFinalReturnType = ContractFunctionReturnType<typeof attestationRegistryAbi, "pure" | "view", "isFinal">;

/** Whether a receipt is attested, its window closed and not rejected (`IAttestationRegistry.isFinal`). */
export function isFinal(
  client: Client,
  { address, receipt, batchId, proof, blockNumber }: IsFinalParameters,
): Promise<IsFinalReturnType> {
  return readContract(client, {
    address,
    abi: attestationRegistryAbi,
    functionName: "isFinal",
    args: [receipt, batchId, proof],
    blockNumber,
  });
}
