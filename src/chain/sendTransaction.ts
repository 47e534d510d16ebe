import { BaseError as ViemBaseError, ContractFunctionRevertedError, type Abi, type Hash } from "viem";
import { BaseError } from "../protocol";
import type { VerityClients } from "./createVerityClients";

/** The chain refused a transaction: the simulation reverted, with the contract's named error when it has one. */
export class TransactionRevertedError extends BaseError {
  override name = "TransactionRevertedError";
  /** The custom error's name (e.g. `AttestationWindowClosed`), when the contract reverted with one. */
  readonly errorName: string | undefined;
  readonly errorArgs: readonly unknown[] | undefined;

  constructor(
    functionName: string,
    errorName: string | undefined,
    errorArgs: readonly unknown[] | undefined,
    cause: unknown,
  ) {
    super(`${functionName} reverted${errorName ? ` with ${errorName}` : ""}.`, {
      cause,
      details: errorArgs?.map(String).join(", "),
    });
    this.errorName = errorName;
    this.errorArgs = errorArgs;
  }
}

export interface SendTransactionParameters {
  address: `0x${string}`;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
}

/**
 * Simulates a contract call first (so a revert surfaces as {@link TransactionRevertedError} naming the contract's
 * custom error, without spending gas), then sends it and waits for its receipt. Throws when it was mined but reverted.
 */
export async function sendTransaction(clients: VerityClients, parameters: SendTransactionParameters): Promise<Hash> {
  const { publicClient, walletClient } = clients;
  if (!walletClient) throw new BaseError("Sending a transaction needs an account.");
  try {
    const { request } = await publicClient.simulateContract({
      ...parameters,
      account: walletClient.account,
    } as Parameters<typeof publicClient.simulateContract>[0]);
    const hash = await walletClient.writeContract(request as Parameters<typeof walletClient.writeContract>[0]);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success")
      throw new TransactionRevertedError(parameters.functionName, undefined, undefined, hash);
    return hash;
  } catch (error) {
    if (error instanceof TransactionRevertedError) throw error;
    const reverted =
      error instanceof ViemBaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
    if (reverted instanceof ContractFunctionRevertedError) {
      throw new TransactionRevertedError(
        parameters.functionName,
        reverted.data?.errorName,
        reverted.data?.args as readonly unknown[] | undefined,
        error,
      );
    }
    throw error;
  }
}
