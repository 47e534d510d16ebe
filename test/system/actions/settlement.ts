import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { eventsOf, reverted, send } from "../chain";
import type { TrackedDispute } from "../model";
import { BPS, DisputeState, Outcome, ReceiptState, fmt } from "../world";
import type { World } from "../world";

/** Disputes after the vote: resolve, arbitrate, expire, and the challengers' shares of the pot. */

/** The model's share of the challengers' pot for `beneficiary`: pro rata to bond, the last one takes the rest. */
function creditShare(d: TrackedDispute, beneficiary: string): bigint {
  const key = beneficiary.toLowerCase();
  const bond = d.bonds.get(key) ?? 0n;
  if (bond === 0n) return 0n;
  const total = [...d.bonds.values()].reduce((a, b) => a + b, 0n);
  const share = bond === total ? d.pot : (d.pot * bond) / total;
  d.bonds.delete(key);
  d.pot -= share;
  return share;
}

/**
 * Resolves (anyone) or arbitrates (the arbitrator, who judges by the truth), then checks what the node lost. A
 * dispute still in its reveal period is waited for.
 */
export async function settle(w: World, disputeIndex: number, arbitrate: boolean) {
  const states = arbitrate ? [DisputeState.Arbitration] : [DisputeState.Resolvable, DisputeState.Expired];
  const d = await w.disputeIn(disputeIndex, DisputeState.Revealing, ...states);
  if (d) await settleWhenDue(w, d, arbitrate);
}

export async function settleWhenDue(w: World, d: TrackedDispute, arbitrate: boolean) {
  const states = arbitrate ? [DisputeState.Arbitration] : [DisputeState.Resolvable, DisputeState.Expired];
  await w.waitUntil((await w.s.disputes.getDispute(d.id)).revealEnd);
  if (states.includes(Number(await w.s.disputes.state(d.id)))) await settleDispute(w, d, arbitrate);
}

/** Lets an undecided dispute (no committee, or no quorum) run out of time unattended, then resolves it as expired. */
export async function expire(w: World, disputeIndex: number) {
  const d = await w.disputeIn(disputeIndex, DisputeState.Drawing, DisputeState.Arbitration);
  if (d) await expireDispute(w, d);
}

export async function expireDispute(w: World, d: TrackedDispute) {
  const stored = await w.s.disputes.getDispute(d.id);
  const p = stored.params;
  const end =
    stored.commitEnd === 0n
      ? stored.challengedAt + p.commitPeriod + p.arbitrationPeriod
      : stored.revealEnd + p.arbitrationPeriod;
  if (BigInt(await time.latest()) < end) await time.increaseTo(end);
  const state = Number(await w.s.disputes.state(d.id));
  w.note(`#${d.id} runs out of time undecided`);
  if (state !== DisputeState.Expired) {
    w.fail("an undecided dispute expires", `#${d.id} is in state ${state} past its arbitration period`);
  }
  await settleDispute(w, d, false);
}

async function settleDispute(w: World, d: TrackedDispute, arbitrate: boolean) {
  const slashableBefore = await w.s.staking.slashableStakeOf(d.node.address);
  // The arbitration period may end in the very second the arbitrator's transaction is mined: then it is too late.
  const result = await send(
    arbitrate ? "arbitrate" : "resolve",
    () =>
      arbitrate ? w.s.disputes.connect(w.s.arbitrator).arbitrate(d.id, !d.receipt.correct) : w.s.disputes.resolve(d.id),
    arbitrate ? ["DisputeUnexpectedState"] : [],
  );
  if (reverted(result)) {
    const state = Number(await w.s.disputes.state(d.id));
    if (state !== DisputeState.Expired) w.fail("the arbitrator decides in time", `#${d.id} refused in state ${state}`);
    return w.note(`arbitrate #${d.id}: too late, expired`);
  }
  d.open = false;
  const stored = await w.s.disputes.getDispute(d.id);
  const outcome = Outcome[Number(stored.outcome)] as NonNullable<TrackedDispute["outcome"]>;
  d.outcome = outcome;
  w.count(`dispute ${outcome}`);
  const lost = slashableBefore - (await w.s.staking.slashableStakeOf(d.node.address));
  w.note(`${arbitrate ? "arbitrate" : "resolve"} #${d.id}: ${outcome}, ${d.node.name} lost ${fmt(lost)}`);
  const resolved = eventsOf(result, w.s.disputes, "DisputeResolved")[0]!.args;
  const bonds = [...d.bonds.values()].reduce((a, b) => a + b, 0n);
  if (outcome === "NodeWrong") {
    const expected = slashableBefore < d.atRisk ? slashableBefore : d.atRisk;
    if (lost !== expected) {
      w.fail(
        "a node judged wrong loses min(amount at risk fixed at challenge, what remains)",
        `#${d.id}: ${d.node.name} lost ${fmt(lost)}; at risk ${fmt(d.atRisk)}, it had ${fmt(slashableBefore)}`,
      );
    }
    const reward = BigInt(resolved.challengerReward);
    if (reward * BPS > lost * 5_000n) {
      w.fail("the challengers' reward is at most half the slash", `#${d.id}: ${fmt(reward)} of ${fmt(lost)}`);
    }
    d.receipt.rejected = true;
    d.pot = bonds + reward;
  } else if (lost !== 0n) {
    w.fail(
      "only a judgment of wrong slashes the node",
      `#${d.id} ended ${outcome} and ${d.node.name} lost ${fmt(lost)}`,
    );
  } else if (outcome === "NodeRight") {
    d.bonds.clear();
    d.pot = 0n;
  } else {
    d.pot = bonds;
  }
  // A dispute nobody bonded (the router's) credits its pot to its beneficiary at once; otherwise the opening
  // beneficiary's share is credited now and the others' with creditChallenger.
  if (bonds === 0n) d.pot = 0n;
  else creditShare(d, d.beneficiary);
  const receiptState = Number(await w.s.attestation.receiptState(d.receipt.hash));
  if (outcome === "Expired") await checkExpired(w, d, receiptState, result.blockNumber);
}

/** An expired dispute upholds nothing: the receipt is challengeable again, and the node's stake held until then. */
async function checkExpired(w: World, d: TrackedDispute, receiptState: number, block: number) {
  if (receiptState !== ReceiptState.None) {
    w.fail(
      "an undecided dispute never upholds a receipt",
      `#${d.id} expired and ${d.node.name}'s ${d.receipt.correct ? "correct" : "wrong"} receipt is in state ${receiptState}`,
    );
  }
  const now = (await ethers.provider.getBlock(block))!.timestamp;
  const { windowEnd } = await w.s.attestation.getReceiptDispute(d.receipt.hash);
  if (Number(windowEnd) <= now) {
    w.fail("an expired dispute's receipt is challengeable again", `#${d.id}: window ended ${windowEnd}, now ${now}`);
  }
  const until = await w.s.staking.slashableUntil(d.node.address);
  if (until < windowEnd) {
    w.fail(
      "the node's stake stays until the extended window closes",
      `#${d.id}: ${d.node.name}'s withdrawals are held until ${until}, the window ends ${windowEnd}`,
    );
  }
}

/** Anyone credits a challenger's share of a settled dispute; a dispute the node won has nothing to share. */
export async function creditChallenger(w: World, disputeIndex: number, userIndex: number) {
  const settled = w.m.disputes.filter((d) => !d.open && (d.bonds.size > 0 || d.outcome === "NodeRight"));
  const d = w.pick(settled, disputeIndex);
  if (!d) return;
  const beneficiary = d.outcome === "NodeRight" ? w.user(userIndex).address : w.pick([...d.bonds.keys()], userIndex)!;
  const caller = w.user(userIndex + 1);
  const result = await send(
    "creditChallenger",
    () => w.s.disputes.connect(caller.account).creditChallenger(d.id, beneficiary),
    ["DisputeNoChallengerShare"],
  );
  if (reverted(result)) {
    w.note(`creditChallenger #${d.id} for ${w.nameOf(beneficiary)}: ${result.reverted}`);
    if (d.outcome !== "NodeRight") {
      w.fail("every joined challenger is paid its share", `#${d.id} refused ${w.nameOf(beneficiary)}'s share`);
    }
    return;
  }
  if (d.outcome === "NodeRight") {
    w.fail("a challenger of a right receipt forfeits its bond", `#${d.id} credited ${w.nameOf(beneficiary)}`);
  }
  const credited = eventsOf(result, w.s.disputes, "RewardCredited").reduce((a, e) => a + BigInt(e.args.amount), 0n);
  const expected = creditShare(d, beneficiary);
  w.count("challenger credited");
  w.note(`creditChallenger #${d.id}: ${w.nameOf(beneficiary)} gets ${fmt(credited)}`);
  if (credited !== expected) {
    w.fail("challengers share the pot pro rata to bond", `#${d.id}: ${fmt(credited)} credited, model ${fmt(expected)}`);
  }
}
