import { erc20Abi, type Address, type Client, type ContractFunctionArgs, type ContractFunctionReturnType } from "viem";
import { readContract } from "viem/actions";

export type GetAllowanceParameters = {
  /** The ERC-20 token contract. */
  address: Address;
  owner: ContractFunctionArgs<typeof erc20Abi, "pure" | "view", "allowance">[0];
  spender: ContractFunctionArgs<typeof erc20Abi, "pure" | "view", "allowance">[1];
  /** Read at this block instead of the latest. */
  blockNumber?: bigint | undefined;
};

export type GetAllowanceReturnType = ContractFunctionReturnType<typeof erc20Abi, "pure" | "view", "allowance">;

/** What a spender may transfer of an owner's tokens (`IERC20.allowance`). */
export function getAllowance(
  client: Client,
  { address, owner, spender, blockNumber }: GetAllowanceParameters,
): Promise<GetAllowanceReturnType> {
  return readContract(client, {
    address,
    abi: erc20Abi,
    functionName: "allowance",
    args: [owner, spender],
    blockNumber,
  });
}
