import type { Address, Client, ContractFunctionArgs } from "viem";
import { readContract } from "viem/actions";
import { disputeManagerAbi } from "../abis.generated";

export type GetJoinBondParameters = {
  /** The DisputeManager contract. */
  address: Address;
  id: ContractFunctionArgs<typeof disputeManagerAbi, "pure" | "view", "joinBondOf">[0];
};

/** The bond `joinChallenge` takes to join dispute `id` (zero for an unknown id) (`IDisputeManager.joinBondOf`). */
export function getJoinBond(client: Client, { address, id }: GetJoinBondParameters): Promise<bigint> {
  return readContract(client, { address, abi: disputeManagerAbi, functionName: "joinBondOf", args: [id] });
}
