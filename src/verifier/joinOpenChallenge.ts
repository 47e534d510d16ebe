import { isAddressEqual, type Address } from "viem";
import { ensureAllowance } from "../chain/actions/ensureAllowance";
import { getChallengeBond } from "../chain/actions/getChallengeBond";
import { getJoinBond } from "../chain/actions/getJoinBond";
import { getCommittee } from "../chain/actions/getCommittee";
import { joinChallenge } from "../chain/actions/joinChallenge";
import { sendContractCall } from "../chain/sendContractCall";
import type { VerifierContext } from "./context";

/**
 * Joins, with this verifier's own bond, a drawn dispute on a receipt it found wrong that someone else opened (perhaps
 * the node's accomplice naming the node as beneficiary): the verifier then gets its share of the challengers' pot
 * instead of nothing. Joins are open only while the committee commits; nothing happens when this verifier's
 * beneficiary already has a bond in the dispute, or when it sits on the committee (it votes instead). Returns whether
 * it joined.
 */
export async function joinOpenChallenge(context: VerifierContext, id: bigint): Promise<boolean> {
  const { publicClient } = context.clients;
  const address = context.addresses.disputeManager;
  const beneficiary = context.beneficiary as Address;
  if ((await getChallengeBond(publicClient, { address, id, beneficiary })) > 0n) return false;
  const account = context.clients.walletClient!.account.address;
  const committee = await getCommittee(publicClient, { address, id });
  if (committee.some((member) => isAddressEqual(member, account) || isAddressEqual(member, beneficiary))) return false;
  // The contract says what a join costs (a router dispute opened without a bond still costs a joiner its bond).
  const bond = await getJoinBond(publicClient, { address, id });
  await ensureAllowance(context.clients, { token: context.addresses.token, spender: address, amount: bond });
  await sendContractCall(context.clients, joinChallenge({ address, id, beneficiary, maxBond: bond }));
  context.logger.info({ disputeId: id.toString(), bond: bond.toString() }, "joined another challenger's dispute");
  return true;
}
