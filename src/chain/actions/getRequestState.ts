import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { inferenceRouterAbi } from "../abis.generated";

export type GetRequestStateParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  id: ContractFunctionArgs<typeof inferenceRouterAbi, "pure" | "view", "state">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetRequestStateReturnType = ContractFunctionReturnType<typeof inferenceRouterAbi, "pure" | "view", "state">;

/** A request's lifecycle state (`IInferenceRouter.state`). */
export function getRequestState(
  client: Client,
  { address, id, blockNumber }: GetRequestStateParameters,
): Promise<GetRequestStateReturnType> {
  return readContract(client, { address, abi: inferenceRouterAbi, functionName: "state", args: [id], blockNumber });
}
