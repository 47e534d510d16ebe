import fc from "fast-check";
import { CollectedViolation } from "./world";
import type { World } from "./world";

/** The model is the world itself (it holds the chain handle and the bookkeeping); `check` only orders commands. */
export type Real = { world: World };

/** One random action of an actor, followed by a check of every invariant. */
class Act implements fc.AsyncCommand<object, Real> {
  constructor(
    readonly label: string,
    readonly act: (world: World) => Promise<void>,
  ) {}

  check(): boolean {
    return true;
  }

  async run(_model: object, real: Real): Promise<void> {
    const t0 = Date.now();
    try {
      await this.act(real.world);
    } catch (error) {
      if (!(error instanceof CollectedViolation)) throw error;
    }
    const t1 = Date.now();
    try {
      await real.world.checkInvariants();
    } catch (error) {
      if (!(error instanceof CollectedViolation)) throw error;
    }
    if (process.env.VERITY_FUZZ_VERBOSE)
      real.world.note(`    [${this.label}: ${t1 - t0} ms + check ${Date.now() - t1} ms]`);
  }

  toString(): string {
    return this.label;
  }
}

const index = fc.nat({ max: 1_000 });
/** Which committee members act (bit i: member i): mostly all of them, sometimes some are absent. */
const members = fc.constantFrom(7, 7, 7, 7, 3, 5, 6, 1, 2, 4);
const pct = fc.constantFrom(10, 25, 50, 80, 90, 100);

/** Every action, weighted so that the lying node, its accomplice and the dispute machinery get most of the turns. */
const actions: fc.Arbitrary<fc.AsyncCommand<object, Real>>[] = [
  // staking
  fc
    .tuple(index, fc.constantFrom(1n, 10n ** 18n, 50n * 10n ** 18n, 300n * 10n ** 18n))
    .map(([i, amount]) => new Act(`stake(${i}, ${amount})`, (w) => w.stake(i, amount, false, 0))),
  fc
    .tuple(index, index, fc.constantFrom(1n, 10n ** 18n, 100n * 10n ** 18n))
    .map(([i, u, amount]) => new Act(`stakeFor(${i}, user ${u}, ${amount})`, (w) => w.stake(i, amount, true, u))),
  fc.tuple(index, pct).map(([i, p]) => new Act(`requestUnstake(${i}, ${p}%)`, (w) => w.requestUnstake(i, p))),
  index.map((i) => new Act(`withdraw(${i})`, (w) => w.withdraw(i))),
  // attestation
  fc
    .tuple(index, fc.boolean())
    .map(([i, wrong]) => new Act(`receipt(${i}, wrong=${wrong})`, (w) => w.submitReceipt(i, wrong))),
  fc
    .tuple(index, fc.integer({ min: 1, max: 4 }), fc.nat({ max: 15 }), fc.boolean())
    .map(
      ([i, n, mask, squat]) =>
        new Act(`batch(${i}, ${n}, mask ${mask}, squat=${squat})`, (w) => w.submitBatch(i, n, mask, squat)),
    ),
  // the lying node's own receipts, more often
  fc.boolean().map((wrong) => new Act(`liarReceipt(wrong=${wrong})`, (w) => w.submitReceipt(2, wrong))),
  // disputes
  fc.tuple(index, index).map(([u, r]) => new Act(`challenge(user ${u}, receipt ${r})`, (w) => w.challenge(u, r))),
  index.map((r) => new Act(`accompliceChallenge(${r})`, (w) => w.challenge(0, r))),
  index.map((d) => new Act(`draw(${d})`, (w) => w.draw(d))),
  fc.tuple(index, members).map(([d, m]) => new Act(`commit(${d}, members ${m})`, (w) => w.commit(d, m))),
  fc.tuple(index, members).map(([d, m]) => new Act(`reveal(${d}, members ${m})`, (w) => w.reveal(d, m))),
  index.map((d) => new Act(`resolve(${d})`, (w) => w.settle(d, false))),
  index.map((d) => new Act(`arbitrate(${d})`, (w) => w.settle(d, true))),
  index.map((i) => new Act(`claim(${i})`, (w) => w.claim(i))),
  // data availability
  fc
    .tuple(index, index, fc.integer({ min: 1, max: 3 }))
    .map(([u, b, bond]) => new Act(`demand(user ${u}, batch ${b}, ${bond})`, (w) => w.demand(u, b, bond))),
  index.map((d) => new Act(`liarAnswers(${d})`, (w) => w.answerLiar(d))),
  index.map((d) => new Act(`slashUnanswered(${d})`, (w) => w.slashUnanswered(d))),
  // equivocation
  fc.boolean().map((one) => new Act(`equivocate(attest=${one})`, (w) => w.equivocate(one))),
  fc
    .tuple(index, index)
    .map(([e, u]) => new Act(`proveEquivocation(${e}, user ${u})`, (w) => w.proveEquivocation(e, u))),
  fc.constant(new Act("rotateLiarKey", (w) => w.rotateLiarKey())),
  // router
  fc
    .record({
      user: index,
      redundancy: fc.integer({ min: 1, max: 3 }),
      available: fc.boolean(),
      fee: fc.integer({ min: 1, max: 20 }),
      minutes: fc.integer({ min: 2, max: 90 }),
      liarFirst: fc.boolean(),
      liarWrong: fc.boolean(),
    })
    .map(
      (r) =>
        new Act(`request(${JSON.stringify(r)})`, (w) =>
          w.request(r.user, r.redundancy, r.available, r.fee, r.minutes, r.liarFirst, r.liarWrong),
        ),
    ),
  fc
    .tuple(index, fc.boolean())
    .map(([r, wrong]) => new Act(`liarFulfils(${r}, wrong=${wrong})`, (w) => w.liarFulfils(r, wrong))),
  index.map((r) => new Act(`reassign(${r})`, (w) => w.reassign(r))),
  index.map((r) => new Act(`settleOrRefund(${r})`, (w) => w.settleRequest(r))),
  // governance
  fc
    .tuple(fc.nat({ max: 13 }), fc.nat({ max: 1 << 20 }))
    .map(([k, v]) => new Act(`setParameter(${k}, ${v})`, (w) => w.setParameter(k, v))),
  // time
  fc
    .tuple(
      fc.constantFrom(60, 600, 1_800, 3_600, 3_600, 3_600, 7_200, 86_400, 8 * 86_400),
      fc.constantFrom(0, 1, 1, 1, 300),
    )
    .map(([seconds, blocks]) => new Act(`advance(${seconds}s, ${blocks} blocks)`, (w) => w.advance(seconds, blocks))),
];

/** How often each action (in the order above) comes up. */
const WEIGHTS = [2, 2, 2, 2, 3, 4, 4, 6, 3, 14, 10, 10, 6, 6, 2, 4, 2, 2, 2, 2, 1, 4, 4, 2, 3, 3, 6];

export const commandArbitraries: fc.Arbitrary<fc.AsyncCommand<object, Real>>[] = [
  fc.oneof(...actions.map((arbitrary, i) => ({ arbitrary, weight: WEIGHTS[i]! }))),
];
