import { erc20Abi, type Address, type ContractFunctionArgs } from "viem";
import { defineContractCall, type ContractCall } from "../contractCall";

export type ApproveParameters = {
  /** The ERC-20 token contract. */
  address: Address;
  spender: ContractFunctionArgs<typeof erc20Abi, "nonpayable" | "payable", "approve">[0];
  amount: ContractFunctionArgs<typeof erc20Abi, "nonpayable" | "payable", "approve">[1];
};

/** Approves a spender for an amount of tokens (`IERC20.approve`): the call, for `sendContractCall` or the keeper's sender. */
export function approve({ address, spender, amount }: ApproveParameters): ContractCall {
  return defineContractCall({ address, abi: erc20Abi, functionName: "approve", args: [spender, amount] });
}
