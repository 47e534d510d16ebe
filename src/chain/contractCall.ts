import type { Abi, Address, ContractFunctionArgs, ContractFunctionName } from "viem";

/**
 * A state-changing contract call, typed where it is built ({@link defineContractCall}) and sent by whoever holds the
 * account: {@link sendContractCall} (simulate, send, wait) or the keeper's nonce-managed sender.
 */
export interface ContractCall {
  readonly address: Address;
  readonly abi: Abi;
  readonly functionName: string;
  readonly args: readonly unknown[];
}

/** The fields of a call to `functionName` of `abi`, with viem's inference of the argument types. */
export interface DefineContractCallParameters<
  abi extends Abi,
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
> {
  address: Address;
  abi: abi;
  functionName: functionName;
  args: ContractFunctionArgs<abi, "nonpayable" | "payable", functionName>;
}

/** Builds a {@link ContractCall}: the function name and its arguments are checked against the ABI. */
export function defineContractCall<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
>(parameters: DefineContractCallParameters<abi, functionName>): ContractCall {
  return parameters as unknown as ContractCall;
}
