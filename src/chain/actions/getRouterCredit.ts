import type { Address, Client } from "viem";
import { readContract } from "viem/actions";
import { inferenceRouterAbi } from "../abis.generated";

export type GetRouterCreditParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  /** Whose credit to read. */
  account: Address;
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

/** What an account may withdraw from the router: fees, compensations, refunds (`IPullCredits.claimableOf`). */
export function getRouterCredit(
  client: Client,
  { address, account, blockNumber }: GetRouterCreditParameters,
): Promise<bigint> {
  return readContract(client, {
    address,
    abi: inferenceRouterAbi,
    functionName: "claimableOf",
    args: [account],
    blockNumber,
  });
}
