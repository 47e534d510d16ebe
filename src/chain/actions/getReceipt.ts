import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { attestationRegistryAbi } from "../abis.generated";

export type GetReceiptParameters = {
  /** The AttestationRegistry contract. */
  address: Address;
  receipt: ContractFunctionArgs<typeof attestationRegistryAbi, "pure" | "view", "getReceipt">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetReceiptReturnType = ContractFunctionReturnType<
  typeof attestationRegistryAbi,
  "pure" | "view",
  "getReceipt"
>;

/** A singly attested receipt's record (`IAttestationRegistry.getReceipt`). */
export function getReceipt(
  client: Client,
  { address, receipt, blockNumber }: GetReceiptParameters,
): Promise<GetReceiptReturnType> {
  return readContract(client, {
    address,
    abi: attestationRegistryAbi,
    functionName: "getReceipt",
    args: [receipt],
    blockNumber,
  });
}
