import type { Address, Client, ContractFunctionArgs } from "viem";
import { readContract } from "viem/actions";
import { attestationRegistryAbi } from "../abis.generated";

export type GetFraudJudgeOfParameters = {
  /** The AttestationRegistry contract. */
  address: Address;
  model: ContractFunctionArgs<typeof attestationRegistryAbi, "pure" | "view", "fraudJudgeOf">[0];
};

/**
 * The contract that alone may dispute receipts of `model` (the fraud game, for models it can decide), or the zero
 * address when disputes of the model go to the committee (`IAttestationRegistry.fraudJudgeOf`).
 */
export function getFraudJudgeOf(client: Client, { address, model }: GetFraudJudgeOfParameters): Promise<Address> {
  return readContract(client, { address, abi: attestationRegistryAbi, functionName: "fraudJudgeOf", args: [model] });
}
