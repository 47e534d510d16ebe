import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { disputeManagerAbi } from "../abis.generated";

export type GetDisputeOfReceiptParameters = {
  /** The DisputeManager contract. */
  address: Address;
  receiptHash: ContractFunctionArgs<typeof disputeManagerAbi, "pure" | "view", "disputeOfReceipt">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetDisputeOfReceiptReturnType = ContractFunctionReturnType<
  typeof disputeManagerAbi,
  "pure" | "view",
  "disputeOfReceipt"
>;

/** The dispute opened on a receipt (zero when none) (`IDisputeManager.disputeOfReceipt`). */
export function getDisputeOfReceipt(
  client: Client,
  { address, receiptHash, blockNumber }: GetDisputeOfReceiptParameters,
): Promise<GetDisputeOfReceiptReturnType> {
  return readContract(client, {
    address,
    abi: disputeManagerAbi,
    functionName: "disputeOfReceipt",
    args: [receiptHash],
    blockNumber,
  });
}
