import type { Hash } from "viem";
import { BaseError } from "../protocol";
import type { ContractCall } from "./contractCall";
import type { VerityClients } from "./createVerityClients";
import { decodeRevert, TransactionRevertedError } from "./errors";

/** Sending a transaction needs clients with an account. */
export class MissingAccountError extends BaseError {
  override name = "MissingAccountError";
  constructor() {
    super("Sending a transaction needs an account.");
  }
}

/**
 * Simulates a contract call first (so a revert surfaces as {@link TransactionRevertedError} naming the contract's
 * custom error and its arguments, without spending gas), then sends it and waits for its receipt. Throws
 * {@link TransactionRevertedError} too when it was mined but reverted.
 */
export async function sendContractCall(clients: VerityClients, call: ContractCall): Promise<Hash> {
  const { publicClient, walletClient } = clients;
  if (!walletClient) throw new MissingAccountError();
  try {
    const { request } = await publicClient.simulateContract({ ...call, account: walletClient.account });
    const hash = await walletClient.writeContract(request);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new TransactionRevertedError(call.functionName, undefined, undefined, hash);
    return hash;
  } catch (error) {
    throw decodeRevert(error, call.functionName);
  }
}
