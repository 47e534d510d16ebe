import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { disputeManagerAbi } from "../abis.generated";

export type GetCommitmentParameters = {
  /** The DisputeManager contract. */
  address: Address;
  id: ContractFunctionArgs<typeof disputeManagerAbi, "pure" | "view", "commitmentOf">[0];
  voter: ContractFunctionArgs<typeof disputeManagerAbi, "pure" | "view", "commitmentOf">[1];
  verdict: ContractFunctionArgs<typeof disputeManagerAbi, "pure" | "view", "commitmentOf">[2];
  outputHash: ContractFunctionArgs<typeof disputeManagerAbi, "pure" | "view", "commitmentOf">[3];
  salt: ContractFunctionArgs<typeof disputeManagerAbi, "pure" | "view", "commitmentOf">[4];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetCommitmentReturnType = ContractFunctionReturnType<
  typeof disputeManagerAbi,
  "pure" | "view",
  "commitmentOf"
>;

/** The commitment hash of a vote (`IDisputeManager.commitmentOf`). */
export function getCommitment(
  client: Client,
  { address, id, voter, verdict, outputHash, salt, blockNumber }: GetCommitmentParameters,
): Promise<GetCommitmentReturnType> {
  return readContract(client, {
    address,
    abi: disputeManagerAbi,
    functionName: "commitmentOf",
    args: [id, voter, verdict, outputHash, salt],
    blockNumber,
  });
}
