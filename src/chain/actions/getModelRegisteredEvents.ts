import type { Address, BlockNumber, Chain, Client, ContractEventArgs, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { modelRegistryAbi } from "../abis.generated";

export type GetModelRegisteredEventsParameters = {
  /** The ModelRegistry contract. */
  address: Address;
  /** Only events whose indexed fields (id, owner, previous) match. */
  args?: ContractEventArgs<typeof modelRegistryAbi, "ModelRegistered"> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetModelRegisteredEventsReturnType = GetContractEventsReturnType<
  typeof modelRegistryAbi,
  "ModelRegistered",
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/** Model registrations (`IModelRegistry.ModelRegistered` logs, decoded strictly, in chain order). */
export function getModelRegisteredEvents(
  client: Client,
  { address, args, fromBlock, toBlock }: GetModelRegisteredEventsParameters,
): Promise<GetModelRegisteredEventsReturnType> {
  return getContractEvents<
    Chain | undefined,
    typeof modelRegistryAbi,
    "ModelRegistered",
    true,
    BlockNumber,
    BlockNumber | "latest"
  >(client, {
    address,
    abi: modelRegistryAbi,
    eventName: "ModelRegistered",
    args,
    fromBlock,
    toBlock: toBlock ?? "latest",
    strict: true,
  });
}
