import type { Address, BlockNumber, Chain, Client, ContractEventArgs, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { disputeManagerAbi } from "../abis.generated";

export type GetDisputeOpenedEventsParameters = {
  /** The DisputeManager contract. */
  address: Address;
  /** Only events whose indexed fields (id, receiptHash, node) match. */
  args?: ContractEventArgs<typeof disputeManagerAbi, "DisputeOpened"> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetDisputeOpenedEventsReturnType = GetContractEventsReturnType<
  typeof disputeManagerAbi,
  "DisputeOpened",
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/** Disputes opened (`IDisputeManager.DisputeOpened` logs, decoded strictly, in chain order). */
export function getDisputeOpenedEvents(
  client: Client,
  { address, args, fromBlock, toBlock }: GetDisputeOpenedEventsParameters,
): Promise<GetDisputeOpenedEventsReturnType> {
  return getContractEvents<
    Chain | undefined,
    typeof disputeManagerAbi,
    "DisputeOpened",
    true,
    BlockNumber,
    BlockNumber | "latest"
  >(client, {
    address,
    abi: disputeManagerAbi,
    eventName: "DisputeOpened",
    args,
    fromBlock,
    toBlock: toBlock ?? "latest",
    strict: true,
  });
}
