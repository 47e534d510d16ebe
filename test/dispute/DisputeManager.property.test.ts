import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { ContractTransactionResponse } from "ethers";
import {
  DEFAULT_PARAMETERS,
  DisputeHelper,
  DisputeState,
  Outcome,
  ReceiptState,
  Verdict,
  deployDisputeFixture,
} from "../fixtures/dispute";
import type { DisputeSystem, Operator } from "../fixtures/dispute";
import { hashReceipt, randomHash } from "../helpers/receipts";
import type { Receipt } from "../helpers/receipts";
import { propertyRuns } from "../helpers/propertyRuns";

const TOKEN = 10n ** 18n;

interface DisputePlan {
  onNodeB: boolean;
  drawn: boolean;
  verdicts: (Verdict | undefined)[];
  arbitrate: boolean | undefined;
  /** Whether a second challenger joins with its own bond (once the committee is drawn; not when none is). */
  join: boolean;
}

interface Plan {
  disputes: DisputePlan[];
  topUp: bigint;
  oddWei: bigint;
  unstake: bigint;
  slashBps: bigint;
  bondBps: bigint;
  challengerRewardBps: bigint;
  voterRewardBps: bigint;
  nonRevealPenaltyBps: bigint;
}

const planArbitrary: fc.Arbitrary<Plan> = fc.record({
  disputes: fc.array(
    fc.record({
      onNodeB: fc.boolean(),
      drawn: fc.constantFrom(true, true, true, false),
      verdicts: fc.array(fc.constantFrom(undefined, Verdict.NodeRight, Verdict.NodeWrong), {
        minLength: 3,
        maxLength: 3,
      }),
      arbitrate: fc.constantFrom(undefined, true, false),
      join: fc.boolean(),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  topUp: fc.bigInt({ min: 0n, max: 500n }),
  oddWei: fc.bigInt({ min: 0n, max: 10n ** 6n }),
  unstake: fc.bigInt({ min: 0n, max: 900n }),
  slashBps: fc.bigInt({ min: 1n, max: 10_000n }),
  bondBps: fc.bigInt({ min: 0n, max: 10_000n }),
  challengerRewardBps: fc.bigInt({ min: 0n, max: 5_000n }),
  voterRewardBps: fc.bigInt({ min: 0n, max: 5_000n }),
  nonRevealPenaltyBps: fc.bigInt({ min: 0n, max: 1_000n }),
});

/** Every account that can receive tokens in a run. */
function holders(f: DisputeSystem): string[] {
  return [
    f.node.address,
    f.nodeB.address,
    f.challenger.address,
    f.challenger2.address,
    f.treasury.address,
    ...f.verifiers.map((v) => v.address),
  ];
}

async function checkAccounting(f: DisputeSystem) {
  const manager = await f.manager.getAddress();
  const staking = await f.staking.getAddress();
  expect(await f.token.balanceOf(manager)).to.equal(
    (await f.manager.totalBonds()) + (await f.manager.totalChallengerShares()) + (await f.manager.totalClaimable()),
  );
  expect(await f.token.balanceOf(staking)).to.equal(
    (await f.staking.totalActiveStake()) + (await f.staking.totalUnbondingStake()),
  );
}

async function runPlan(plan: Plan) {
  const f = await loadFixture(deployDisputeFixture);
  const h = new DisputeHelper(f);
  await f.manager.connect(f.admin).setParameters({
    ...DEFAULT_PARAMETERS,
    slashBps: plan.slashBps,
    bondBps: plan.bondBps,
    challengerRewardBps: plan.challengerRewardBps,
    voterRewardBps: plan.voterRewardBps,
    nonRevealPenaltyBps: plan.nonRevealPenaltyBps,
  });
  const tracked = holders(f);
  const supplyTracked = async () => {
    let sum =
      (await f.token.balanceOf(await f.manager.getAddress())) + (await f.token.balanceOf(await f.staking.getAddress()));
    for (const a of tracked) sum += await f.token.balanceOf(a);
    return sum;
  };
  const initialTracked = await supplyTracked();
  const treasuryBefore = await f.token.balanceOf(f.treasury.address);

  // Attest first (a slashed node may fall below the minimum and stop attesting), then challenge.
  const receipts: Receipt[] = [];
  const nodes: Operator[] = [];
  for (const d of plan.disputes) {
    const node = d.onNodeB ? f.nodeB : f.node;
    nodes.push(node);
    receipts.push(await h.attestReceipt(node));
  }
  // Odd wei amounts make every bps product round.
  if (plan.oddWei > 0n) await f.staking.connect(f.node.account).stake(plan.oddWei);
  const ids: bigint[] = [];
  for (const r of receipts) ids.push(await h.challenge(r));
  await checkAccounting(f);

  // Stake moves after the challenge change nothing about the snapshots.
  const snapshots = await Promise.all(ids.map(async (id) => (await f.manager.getDispute(id)).amountAtRisk));
  if (plan.topUp > 0n) await f.staking.connect(f.node.account).stake(plan.topUp * TOKEN);
  if (plan.unstake > 0n) await f.staking.connect(f.nodeB.account).requestUnstake(plan.unstake * TOKEN);
  for (const [k, id] of ids.entries()) expect((await f.manager.getDispute(id)).amountAtRisk).to.equal(snapshots[k]);

  // Draw, commit, reveal.
  const committees: string[][] = [];
  const salts: string[][] = [];
  for (const [k, id] of ids.entries()) {
    committees.push(plan.disputes[k].drawn ? await h.draw(id) : []);
    salts.push(committees[k].map(() => randomHash()));
  }
  // A second challenger joins a drawn dispute (joins open with the committee).
  for (const [k, id] of ids.entries()) {
    if (plan.disputes[k].join && plan.disputes[k].drawn)
      await f.manager.connect(f.challenger2).joinChallenge(id, f.challenger2.address, ethers.MaxUint256);
  }
  await checkAccounting(f);
  for (const [k, id] of ids.entries()) {
    for (const [i, member] of committees[k].entries()) {
      const verdict = plan.disputes[k].verdicts[i];
      if (verdict !== undefined) await h.commit(id, member, verdict, salts[k][i]);
    }
  }
  const drawnIds = ids.filter((_, k) => plan.disputes[k].drawn);
  if (drawnIds.length > 0) await h.toReveal(drawnIds[drawnIds.length - 1]);
  for (const [k, id] of ids.entries()) {
    for (const [i, member] of committees[k].entries()) {
      const verdict = plan.disputes[k].verdicts[i];
      if (verdict !== undefined) await h.reveal(id, member, verdict, salts[k][i]);
    }
  }
  if (drawnIds.length > 0) await h.toRevealEnd(drawnIds[drawnIds.length - 1]);
  else await time.increase(DEFAULT_PARAMETERS.commitPeriod);

  // Settle: by vote, by the arbitrator, or by expiry; check each settlement's money flows.
  let expectedTreasury = 0n;
  let expectedCredits = 0n;
  const settle = async (k: number, call: () => Promise<ContractTransactionResponse>) => {
    const id = ids[k];
    const node = nodes[k].address;
    const slashableBefore = await f.staking.slashableStakeOf(node);
    const treasuryBalance = await f.token.balanceOf(f.treasury.address);
    const claimableBefore = await f.manager.totalClaimable();
    const receipt = await (await call()).wait();
    if (!receipt) throw new Error("no receipt");
    const resolved = receipt.logs
      .map((log) => {
        try {
          return f.manager.interface.parseLog(log);
        } catch {
          return null;
        }
      })
      .filter((e) => e !== null);
    const event = resolved.find((e) => e.name === "DisputeResolved");
    if (!event) throw new Error("no DisputeResolved");
    const [, outcome, slashed, challengerReward, voterRewards, toTreasury] = event.args as unknown as [
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
    ];
    const penalties = resolved
      .filter((e) => e.name === "NonRevealPenalized")
      .reduce((acc, e) => acc + (e.args[2] as bigint), 0n);
    const d = await f.manager.getDispute(id);
    const joined = plan.disputes[k].join && plan.disputes[k].drawn;
    const bonds = d.bond * (joined ? 2n : 1n);
    // Never more than the snapshot; what was slashed is exactly paid out plus sent to the treasury.
    expect(slashed).to.be.at.most(d.amountAtRisk);
    if (Number(outcome) === Outcome.NodeWrong) {
      // A node judged wrong loses min(amount at risk fixed at challenge, what remains).
      expect(slashed).to.equal(d.amountAtRisk < slashableBefore ? d.amountAtRisk : slashableBefore);
      expect(slashed).to.equal(challengerReward + voterRewards + toTreasury);
    }
    const selfPenalty = committees[k].includes(node) ? penalties : 0n;
    expect(slashableBefore - (await f.staking.slashableStakeOf(node))).to.equal(slashed + selfPenalty);
    expect((await f.token.balanceOf(f.treasury.address)) - treasuryBalance).to.equal(toTreasury + penalties);
    await checkAccounting(f);
    // The joiner's share is pulled separately (O(1) settlement); forfeited when the node was right.
    if (joined) {
      if (Number(outcome) === Outcome.NodeRight) {
        await expect(f.manager.creditChallenger(id, f.challenger2.address))
          .to.be.revertedWithCustomError(f.manager, "DisputeNoChallengerShare")
          .withArgs(id, f.challenger2.address);
      } else {
        await f.manager.creditChallenger(id, f.challenger2.address);
      }
    }
    expect(await f.manager.totalChallengerShares()).to.equal(0n);
    const credited = (await f.manager.totalClaimable()) - claimableBefore;
    const state = await f.attestation.receiptState(hashReceipt(receipts[k]));
    if (Number(outcome) === Outcome.NodeWrong) {
      expect(credited).to.equal(bonds + challengerReward + voterRewards);
      expect(state).to.equal(ReceiptState.Rejected);
    } else {
      // The bonds are shared between the majority voters and the node (node right) or returned (expired).
      expect([slashed, challengerReward, toTreasury]).to.deep.equal([0n, 0n, 0n]);
      expect(voterRewards).to.be.at.most((bonds * d.params.voterRewardBps) / 10_000n);
      expect(credited).to.equal(bonds);
      // Only a decision upholds; an undecided dispute leaves the receipt challengeable, never final.
      expect(state).to.equal(Number(outcome) === Outcome.NodeRight ? ReceiptState.Upheld : ReceiptState.None);
    }
    expectedTreasury += toTreasury + penalties;
    expectedCredits += credited;
    await checkAccounting(f);
  };

  const pending: number[] = [];
  for (let k = 0; k < ids.length; ++k) {
    const s = Number(await f.manager.state(ids[k]));
    if (s === DisputeState.Resolvable) await settle(k, () => f.manager.resolve(ids[k]));
    else if (s === DisputeState.Arbitration && plan.disputes[k].arbitrate !== undefined) {
      const nodeWrong = plan.disputes[k].arbitrate === true;
      await settle(k, () => f.manager.connect(f.arbitrator).arbitrate(ids[k], nodeWrong));
    } else {
      expect(s).to.equal(DisputeState.Arbitration);
      pending.push(k);
    }
  }
  await time.increase(DEFAULT_PARAMETERS.arbitrationPeriod);
  for (const k of pending) {
    expect(await f.manager.state(ids[k])).to.equal(DisputeState.Expired);
    await settle(k, () => f.manager.resolve(ids[k]));
  }

  // Every lock released, every bond turned into credits; claims drain the manager to zero.
  for (const id of ids) expect(await f.manager.state(id)).to.equal(DisputeState.Resolved);
  for (const a of [f.node.address, f.nodeB.address, ...f.verifiers.map((v) => v.address)]) {
    expect(await f.staking.lockedStakeOf(a)).to.equal(0n);
  }
  expect(await f.manager.totalBonds()).to.equal(0n);
  expect(await f.token.balanceOf(f.treasury.address)).to.equal(treasuryBefore + expectedTreasury);
  let claimed = 0n;
  for (const a of tracked) {
    const amount = await f.manager.claimableOf(a);
    if (amount === 0n) continue;
    const signer = await ethers.getSigner(a).catch(() => undefined);
    const account = f.verifiers.find((v) => v.address === a)?.account ?? signer;
    if (!account) throw new Error(`no signer for ${a}`);
    await f.manager.connect(account).claim(a);
    claimed += amount;
  }
  expect(claimed).to.equal(expectedCredits);
  expect(await f.manager.totalClaimable()).to.equal(0n);
  expect(await f.token.balanceOf(await f.manager.getAddress())).to.equal(0n);
  await checkAccounting(f);
  // Tokens moved only between the tracked holders, Staking and the manager.
  expect(await supplyTracked()).to.equal(initialTracked);
}

describe("DisputeManager (property)", function () {
  it("conserves tokens, never slashes past the snapshot and releases every lock, over random lifecycles", async function () {
    this.timeout(600_000);
    await fc.assert(fc.asyncProperty(planArbitrary, runPlan), { numRuns: propertyRuns(30) });
  });
});
