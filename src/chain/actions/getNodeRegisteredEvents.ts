import type { Address, BlockNumber, Chain, Client, ContractEventArgs, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { nodeRegistryAbi } from "../abis.generated";

export type GetNodeRegisteredEventsParameters = {
  /** The NodeRegistry contract. */
  address: Address;
  /** Only events whose indexed fields (node, signer) match. */
  args?: ContractEventArgs<typeof nodeRegistryAbi, "NodeRegistered"> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetNodeRegisteredEventsReturnType = GetContractEventsReturnType<
  typeof nodeRegistryAbi,
  "NodeRegistered",
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/** Node registrations (`INodeRegistry.NodeRegistered` logs, decoded strictly, in chain order). */
export function getNodeRegisteredEvents(
  client: Client,
  { address, args, fromBlock, toBlock }: GetNodeRegisteredEventsParameters,
): Promise<GetNodeRegisteredEventsReturnType> {
  return getContractEvents<
    Chain | undefined,
    typeof nodeRegistryAbi,
    "NodeRegistered",
    true,
    BlockNumber,
    BlockNumber | "latest"
  >(client, {
    address,
    abi: nodeRegistryAbi,
    eventName: "NodeRegistered",
    args,
    fromBlock,
    toBlock: toBlock ?? "latest",
    strict: true,
  });
}
