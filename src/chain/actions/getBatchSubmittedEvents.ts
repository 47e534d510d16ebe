import type { Address, BlockNumber, Chain, Client, ContractEventArgs, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { attestationRegistryAbi } from "../abis.generated";

export type GetBatchSubmittedEventsParameters = {
  /** The AttestationRegistry contract. */
  address: Address;
  /** Only events whose indexed fields (id, node) match. */
  args?: ContractEventArgs<typeof attestationRegistryAbi, "BatchSubmitted"> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetBatchSubmittedEventsReturnType = GetContractEventsReturnType<
  typeof attestationRegistryAbi,
  "BatchSubmitted",
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/** Batches attested (`IAttestationRegistry.BatchSubmitted` logs, decoded strictly, in chain order). */
export function getBatchSubmittedEvents(
  client: Client,
  { address, args, fromBlock, toBlock }: GetBatchSubmittedEventsParameters,
): Promise<GetBatchSubmittedEventsReturnType> {
  return getContractEvents<
    Chain | undefined,
    typeof attestationRegistryAbi,
    "BatchSubmitted",
    true,
    BlockNumber,
    BlockNumber | "latest"
  >(client, {
    address,
    abi: attestationRegistryAbi,
    eventName: "BatchSubmitted",
    args,
    fromBlock,
    toBlock: toBlock ?? "latest",
    strict: true,
  });
}
