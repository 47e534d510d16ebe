import fc from "fast-check";
import * as attestation from "./actions/attestation";
import * as availability from "./actions/availability";
import * as claims from "./actions/claims";
import * as disputes from "./actions/disputes";
import * as equivocation from "./actions/equivocation";
import * as governance from "./actions/governance";
import * as lifecycle from "./actions/lifecycle";
import * as router from "./actions/router";
import * as settlement from "./actions/settlement";
import * as staking from "./actions/staking";
import { checkInvariants } from "./invariants";
import type { InputMode } from "./model";
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
      await checkInvariants(real.world);
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

const act = (label: string, run: (w: World) => Promise<void>) => new Act(label, run);
const index = fc.nat({ max: 1_000 });
/** Which committee members act (bit i: member i): mostly all of them, sometimes some are absent. */
const members = fc.constantFrom(7, 7, 7, 7, 3, 5, 6, 1, 2, 4);
const pct = fc.constantFrom(10, 25, 50, 80, 90, 100);
const TOKEN = 10n ** 18n;

/** Each action with how often it comes up: the lying node, its accomplice and the dispute machinery get most turns. */
const actions: [number, fc.Arbitrary<Act>][] = [
  // staking
  [
    2,
    fc
      .tuple(index, fc.constantFrom(1n, TOKEN, 50n * TOKEN, 300n * TOKEN))
      .map(([i, amount]) => act(`stake(${i}, ${amount})`, (w) => staking.stake(w, i, amount, false, 0))),
  ],
  [
    2,
    fc
      .tuple(index, index, fc.constantFrom(1n, TOKEN, 100n * TOKEN))
      .map(([i, u, amount]) => act(`stakeFor(${i}, ${u}, ${amount})`, (w) => staking.stake(w, i, amount, true, u))),
  ],
  [2, fc.tuple(index, pct).map(([i, p]) => act(`requestUnstake(${i}, ${p}%)`, (w) => staking.requestUnstake(w, i, p)))],
  [1, index.map((i) => act(`requestUnstakeAll(${i})`, (w) => staking.requestUnstakeAll(w, i)))],
  [3, index.map((i) => act(`withdraw(${i})`, (w) => staking.withdraw(w, i)))],
  // attestation
  [
    3,
    fc
      .tuple(index, fc.boolean())
      .map(([i, wrong]) => act(`receipt(${i}, wrong=${wrong})`, (w) => attestation.submitReceipt(w, i, wrong))),
  ],
  [
    3,
    fc
      .tuple(index, fc.integer({ min: 1, max: 4 }), fc.nat({ max: 15 }), fc.boolean())
      .map(([i, n, mask, squat]) =>
        act(`batch(${i}, ${n}, mask ${mask}, squat=${squat})`, (w) => attestation.submitBatch(w, i, n, mask, squat)),
      ),
  ],
  [4, fc.boolean().map((wrong) => act(`liarReceipt(wrong=${wrong})`, (w) => attestation.submitReceipt(w, 2, wrong)))],
  // disputes
  [8, fc.tuple(index, index).map(([u, r]) => act(`challenge(${u}, ${r})`, (w) => disputes.challenge(w, u, r)))],
  [3, index.map((r) => act(`accompliceChallenge(${r})`, (w) => disputes.challenge(w, 0, r)))],
  [3, fc.tuple(index, index).map(([u, d]) => act(`joinChallenge(${u}, ${d})`, (w) => disputes.joinChallenge(w, u, d)))],
  [
    16,
    fc
      .tuple(index, members, fc.constantFrom(0, 0, 1, 2, 3, 4), fc.constantFrom(0, 0, 1))
      .map(([d, m, steer, ending]) =>
        act(`progress(${d}, ${m}, steer ${steer}, ending ${ending})`, (w) =>
          lifecycle.progress(w, d, m, steer, ending),
        ),
      ),
  ],
  [
    5,
    fc
      .tuple(index, members, fc.constantFrom(0, 0, 1))
      .map(([d, m, ending]) => act(`judge(${d}, ${m}, ending ${ending})`, (w) => lifecycle.judge(w, d, m, ending))),
  ],
  [
    4,
    fc
      .tuple(index, fc.constantFrom(0, 0, 1, 2, 3, 4))
      .map(([d, steer]) => act(`draw(${d}, steer ${steer})`, (w) => disputes.draw(w, d, steer))),
  ],
  [3, fc.tuple(index, members).map(([d, m]) => act(`commit(${d}, ${m})`, (w) => disputes.commit(w, d, m)))],
  [3, fc.tuple(index, members).map(([d, m]) => act(`reveal(${d}, ${m})`, (w) => disputes.reveal(w, d, m)))],
  [6, index.map((d) => act(`resolve(${d})`, (w) => settlement.settle(w, d, false)))],
  [4, index.map((d) => act(`arbitrate(${d})`, (w) => settlement.settle(w, d, true)))],
  [2, index.map((d) => act(`expire(${d})`, (w) => settlement.expire(w, d)))],
  [
    3,
    fc
      .tuple(index, index)
      .map(([d, u]) => act(`creditChallenger(${d}, ${u})`, (w) => settlement.creditChallenger(w, d, u))),
  ],
  [
    3,
    fc
      .tuple(index, fc.nat({ max: 2 }))
      .map(([i, source]) => act(`claim(${i}, source ${source})`, (w) => claims.claim(w, i, source))),
  ],
  // data availability
  [
    3,
    fc
      .tuple(index, index, fc.integer({ min: 1, max: 3 }))
      .map(([u, b, bond]) => act(`demand(${u}, ${b}, ${bond})`, (w) => availability.demand(w, u, b, bond))),
  ],
  [2, index.map((d) => act(`liarAnswers(${d})`, (w) => availability.answerLiar(w, d)))],
  [2, index.map((d) => act(`slashUnanswered(${d})`, (w) => availability.slashUnanswered(w, d)))],
  // equivocation
  [1, fc.boolean().map((one) => act(`equivocate(attest=${one})`, (w) => equivocation.equivocate(w, one)))],
  [
    1,
    fc
      .tuple(index, index)
      .map(([e, u]) => act(`proveEquivocation(${e}, ${u})`, (w) => equivocation.proveEquivocation(w, e, u))),
  ],
  [1, fc.constant(act("rotateLiarKey", (w) => equivocation.rotateLiarKey(w)))],
  // router
  [
    4,
    fc
      .record({
        user: index,
        redundancy: fc.integer({ min: 1, max: 3 }),
        mode: fc.constantFrom<InputMode>("onChain", "offChain", "withheld"),
        fee: fc.integer({ min: 1, max: 20 }),
        minutes: fc.integer({ min: 2, max: 90 }),
        liarFirst: fc.boolean(),
        liarWrong: fc.boolean(),
      })
      .map((r) => act(`request(${JSON.stringify(r)})`, (w) => router.request(w, r))),
  ],
  [
    4,
    fc
      .tuple(index, fc.nat({ max: 2 }))
      .map(([r, kind]) =>
        act(`liarActs(${r}, ${["right", "wrong", "claim"][kind]})`, (w) => router.liarActs(w, r, kind)),
      ),
  ],
  [2, index.map((r) => act(`publishInput(${r})`, (w) => router.publishInput(w, r)))],
  [2, index.map((r) => act(`disputeFulfillment(${r})`, (w) => router.disputeFulfillment(w, r)))],
  [2, index.map((r) => act(`reassign(${r})`, (w) => router.reassign(w, r)))],
  [3, index.map((r) => act(`settleOrRefund(${r})`, (w) => router.settleRequest(w, r)))],
  // governance
  [
    2,
    fc
      .tuple(fc.nat({ max: 13 }), fc.nat({ max: 1 << 20 }))
      .map(([k, v]) => act(`setParameter(${k}, ${v})`, (w) => governance.setParameter(w, k, v))),
  ],
  // time
  [
    3,
    fc
      .tuple(
        fc.constantFrom(60, 600, 600, 1_800, 1_800, 3_600, 3_600, 7_200, 86_400, 8 * 86_400),
        fc.constantFrom(0, 1, 1, 1, 300),
      )
      .map(([seconds, blocks]) =>
        act(`advance(${seconds}s, ${blocks} blocks)`, (w) => governance.advance(w, seconds, blocks)),
      ),
  ],
];

export const commandArbitraries: fc.Arbitrary<fc.AsyncCommand<object, Real>>[] = [
  fc.oneof(...actions.map(([weight, arbitrary]) => ({ arbitrary, weight }))),
];
