import type { Address, BlockNumber, Chain, Client, ContractEventArgs, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { inferenceRouterAbi } from "../abis.generated";

export type GetNodeAssignedEventsParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  /** Only events whose indexed fields (id, node) match. */
  args?: ContractEventArgs<typeof inferenceRouterAbi, "NodeAssigned"> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetNodeAssignedEventsReturnType = GetContractEventsReturnType<
  typeof inferenceRouterAbi,
  "NodeAssigned",
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/** Nodes assigned to requests (`IInferenceRouter.NodeAssigned` logs, decoded strictly, in chain order). */
export function getNodeAssignedEvents(
  client: Client,
  { address, args, fromBlock, toBlock }: GetNodeAssignedEventsParameters,
): Promise<GetNodeAssignedEventsReturnType> {
  return getContractEvents<
    Chain | undefined,
    typeof inferenceRouterAbi,
    "NodeAssigned",
    true,
    BlockNumber,
    BlockNumber | "latest"
  >(client, {
    address,
    abi: inferenceRouterAbi,
    eventName: "NodeAssigned",
    args,
    fromBlock,
    toBlock: toBlock ?? "latest",
    strict: true,
  });
}
