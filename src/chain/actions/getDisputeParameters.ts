import type { Address, Client, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { disputeManagerAbi } from "../abis.generated";

export type GetDisputeParametersParameters = {
  /** The DisputeManager contract. */
  address: Address;
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetDisputeParametersReturnType = ContractFunctionReturnType<
  typeof disputeManagerAbi,
  "pure" | "view",
  "getParameters"
>;

/** The dispute parameters (`IDisputeManager.getParameters`). */
export function getDisputeParameters(
  client: Client,
  { address, blockNumber }: GetDisputeParametersParameters,
): Promise<GetDisputeParametersReturnType> {
  return readContract(client, { address, abi: disputeManagerAbi, functionName: "getParameters", blockNumber });
}
