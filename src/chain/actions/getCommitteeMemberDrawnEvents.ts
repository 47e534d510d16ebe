import type { Address, BlockNumber, Chain, Client, ContractEventArgs, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { disputeManagerAbi } from "../abis.generated";

export type GetCommitteeMemberDrawnEventsParameters = {
  /** The DisputeManager contract. */
  address: Address;
  /** Only events whose indexed fields (id, member) match. */
  args?: ContractEventArgs<typeof disputeManagerAbi, "CommitteeMemberDrawn"> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetCommitteeMemberDrawnEventsReturnType = GetContractEventsReturnType<
  typeof disputeManagerAbi,
  "CommitteeMemberDrawn",
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/** Committee members drawn (`IDisputeManager.CommitteeMemberDrawn` logs, decoded strictly, in chain order). */
export function getCommitteeMemberDrawnEvents(
  client: Client,
  { address, args, fromBlock, toBlock }: GetCommitteeMemberDrawnEventsParameters,
): Promise<GetCommitteeMemberDrawnEventsReturnType> {
  return getContractEvents<
    Chain | undefined,
    typeof disputeManagerAbi,
    "CommitteeMemberDrawn",
    true,
    BlockNumber,
    BlockNumber | "latest"
  >(client, {
    address,
    abi: disputeManagerAbi,
    eventName: "CommitteeMemberDrawn",
    args,
    fromBlock,
    toBlock: toBlock ?? "latest",
    strict: true,
  });
}
