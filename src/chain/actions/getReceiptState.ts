import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { attestationRegistryAbi } from "../abis.generated";

export type GetReceiptStateParameters = {
  /** The AttestationRegistry contract. */
  address: Address;
  receiptHash: ContractFunctionArgs<typeof attestationRegistryAbi, "pure" | "view", "receiptState">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetReceiptStateReturnType = ContractFunctionReturnType<
  typeof attestationRegistryAbi,
  "pure" | "view",
  "receiptState"
>;

/** A receipt's dispute state (`IAttestationRegistry.receiptState`). */
export function getReceiptState(
  client: Client,
  { address, receiptHash, blockNumber }: GetReceiptStateParameters,
): Promise<GetReceiptStateReturnType> {
  return readContract(client, {
    address,
    abi: attestationRegistryAbi,
    functionName: "receiptState",
    args: [receiptHash],
    blockNumber,
  });
}
