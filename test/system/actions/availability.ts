import { eventsOf, reverted, send } from "../chain";
import { TOKEN } from "../system";
import type { NodeActor } from "../system";
import { BPS, fmt } from "../world";
import type { World } from "../world";

/** Data availability: demands on batches, answers, and slashes of unanswered demands. */

/** `IDataAvailabilityManager.DemandState`. */
const DemandState = { Open: 1, Expired: 2 };

/**
 * A demand on a batch: an honest user on any batch, the accomplice on the lying node's (to lock its stake). The amount
 * it locks is fixed now from the node's slashable stake (rounded up), whatever other judgments locked.
 */
export async function demand(w: World, userIndex: number, batchIndex: number, bondTokens: number) {
  const user = w.user(userIndex);
  const batches = user.accomplice ? w.m.batches.filter((b) => !b.node.honest) : w.m.batches;
  const batch = w.pick(batches, batchIndex);
  if (!batch) return;
  const bond = BigInt(bondTokens) * TOKEN;
  const [slashable, slashBps] = await Promise.all([
    w.s.staking.slashableStakeOf(batch.node.address),
    w.s.availability.slashBps(),
  ]);
  const result = await send("demand", () => w.s.availability.connect(user.account).demand(batch.id, bond), [
    "DataAvailabilityWindowClosed",
    "DataAvailabilityTooManyDemands",
    "DataAvailabilityBondTooLow",
  ]);
  if (reverted(result)) {
    w.note(`${user.name} demands on ${batch.node.name}'s batch: reverted ${result.reverted}`);
    return;
  }
  const id = BigInt(eventsOf(result, w.s.availability, "DataDemanded")[0]!.args.id);
  const stored = await w.s.availability.getDemand(id);
  const expected = (slashable * BigInt(slashBps) + BPS - 1n) / BPS;
  if (stored.locked !== expected || stored.slashAmount !== expected) {
    w.fail(
      "a demand's amount at risk is fixed from the slashable stake, whatever is locked",
      `demand #${id} locks ${fmt(stored.locked)} and would slash ${fmt(stored.slashAmount)}, model ${fmt(expected)}`,
    );
  }
  w.m.demands.push({ id, node: batch.node, batch, demander: user.address, bond, locked: expected, open: true });
  w.note(`${user.name} demands #${id} on ${batch.node.name}'s batch`);
  // An honest node publishes at once.
  if (batch.node.honest) await answer(w, id);
}

async function answer(w: World, id: bigint) {
  const d = w.m.demands.find((x) => x.id === id && x.open);
  if (!d) return;
  if (Number(await w.s.availability.state(d.id)) !== DemandState.Open) return;
  const leaf = d.batch.receipts.find((r) => !d.batch.revealed.has(r.hash));
  if (!leaf) w.fail("model", `demand #${d.id} has no unrevealed leaf left`);
  await send(`answer demand #${d.id}`, () => w.s.availability.answer(d.id, leaf.receipt, leaf.proof));
  d.batch.revealed.add(leaf.hash);
  d.open = false;
  w.count("demand answered");
  w.note(`  ${d.node.name} answers demand #${d.id}`);
}

/** An open demand in `state`. */
async function demandIn(w: World, index: number, state: number, filter: (node: NodeActor) => boolean = () => true) {
  const open = w.m.demands.filter((x) => x.open && filter(x.node));
  const current = await Promise.all(open.map((x) => w.s.availability.state(x.id)));
  return w.pick(
    open.filter((_, i) => Number(current[i]) === state),
    index,
  );
}

export async function answerLiar(w: World, index: number) {
  const d = await demandIn(w, index, DemandState.Open, (node) => !node.honest);
  if (d) await answer(w, d.id);
}

/** Slashes an unanswered demand: the node loses min(what the demand fixed, what it has left). */
export async function slashUnanswered(w: World, index: number) {
  const d = await demandIn(w, index, DemandState.Expired);
  if (!d) return;
  const before = await w.s.staking.slashableStakeOf(d.node.address);
  await send("slashUnanswered", () => w.s.availability.slashUnanswered(d.id));
  d.open = false;
  w.count("demand slashed");
  const lost = before - (await w.s.staking.slashableStakeOf(d.node.address));
  w.note(`demand #${d.id} on ${d.node.name} slashed unanswered: lost ${fmt(lost)}`);
  const expected = before < d.locked ? before : d.locked;
  if (lost !== expected) {
    w.fail(
      "an unanswered demand slashes min(its amount, what remains)",
      `demand #${d.id}: ${d.node.name} lost ${fmt(lost)}, expected ${fmt(expected)}`,
    );
  }
}
