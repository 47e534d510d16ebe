import type { Address, BlockNumber, Chain, Client, ContractEventArgs, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { iValidationRegistryAbi } from "../abis.generated";

export type GetValidationRequestEventsParameters = {
  /** The ERC-8004 Validation Registry. */
  address: Address;
  /** Only events whose indexed fields (validatorAddress, agentId, requestHash) match. */
  args?: ContractEventArgs<typeof iValidationRegistryAbi, "ValidationRequest"> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetValidationRequestEventsReturnType = GetContractEventsReturnType<
  typeof iValidationRegistryAbi,
  "ValidationRequest",
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/** ERC-8004 validation requests (`ValidationRequest` logs, decoded strictly, in chain order). */
export function getValidationRequestEvents(
  client: Client,
  { address, args, fromBlock, toBlock }: GetValidationRequestEventsParameters,
): Promise<GetValidationRequestEventsReturnType> {
  return getContractEvents<
    Chain | undefined,
    typeof iValidationRegistryAbi,
    "ValidationRequest",
    true,
    BlockNumber,
    BlockNumber | "latest"
  >(client, {
    address,
    abi: iValidationRegistryAbi,
    eventName: "ValidationRequest",
    args,
    fromBlock,
    toBlock: toBlock ?? "latest",
    strict: true,
  });
}
