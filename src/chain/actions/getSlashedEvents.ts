import type { Address, BlockNumber, Chain, Client, ContractEventArgs, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { stakingAbi } from "../abis.generated";

export type GetSlashedEventsParameters = {
  /** The Staking contract. */
  address: Address;
  /** Only events whose indexed fields (node) match. */
  args?: ContractEventArgs<typeof stakingAbi, "Slashed"> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetSlashedEventsReturnType = GetContractEventsReturnType<
  typeof stakingAbi,
  "Slashed",
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/** Stake slashed (`IStaking.Slashed` logs, decoded strictly, in chain order). */
export function getSlashedEvents(
  client: Client,
  { address, args, fromBlock, toBlock }: GetSlashedEventsParameters,
): Promise<GetSlashedEventsReturnType> {
  return getContractEvents<Chain | undefined, typeof stakingAbi, "Slashed", true, BlockNumber, BlockNumber | "latest">(
    client,
    {
      address,
      abi: stakingAbi,
      eventName: "Slashed",
      args,
      fromBlock,
      toBlock: toBlock ?? "latest",
      strict: true,
    },
  );
}
