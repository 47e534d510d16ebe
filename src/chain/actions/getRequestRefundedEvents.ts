import type { Address, BlockNumber, Chain, Client, ContractEventArgs, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { inferenceRouterAbi } from "../abis.generated";

export type GetRequestRefundedEventsParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  /** Only events whose indexed fields (id, consumer) match. */
  args?: ContractEventArgs<typeof inferenceRouterAbi, "RequestRefunded"> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetRequestRefundedEventsReturnType = GetContractEventsReturnType<
  typeof inferenceRouterAbi,
  "RequestRefunded",
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/** Requests refunded (`IInferenceRouter.RequestRefunded` logs, decoded strictly, in chain order). */
export function getRequestRefundedEvents(
  client: Client,
  { address, args, fromBlock, toBlock }: GetRequestRefundedEventsParameters,
): Promise<GetRequestRefundedEventsReturnType> {
  return getContractEvents<
    Chain | undefined,
    typeof inferenceRouterAbi,
    "RequestRefunded",
    true,
    BlockNumber,
    BlockNumber | "latest"
  >(client, {
    address,
    abi: inferenceRouterAbi,
    eventName: "RequestRefunded",
    args,
    fromBlock,
    toBlock: toBlock ?? "latest",
    strict: true,
  });
}
