import { erc20Abi, type Address, type Client, type ContractFunctionArgs, type ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";

export type GetTokenBalanceParameters = {
  /** The ERC-20 token contract. */
  address: Address;
  account: ContractFunctionArgs<typeof erc20Abi, "pure" | "view", "balanceOf">[0];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetTokenBalanceReturnType = ContractFunctionReturnType<typeof erc20Abi, "pure" | "view", "balanceOf">;

/** An account's token balance (`IERC20.balanceOf`). */
export function getTokenBalance(
  client: Client,
  { address, account, blockNumber }: GetTokenBalanceParameters,
): Promise<GetTokenBalanceReturnType> {
  return readContract(client, { address, abi: erc20Abi, functionName: "balanceOf", args: [account], blockNumber });
}
