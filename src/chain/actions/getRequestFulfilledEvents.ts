import type { Address, BlockNumber, Chain, Client, ContractEventArgs, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { inferenceRouterAbi } from "../abis.generated";

export type GetRequestFulfilledEventsParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  /** Only events whose indexed fields (id, node, receiptHash) match. */
  args?: ContractEventArgs<typeof inferenceRouterAbi, "RequestFulfilled"> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetRequestFulfilledEventsReturnType = GetContractEventsReturnType<
  typeof inferenceRouterAbi,
  "RequestFulfilled",
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/** Receipts relayed to requests (`IInferenceRouter.RequestFulfilled` logs, decoded strictly, in chain order). */
export function getRequestFulfilledEvents(
  client: Client,
  { address, args, fromBlock, toBlock }: GetRequestFulfilledEventsParameters,
): Promise<GetRequestFulfilledEventsReturnType> {
  return getContractEvents<
    Chain | undefined,
    typeof inferenceRouterAbi,
    "RequestFulfilled",
    true,
    BlockNumber,
    BlockNumber | "latest"
  >(client, {
    address,
    abi: inferenceRouterAbi,
    eventName: "RequestFulfilled",
    args,
    fromBlock,
    toBlock: toBlock ?? "latest",
    strict: true,
  });
}
