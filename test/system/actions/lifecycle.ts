import { DisputeState } from "../world";
import type { World } from "../world";
import { commitDispute, drawDispute, revealDispute } from "./disputes";
import { expireDispute, settleWhenDue } from "./settlement";

/**
 * One step of an open dispute's life, whichever it needs next: draw, commit, reveal, then resolve or arbitrate, or let
 * it run out of time. Random sequences of the single-step actions rarely line a dispute's steps up; this one does, so
 * that judgments, payouts and claims happen in short runs. `mask` picks the members who act; `ending` how a dispute
 * that missed its quorum ends (0: arbitrated, 1: expires unattended).
 */
export async function progress(w: World, disputeIndex: number, mask: number, steer: number, ending: number) {
  const open = w.m.disputes.filter((d) => d.open);
  const d = w.pick(open, disputeIndex);
  if (!d) return;
  const state = Number(await w.s.disputes.state(d.id));
  if (state === DisputeState.Drawing) await drawDispute(w, d, steer);
  else if (state === DisputeState.Committing && d.salts.size === 0) await commitDispute(w, d, mask);
  else if (state === DisputeState.Committing || (state === DisputeState.Revealing && d.revealed.size < d.salts.size)) {
    await revealDispute(w, d, mask);
  } else if (state === DisputeState.Arbitration && ending === 1) await expireDispute(w, d);
  else await settleWhenDue(w, d, state === DisputeState.Arbitration);
}

/** Every step of one open dispute until it is settled (at most a few steps: members absent by `mask` may stall it). */
export async function judge(w: World, disputeIndex: number, mask: number, ending: number) {
  const d = w.pick(
    w.m.disputes.filter((x) => x.open),
    disputeIndex,
  );
  if (!d) return;
  for (let step = 0; step < 6 && d.open; step++) {
    await progress(w, w.m.disputes.filter((x) => x.open).indexOf(d), step === 0 ? mask : 7, 0, ending);
  }
}
