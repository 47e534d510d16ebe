import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { disputeManagerAbi } from "../abis.generated";

export type GetClaimableParameters = {
  /** The DisputeManager contract. */
  address: Address;
  account: ContractFunctionArgs<typeof disputeManagerAbi, "pure" | "view", "claimableOf">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetClaimableReturnType = ContractFunctionReturnType<
  typeof disputeManagerAbi,
  "pure" | "view",
  "claimableOf"
>;

/** What an account may claim from settled disputes (`IDisputeManager.claimableOf`). */
export function getClaimable(
  client: Client,
  { address, account, blockNumber }: GetClaimableParameters,
): Promise<GetClaimableReturnType> {
  return readContract(client, {
    address,
    abi: disputeManagerAbi,
    functionName: "claimableOf",
    args: [account],
    blockNumber,
  });
}
