import type { Address, Client } from "viem";
import { readContract } from "viem/actions";
import { verityTestTokenAbi } from "../abis.generated";

export type GetTokenOwnerParameters = {
  /** The VerityTestToken contract. */
  address: Address;
};

export type GetTokenOwnerReturnType = Address | undefined;

/** The test token's owner, the one account that may mint (`VerityTestToken.owner`); undefined for a token without one. */
export async function getTokenOwner(
  client: Client,
  { address }: GetTokenOwnerParameters,
): Promise<GetTokenOwnerReturnType> {
  try {
    return await readContract(client, { address, abi: verityTestTokenAbi, functionName: "owner" });
  } catch {
    return undefined;
  }
}
