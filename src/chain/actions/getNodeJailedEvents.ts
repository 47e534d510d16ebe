import type { Address, BlockNumber, Chain, Client, ContractEventArgs, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { nodeRegistryAbi } from "../abis.generated";

export type GetNodeJailedEventsParameters = {
  /** The NodeRegistry contract. */
  address: Address;
  /** Only events whose indexed fields (node) match. */
  args?: ContractEventArgs<typeof nodeRegistryAbi, "NodeJailed"> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetNodeJailedEventsReturnType = GetContractEventsReturnType<
  typeof nodeRegistryAbi,
  "NodeJailed",
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/** Nodes jailed (`INodeRegistry.NodeJailed` logs, decoded strictly, in chain order). */
export function getNodeJailedEvents(
  client: Client,
  { address, args, fromBlock, toBlock }: GetNodeJailedEventsParameters,
): Promise<GetNodeJailedEventsReturnType> {
  return getContractEvents<
    Chain | undefined,
    typeof nodeRegistryAbi,
    "NodeJailed",
    true,
    BlockNumber,
    BlockNumber | "latest"
  >(client, {
    address,
    abi: nodeRegistryAbi,
    eventName: "NodeJailed",
    args,
    fromBlock,
    toBlock: toBlock ?? "latest",
    strict: true,
  });
}
