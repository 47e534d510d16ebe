import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { inferenceRouterAbi } from "../abis.generated";

export type GetRequestParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  id: ContractFunctionArgs<typeof inferenceRouterAbi, "pure" | "view", "getRequest">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetRequestReturnType = ContractFunctionReturnType<typeof inferenceRouterAbi, "pure" | "view", "getRequest">;

/** An on-chain inference request (`IInferenceRouter.getRequest`). */
export function getRequest(
  client: Client,
  { address, id, blockNumber }: GetRequestParameters,
): Promise<GetRequestReturnType> {
  return readContract(client, {
    address,
    abi: inferenceRouterAbi,
    functionName: "getRequest",
    args: [id],
    blockNumber,
  });
}
