import type { Address, ContractFunctionArgs } from "viem";
import { verityTestTokenAbi } from "../abis.generated";
import { defineContractCall, type ContractCall } from "../contractCall";

export type MintParameters = {
  /** The VerityTestToken contract. */
  address: Address;
  to: ContractFunctionArgs<typeof verityTestTokenAbi, "nonpayable" | "payable", "mint">[0];
  amount: ContractFunctionArgs<typeof verityTestTokenAbi, "nonpayable" | "payable", "mint">[1];
};

/** Mints test tokens (`VerityTestToken.mint`): the call, for `sendContractCall` or the keeper's sender. */
export function mint({ address, to, amount }: MintParameters): ContractCall {
  return defineContractCall({ address, abi: verityTestTokenAbi, functionName: "mint", args: [to, amount] });
}
