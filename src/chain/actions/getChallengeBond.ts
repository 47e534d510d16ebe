import type { Address, Client } from "viem";
import { readContract } from "viem/actions";
import { disputeManagerAbi } from "../abis.generated";

export type GetChallengeBondParameters = {
  /** The DisputeManager contract. */
  address: Address;
  id: bigint;
  /** The beneficiary whose bonds in the dispute to read. */
  beneficiary: Address;
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

/** The challenge bonds posted in a dispute for one beneficiary, not yet credited (`IDisputeManager.challengeBondOf`). */
export function getChallengeBond(
  client: Client,
  { address, id, beneficiary, blockNumber }: GetChallengeBondParameters,
): Promise<bigint> {
  return readContract(client, {
    address,
    abi: disputeManagerAbi,
    functionName: "challengeBondOf",
    args: [id, beneficiary],
    blockNumber,
  });
}
