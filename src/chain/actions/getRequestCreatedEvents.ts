import type { Address, BlockNumber, Chain, Client, ContractEventArgs, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { inferenceRouterAbi } from "../abis.generated";

export type GetRequestCreatedEventsParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  /** Only events whose indexed fields (id, consumer, modelId) match. */
  args?: ContractEventArgs<typeof inferenceRouterAbi, "RequestCreated"> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetRequestCreatedEventsReturnType = GetContractEventsReturnType<
  typeof inferenceRouterAbi,
  "RequestCreated",
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/** Requests created, with their input URIs (`IInferenceRouter.RequestCreated` logs, decoded strictly, in chain order). */
export function getRequestCreatedEvents(
  client: Client,
  { address, args, fromBlock, toBlock }: GetRequestCreatedEventsParameters,
): Promise<GetRequestCreatedEventsReturnType> {
  return getContractEvents<
    Chain | undefined,
    typeof inferenceRouterAbi,
    "RequestCreated",
    true,
    BlockNumber,
    BlockNumber | "latest"
  >(client, {
    address,
    abi: inferenceRouterAbi,
    eventName: "RequestCreated",
    args,
    fromBlock,
    toBlock: toBlock ?? "latest",
    strict: true,
  });
}
