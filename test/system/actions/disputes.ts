import { ethers } from "hardhat";
import { mine } from "@nomicfoundation/hardhat-network-helpers";
import { eventsOf, reverted, send } from "../chain";
import { expectedCommittee } from "../committee";
import type { TrackedDispute } from "../model";
import { TOKEN, lie, truth } from "../system";
import type { UserActor } from "../system";
import { DisputeState, Verdict, fmt } from "../world";
import type { World } from "../world";

/** Disputes up to the vote: challenge, join a challenge, draw the committee, commit, reveal. */

const COMMITTEE_RULE = "a dispute's committee depends only on its seed and the weights at its challenge block";

/**
 * A challenge: an honest user challenges only wrong receipts, claiming the true output; the accomplice challenges any
 * of the lying node's receipts (to lock its stake, or to be first) claiming a lie. A receipt whose dispute is open is
 * joined instead: an honest challenger is never shut out by a first one.
 */
export async function challenge(w: World, userIndex: number, receiptIndex: number) {
  const user = w.user(userIndex);
  const candidates = user.accomplice
    ? w.m.receipts.filter((r) => !r.node.honest)
    : w.m.receipts.filter((r) => !r.correct);
  const target = w.pick(candidates, receiptIndex);
  if (!target) return;
  const claimed = user.accomplice ? lie(target.receipt.inputHash, 1) : truth(target.receipt.inputHash);
  if (claimed === target.receipt.outputHash) return;
  const open = w.m.disputes.find((d) => d.open && d.receipt.hash === target.hash);
  w.note(
    `${user.name} challenges ${target.node.name}'s ${target.correct ? "correct" : "wrong"} receipt${open ? ` (under #${open.id})` : ""}`,
  );
  if (open) return join(w, user, open);
  const before = await w.before();
  const result = await send(
    "challenge",
    () =>
      w.s.disputes
        .connect(user.account)
        .challenge(target.receipt, target.batchId, target.proof, claimed, user.address, ethers.MaxUint256),
    ["AttestationWindowClosed", "AttestationUnexpectedReceiptState"],
  );
  if (reverted(result)) {
    w.note(`  reverted ${result.reverted}`);
    const judged = w.m.disputes.some((d) => d.receipt.hash === target.hash && d.outcome && d.outcome !== "Expired");
    if (result.reverted === "AttestationUnexpectedReceiptState" && !judged) {
      w.fail(
        "an undecided dispute never upholds a receipt",
        `${user.name}'s challenge of a receipt never judged was refused (${result.reverted})`,
      );
    }
    return;
  }
  await w.recordDisputes(result, before);
}

/**
 * `user` joins the open dispute `d` with its own bond, for itself: open only while the drawn committee commits (before
 * the draw, a joiner could sit on its own jury).
 */
export async function join(w: World, user: UserActor, d: TrackedDispute) {
  const state = Number(await w.s.disputes.state(d.id));
  const result = await send(
    "joinChallenge",
    () => w.s.disputes.connect(user.account).joinChallenge(d.id, user.address, ethers.MaxUint256),
    ["DisputeUnexpectedState"],
  );
  if (reverted(result)) {
    w.note(`  ${user.name} can't join #${d.id}: ${result.reverted}`);
    if (state === DisputeState.Committing) {
      w.fail("a later challenger joins a drawn dispute", `${user.name} was refused joining #${d.id} in state ${state}`);
    }
    return;
  }
  if (state === DisputeState.Drawing) w.fail("no join before the draw", `${user.name} joined #${d.id} before its draw`);
  const bond = BigInt(eventsOf(result, w.s.disputes, "ChallengeJoined")[0]!.args.bond);
  if (bond !== d.bond)
    w.fail("a joined challenge posts the dispute's bond", `#${d.id}: ${fmt(bond)} != ${fmt(d.bond)}`);
  const key = user.address.toLowerCase();
  d.bonds.set(key, (d.bonds.get(key) ?? 0n) + bond);
  w.count("challenge joined");
  w.note(`  ${user.name} joins #${d.id} with ${fmt(bond)}`);
}

/** Any user joins an open dispute it believes in (an honest one only against a wrong receipt). */
export async function joinChallenge(w: World, userIndex: number, disputeIndex: number) {
  const user = w.user(userIndex);
  const d = await w.disputeIn(disputeIndex, DisputeState.Drawing, DisputeState.Committing);
  if (!d || (user.accomplice ? d.node.honest : d.receipt.correct)) return;
  w.note(`${user.name} joins the challenge #${d.id} of ${d.node.name}'s receipt`);
  await join(w, user, d);
}

/**
 * Draws a committee and checks it against the model's sortition over the challenge block's weights. With `steer` a
 * verifier first moves stake (after the challenge block, once the seed block may be known): nothing may change.
 */
export async function draw(w: World, disputeIndex: number, steer: number) {
  const d = await w.disputeIn(disputeIndex, DisputeState.Drawing);
  if (d) await drawDispute(w, d, steer);
}

export async function drawDispute(w: World, d: TrackedDispute, steer: number) {
  // The seed block must be mined first: the keeper waits for it.
  const { drawBlock } = await w.s.disputes.getDispute(d.id);
  const height = await ethers.provider.getBlockNumber();
  if (height <= Number(drawBlock)) await mine(Number(drawBlock) - height + 1);
  if (steer > 0) {
    const verifier = w.s.verifiers[steer % w.s.verifiers.length]!;
    const amount = BigInt(steer) * 37n * TOKEN;
    const moved = await send("steer", () => w.s.staking.connect(verifier.account).stake(amount), [
      "ERC20InsufficientBalance",
    ]);
    if (!reverted(moved)) w.m.add(w.m.staked, verifier.address, amount);
    w.note(`  ${verifier.name} stakes ${fmt(amount)} after the seed block of #${d.id}`);
  }
  const result = await send("drawCommittee", () => w.s.disputes.drawCommittee(d.id), [
    "DisputeDrawTooEarly",
    "DisputeCommitteeUnavailable",
  ]);
  const stored = await w.s.disputes.getDispute(d.id);
  const entropy = (await ethers.provider.getBlock(Number(stored.drawBlock)))?.hash;
  const size = Number(stored.params.committeeSize);
  const excluded = new Set(
    [d.node.address, ...d.node.keys.map((k) => k.address), d.challenger, d.beneficiary].map((a) => a.toLowerCase()),
  );
  const verifiers = w.s.verifiers.map((v) => v.address);
  if (reverted(result)) {
    w.note(`draw #${d.id}: reverted ${result.reverted}`);
    if (result.reverted === "DisputeCommitteeUnavailable" && entropy) {
      const expected = expectedCommittee(entropy, d.id, verifiers, d.weights, size, excluded);
      if (expected)
        w.fail(COMMITTEE_RULE, `#${d.id} found no committee; the model's draw gives ${expected.join(", ")}`);
    }
    return;
  }
  if (eventsOf(result, w.s.disputes, "CommitteeDrawn").length === 0) {
    w.note(`draw #${d.id}: rescheduled`);
    return;
  }
  const committee = [...(await w.s.disputes.committeeOf(d.id))].map(String);
  d.committee = committee;
  w.count(steer > 0 ? "committee drawn after a stake move" : "committee drawn");
  w.note(`draw #${d.id}: ${committee.map((c) => w.nameOf(c)).join(", ")}`);
  const expected = expectedCommittee(entropy!, d.id, verifiers, d.weights, size, excluded);
  if (!expected || expected.join() !== committee.join()) {
    w.fail(
      COMMITTEE_RULE,
      `#${d.id} drew [${committee.map((c) => w.nameOf(c)).join(", ")}] but the weights at its challenge block ` +
        `(${d.weights.map(fmt).join(", ")}) give [${expected?.map((c) => w.nameOf(c)).join(", ") ?? "no committee"}]`,
    );
  }
  for (const member of committee) {
    const weight = (await w.s.disputes.getVote(d.id, member)).weight;
    const atChallenge = d.weights[verifiers.indexOf(member)]!;
    if (weight !== atChallenge) {
      w.fail(
        COMMITTEE_RULE,
        `#${d.id}: ${w.nameOf(member)} votes with ${fmt(weight)}, its weight at the challenge block was ${fmt(atChallenge)}`,
      );
    }
  }
}

function verdictOf(d: TrackedDispute) {
  return d.receipt.correct ? Verdict.NodeRight : Verdict.NodeWrong;
}

/**
 * The committee members picked by `mask` (bit i: the i-th member) commit their honest verdict: each replays the model
 * and finds the true output. Members left out are absent (they lose a little stake for it).
 */
export async function commit(w: World, disputeIndex: number, mask: number) {
  const d = await w.disputeIn(disputeIndex, DisputeState.Committing);
  if (d) await commitDispute(w, d, mask);
}

export async function commitDispute(w: World, d: TrackedDispute, mask: number) {
  for (const [i, address] of (d.committee ?? []).entries()) {
    const voter = w.s.verifiers.find((v) => v.address === address);
    if (!voter || ((mask >> i) & 1) === 0 || d.salts.has(address)) continue;
    const salt = w.m.fresh("salt");
    const outputHash = truth(d.receipt.receipt.inputHash);
    const commitment = await w.s.disputes.commitmentOf(d.id, address, verdictOf(d), outputHash, salt);
    // A phase may end in the very second the transaction is mined: then it is too late, and not a violation.
    const result = await send("commit", () => w.s.disputes.connect(voter.account).commit(d.id, commitment), [
      "DisputeUnexpectedState",
    ]);
    if (reverted(result)) return w.note(`${voter.name} commits on #${d.id}: too late`);
    d.salts.set(address, salt);
    w.note(`${voter.name} commits on #${d.id}`);
  }
}

/** The members picked by `mask` who committed reveal (once the commit period is over: they wait for it). */
export async function reveal(w: World, disputeIndex: number, mask: number) {
  const d = await w.disputeIn(disputeIndex, DisputeState.Committing, DisputeState.Revealing);
  if (d) await revealDispute(w, d, mask);
}

export async function revealDispute(w: World, d: TrackedDispute, mask: number) {
  if (d.salts.size === 0) return;
  await w.waitUntil((await w.s.disputes.getDispute(d.id)).commitEnd);
  for (const [i, address] of (d.committee ?? []).entries()) {
    const voter = w.s.verifiers.find((v) => v.address === address);
    const salt = d.salts.get(address);
    if (!voter || !salt || ((mask >> i) & 1) === 0 || d.revealed.has(address)) continue;
    const outputHash = truth(d.receipt.receipt.inputHash);
    const result = await send(
      "reveal",
      () => w.s.disputes.connect(voter.account).reveal(d.id, verdictOf(d), outputHash, salt),
      ["DisputeUnexpectedState"],
    );
    if (reverted(result)) return w.note(`${voter.name} reveals on #${d.id}: too late`);
    d.revealed.add(address);
    w.note(`${voter.name} reveals on #${d.id}`);
  }
}
