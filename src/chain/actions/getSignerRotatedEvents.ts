import type { Address, BlockNumber, Chain, Client, ContractEventArgs, GetContractEventsReturnType } from "viem";
import { getContractEvents } from "viem/actions";
import { nodeRegistryAbi } from "../abis.generated";

export type GetSignerRotatedEventsParameters = {
  /** The NodeRegistry contract. */
  address: Address;
  /** Only events whose indexed fields (node, oldSigner, newSigner) match. */
  args?: ContractEventArgs<typeof nodeRegistryAbi, "SignerRotated"> | undefined;
  fromBlock: BlockNumber;
  /** Inclusive; the latest block when omitted. */
  toBlock?: BlockNumber | "latest" | undefined;
};

export type GetSignerRotatedEventsReturnType = GetContractEventsReturnType<
  typeof nodeRegistryAbi,
  "SignerRotated",
  true,
  BlockNumber,
  BlockNumber | "latest"
>;

/** Signer key rotations (`INodeRegistry.SignerRotated` logs, decoded strictly, in chain order). */
export function getSignerRotatedEvents(
  client: Client,
  { address, args, fromBlock, toBlock }: GetSignerRotatedEventsParameters,
): Promise<GetSignerRotatedEventsReturnType> {
  return getContractEvents<
    Chain | undefined,
    typeof nodeRegistryAbi,
    "SignerRotated",
    true,
    BlockNumber,
    BlockNumber | "latest"
  >(client, {
    address,
    abi: nodeRegistryAbi,
    eventName: "SignerRotated",
    args,
    fromBlock,
    toBlock: toBlock ?? "latest",
    strict: true,
  });
}
