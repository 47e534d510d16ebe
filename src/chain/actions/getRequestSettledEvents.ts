import type { Address, BlockNumber, Chain, Client, ContractEventArgs, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { inferenceRouterAbi } from "../abis.generated";

export type GetRequestSettledEventsParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  /** Only events whose indexed fields (id, node) match. */
  args?: ContractEventArgs<typeof inferenceRouterAbi, "RequestSettled"> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetRequestSettledEventsReturnType = GetContractEventsReturnType<
  typeof inferenceRouterAbi,
  "RequestSettled",
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/** Requests paid out (`IInferenceRouter.RequestSettled` logs, decoded strictly, in chain order). */
export function getRequestSettledEvents(
  client: Client,
  { address, args, fromBlock, toBlock }: GetRequestSettledEventsParameters,
): Promise<GetRequestSettledEventsReturnType> {
  return getContractEvents<
    Chain | undefined,
    typeof inferenceRouterAbi,
    "RequestSettled",
    true,
    BlockNumber,
    BlockNumber | "latest"
  >(client, {
    address,
    abi: inferenceRouterAbi,
    eventName: "RequestSettled",
    args,
    fromBlock,
    toBlock: toBlock ?? "latest",
    strict: true,
  });
}
