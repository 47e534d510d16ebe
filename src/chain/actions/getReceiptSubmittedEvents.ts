import type { Address, BlockNumber, Chain, Client, ContractEventArgs, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { attestationRegistryAbi } from "../abis.generated";

export type GetReceiptSubmittedEventsParameters = {
  /** The AttestationRegistry contract. */
  address: Address;
  /** Only events whose indexed fields (receiptHash, node, requestId) match. */
  args?: ContractEventArgs<typeof attestationRegistryAbi, "ReceiptSubmitted"> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetReceiptSubmittedEventsReturnType = GetContractEventsReturnType<
  typeof attestationRegistryAbi,
  "ReceiptSubmitted",
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/** Single receipts attested (`IAttestationRegistry.ReceiptSubmitted` logs, decoded strictly, in chain order). */
export function getReceiptSubmittedEvents(
  client: Client,
  { address, args, fromBlock, toBlock }: GetReceiptSubmittedEventsParameters,
): Promise<GetReceiptSubmittedEventsReturnType> {
  return getContractEvents<
    Chain | undefined,
    typeof attestationRegistryAbi,
    "ReceiptSubmitted",
    true,
    BlockNumber,
    BlockNumber | "latest"
  >(client, {
    address,
    abi: attestationRegistryAbi,
    eventName: "ReceiptSubmitted",
    args,
    fromBlock,
    toBlock: toBlock ?? "latest",
    strict: true,
  });
}
