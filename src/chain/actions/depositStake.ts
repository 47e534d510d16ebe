import type { Address, Hash } from "viem";
import type { VerityClients } from "../createVerityClients";
import { sendContractCall } from "../sendContractCall";
import { ensureAllowance } from "./ensureAllowance";
import { stake } from "./stake";

export type DepositStakeParameters = {
  /** The stake token. */
  token: Address;
  /** The Staking contract. */
  staking: Address;
  amount: bigint;
  /** Called before an approval is sent. */
  onApprove?: ((amount: bigint) => void) | undefined;
  /** Called before the stake is sent. */
  onStake?: (() => void) | undefined;
};

/** The `stake` transaction. */
export type DepositStakeReturnType = Hash;

/** Approves the Staking contract for `amount` of the stake token where needed, then stakes it. */
export async function depositStake(
  clients: VerityClients,
  { token, staking, amount, onApprove, onStake }: DepositStakeParameters,
): Promise<DepositStakeReturnType> {
  await ensureAllowance(clients, { token, spender: staking, amount, onApprove });
  onStake?.();
  return sendContractCall(clients, stake({ address: staking, amount }));
}
