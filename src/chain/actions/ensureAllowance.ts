import type { Address, Hash } from "viem";
import type { VerityClients } from "../createVerityClients";
import { sendContractCall } from "../sendContractCall";
import { approve } from "./approve";
import { getAllowance } from "./getAllowance";

export type EnsureAllowanceParameters = {
  /** The ERC-20 token. */
  token: Address;
  spender: Address;
  amount: bigint;
  /** Called before the approval is sent (not when the allowance already covers `amount`). */
  onApprove?: ((amount: bigint) => void) | undefined;
};

/** The approval's transaction, or undefined when the allowance already covered the amount. */
export type EnsureAllowanceReturnType = Hash | undefined;

/** Approves `spender` for `amount` of `token` from the clients' account, unless the allowance already covers it. */
export async function ensureAllowance(
  clients: VerityClients,
  { token, spender, amount, onApprove }: EnsureAllowanceParameters,
): Promise<EnsureAllowanceReturnType> {
  const owner = clients.walletClient?.account.address;
  if (owner !== undefined) {
    const allowance = await getAllowance(clients.publicClient, { address: token, owner, spender });
    if (allowance >= amount) return undefined;
  }
  onApprove?.(amount);
  return sendContractCall(clients, approve({ address: token, spender, amount }));
}
