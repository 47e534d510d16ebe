import type { Address, Client, ContractFunctionArgs, ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";
import { inferenceRouterAbi } from "../abis.generated";

export type GetAssignmentsParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  id: ContractFunctionArgs<typeof inferenceRouterAbi, "pure" | "view", "getAssignments">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetAssignmentsReturnType = ContractFunctionReturnType<
  typeof inferenceRouterAbi,
  "pure" | "view",
  "getAssignments"
>;

/** A request's assignment slots (`IInferenceRouter.getAssignments`). */
export function getAssignments(
  client: Client,
  { address, id, blockNumber }: GetAssignmentsParameters,
): Promise<GetAssignmentsReturnType> {
  return readContract(client, {
    address,
    abi: inferenceRouterAbi,
    functionName: "getAssignments",
    args: [id],
    blockNumber,
  });
}
