import { erc20Abi, type Address, type Client } from "viem";
import { readContract } from "viem/actions";

export type GetTokenMetadataParameters = {
  /** The ERC-20 token. */
  address: Address;
};

export type GetTokenMetadataReturnType = { decimals: number; symbol: string };

/** A token's decimals and symbol (18 and "tokens" where the token does not say). */
export async function getTokenMetadata(
  client: Client,
  { address }: GetTokenMetadataParameters,
): Promise<GetTokenMetadataReturnType> {
  const [decimals, symbol] = await Promise.all([
    readContract(client, { address, abi: erc20Abi, functionName: "decimals" }).catch(() => 18),
    readContract(client, { address, abi: erc20Abi, functionName: "symbol" }).catch(() => "tokens"),
  ]);
  return { decimals, symbol };
}
