import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployStakingFixture, MINIMUM_STAKE, UNBONDING_PERIOD } from "../fixtures/staking";
import { propertyRuns } from "../helpers/propertyRuns";

const NODES = 3;
const RECIPIENTS = 2;
/** Every transaction carries a gas limit, so reverting ones are mined too, at the timestamp the model expects. */
const TX = { gasLimit: 3_000_000n };

type Action =
  | { kind: "stake"; node: number; amount: bigint }
  | { kind: "stakeFor"; node: number; amount: bigint }
  | { kind: "unstake"; node: number; amount: bigint | "all" | "half" }
  | { kind: "unstakeAll"; node: number }
  | { kind: "hold"; node: number; seconds: bigint }
  | { kind: "withdraw"; node: number }
  | { kind: "travel"; seconds: bigint }
  | { kind: "withdrawAtRelease"; node: number; offset: bigint }
  | { kind: "lock"; node: number; amount: bigint }
  | { kind: "unlock"; node: number; amount: bigint | "all" }
  | { kind: "slash"; node: number; amount: bigint | "intoUnbonding"; shares: number[] };

interface NodeModel {
  active: bigint;
  locked: bigint;
  heldUntil: bigint;
  queue: { amount: bigint; releaseAt: bigint }[];
}

const unbondingOf = (n: NodeModel) => n.queue.reduce((sum, r) => sum + r.amount, 0n);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

const amountArb = fc.oneof(
  fc.constantFrom(0n, 1n, MINIMUM_STAKE - 1n, MINIMUM_STAKE, MINIMUM_STAKE + 1n, MINIMUM_STAKE * 2n),
  fc.bigInt({ min: 1n, max: MINIMUM_STAKE * 4n }),
);
/** Stake amounts that mostly succeed, so that later steps have stake to work on. */
const stakeAmountArb = fc.oneof(
  { weight: 1, arbitrary: amountArb },
  { weight: 2, arbitrary: fc.bigInt({ min: MINIMUM_STAKE, max: MINIMUM_STAKE * 4n }) },
);
/** Node 0 gets most actions so that its sequences run deep; the others keep the totals honest. */
const nodeArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: NODES - 1 }) },
);
/** Weighted so that stake reaches the unbonding queue and meets locks and release times often within 25 steps. */
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("stake" as const), node: nodeArb, amount: stakeAmountArb }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("stakeFor" as const), node: nodeArb, amount: stakeAmountArb }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("unstake" as const),
      node: nodeArb,
      amount: fc.oneof(amountArb, fc.constantFrom("all" as const, "half" as const, "half" as const)),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("unstakeAll" as const), node: nodeArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("hold" as const),
      node: nodeArb,
      seconds: fc.constantFrom(1n, 3600n, UNBONDING_PERIOD, UNBONDING_PERIOD + 3600n),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), node: nodeArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("travel" as const),
      seconds: fc.constantFrom(1n, UNBONDING_PERIOD - 2n, UNBONDING_PERIOD - 1n, UNBONDING_PERIOD, 3600n),
    }),
  },
  // Withdraws one second before, exactly at, or one second after the node's earliest pending releaseAt.
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("withdrawAtRelease" as const),
      node: nodeArb,
      offset: fc.constantFrom(-1n, 0n, 1n),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("lock" as const), node: nodeArb, amount: amountArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("unlock" as const),
      node: nodeArb,
      amount: fc.oneof(amountArb, fc.constant("all" as const)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("slash" as const),
      node: nodeArb,
      amount: fc.oneof(
        fc.bigInt({ min: 0n, max: MINIMUM_STAKE / 2n }),
        amountArb,
        fc.constantFrom(MINIMUM_STAKE * 100n, "intoUnbonding" as const, "intoUnbonding" as const),
      ),
      shares: fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: RECIPIENTS }),
    }),
  },
);

describe("Staking (property)", function () {
  it("keeps balances, totals and per-node stake consistent over random sequences", async function () {
    const signers = await ethers.getSigners();
    const recipients: HardhatEthersSigner[] = signers.slice(10, 10 + RECIPIENTS);

    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 20, maxLength: 25 }), async (actions) => {
        const { staking, token, disputer, treasury, nodeA, nodeB, nodeC, thirdParty } =
          await loadFixture(deployStakingFixture);
        const nodes = [nodeA, nodeB, nodeC];
        const stakingAddress = await staking.getAddress();
        const model: NodeModel[] = nodes.map(() => ({ active: 0n, locked: 0n, heldUntil: 0n, queue: [] }));
        let now = BigInt(await time.latest());
        let totalSlashed = 0n;
        let totalPaidOut = 0n;

        /** Mines the next transaction one second later, at a time the model knows. */
        const tick = async () => {
          now += 1n;
          await time.setNextBlockTimestamp(now);
        };

        /** Withdraws for node `i` at the next second, checking the outcome against the model. */
        const withdrawNode = async (i: number) => {
          const node = nodes[i]!;
          const m = model[i]!;
          await tick();
          const tx = staking.connect(node).withdraw(TX);
          const amount = m.queue.filter((r) => r.releaseAt <= now).reduce((sum, r) => sum + r.amount, 0n);
          if (m.locked > 0n) {
            await expect(tx)
              .to.be.revertedWithCustomError(staking, "StakingStakeLocked")
              .withArgs(node.address, m.locked);
          } else if (now < m.heldUntil) {
            await expect(tx)
              .to.be.revertedWithCustomError(staking, "StakingWithdrawalHeld")
              .withArgs(node.address, m.heldUntil);
          } else if (amount === 0n) {
            await expect(tx).to.be.revertedWithCustomError(staking, "StakingNothingToWithdraw").withArgs(node.address);
          } else {
            // Only requests whose releaseAt has come are paid, and only without a lock.
            await expect(tx).to.emit(staking, "Withdrawn").withArgs(node.address, amount);
            await expect(tx).to.changeTokenBalances(token, [node, staking], [amount, -amount]);
            m.queue = m.queue.filter((r) => r.releaseAt > now);
          }
        };

        for (const action of actions) {
          const m = action.kind === "travel" ? undefined : model[action.node];
          const node = action.kind === "travel" ? undefined : nodes[action.node];
          switch (action.kind) {
            case "stake":
            case "stakeFor": {
              const payer = action.kind === "stake" ? node! : thirdParty;
              await tick();
              const tx =
                action.kind === "stake"
                  ? staking.connect(payer).stake(action.amount, TX)
                  : staking.connect(payer).stakeFor(node!.address, action.amount, TX);
              const newActive = m!.active + action.amount;
              if (action.amount === 0n) {
                await expect(tx).to.be.revertedWithCustomError(staking, "StakingZeroAmount");
              } else if (newActive < MINIMUM_STAKE) {
                await expect(tx)
                  .to.be.revertedWithCustomError(staking, "StakingBelowMinimum")
                  .withArgs(node!.address, newActive, MINIMUM_STAKE);
              } else {
                await expect(tx)
                  .to.emit(staking, "Staked")
                  .withArgs(node!.address, payer.address, action.amount, newActive);
                m!.active = newActive;
              }
              break;
            }
            case "unstake": {
              const amount =
                action.amount === "all" ? m!.active : action.amount === "half" ? m!.active / 2n : action.amount;
              await tick();
              const tx = staking.connect(node!).requestUnstake(amount, TX);
              const remaining = m!.active - amount;
              if (amount === 0n) {
                await expect(tx).to.be.revertedWithCustomError(staking, "StakingZeroAmount");
              } else if (amount > m!.active) {
                await expect(tx)
                  .to.be.revertedWithCustomError(staking, "StakingInsufficientStake")
                  .withArgs(node!.address, m!.active, amount);
              } else if (remaining !== 0n && remaining < MINIMUM_STAKE) {
                await expect(tx)
                  .to.be.revertedWithCustomError(staking, "StakingBelowMinimum")
                  .withArgs(node!.address, remaining, MINIMUM_STAKE);
              } else if (m!.queue.length >= 8) {
                await expect(tx)
                  .to.be.revertedWithCustomError(staking, "StakingTooManyUnbondingRequests")
                  .withArgs(node!.address, 8n);
              } else {
                const releaseAt = now + UNBONDING_PERIOD;
                await expect(tx)
                  .to.emit(staking, "UnstakeRequested")
                  .withArgs(node!.address, amount, releaseAt, remaining);
                m!.active = remaining;
                m!.queue.push({ amount, releaseAt });
              }
              break;
            }
            case "unstakeAll": {
              await tick();
              const amount = m!.active;
              const tx = staking.connect(node!).requestUnstakeAll(TX);
              if (amount === 0n) {
                await expect(tx).to.be.revertedWithCustomError(staking, "StakingZeroAmount");
              } else if (m!.queue.length >= 8) {
                await expect(tx)
                  .to.be.revertedWithCustomError(staking, "StakingTooManyUnbondingRequests")
                  .withArgs(node!.address, 8n);
              } else {
                const releaseAt = now + UNBONDING_PERIOD;
                await expect(tx).to.emit(staking, "UnstakeRequested").withArgs(node!.address, amount, releaseAt, 0n);
                m!.active = 0n;
                m!.queue.push({ amount, releaseAt });
              }
              break;
            }
            case "hold": {
              await tick();
              const until = now + action.seconds;
              const tx = staking.connect(disputer).extendSlashableUntil(node!.address, until, TX);
              if (until > m!.heldUntil) {
                await expect(tx).to.emit(staking, "SlashableUntilExtended").withArgs(node!.address, until);
                m!.heldUntil = until;
              } else {
                await expect(tx).not.to.emit(staking, "SlashableUntilExtended");
              }
              break;
            }
            case "withdraw": {
              await withdrawNode(action.node);
              break;
            }
            case "travel": {
              now += action.seconds;
              await time.setNextBlockTimestamp(now);
              await ethers.provider.send("evm_mine", []);
              break;
            }
            case "withdrawAtRelease": {
              const pending = m!.queue.map((r) => r.releaseAt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
              const target = pending.length > 0 ? pending[0]! + action.offset - 1n : now;
              if (target > now) {
                now = target;
                await time.setNextBlockTimestamp(now);
                await ethers.provider.send("evm_mine", []);
              }
              await withdrawNode(action.node);
              break;
            }
            case "lock": {
              await tick();
              // Not capped: locks only block withdrawals.
              await expect(staking.connect(disputer).lock(node!.address, action.amount, TX))
                .to.emit(staking, "StakeLocked")
                .withArgs(node!.address, action.amount, m!.locked + action.amount);
              m!.locked += action.amount;
              break;
            }
            case "unlock": {
              const amount = action.amount === "all" ? m!.locked : action.amount;
              await tick();
              const tx = staking.connect(disputer).unlock(node!.address, amount, TX);
              if (amount > m!.locked) {
                await expect(tx)
                  .to.be.revertedWithCustomError(staking, "StakingUnlockExceedsLocked")
                  .withArgs(node!.address, m!.locked, amount);
              } else {
                await expect(tx)
                  .to.emit(staking, "StakeUnlocked")
                  .withArgs(node!.address, amount, m!.locked - amount);
                m!.locked -= amount;
              }
              break;
            }
            case "slash": {
              const to = recipients.slice(0, action.shares.length);
              const totalBps = action.shares.reduce((sum, s) => sum + s, 0);
              const slashable = m!.active + unbondingOf(m!);
              // "intoUnbonding": all active stake, the newest request, and 1 wei of the one before it.
              const newest = m!.queue[m!.queue.length - 1]?.amount ?? 0n;
              const amount = action.amount === "intoUnbonding" ? m!.active + newest + 1n : action.amount;
              const payees = [...to, treasury];
              const before = await Promise.all(payees.map((p) => token.balanceOf(p.address)));
              await tick();
              const tx = staking.connect(disputer).slash(
                node!.address,
                amount,
                to.map((r) => r.address),
                action.shares,
                TX,
              );
              if (totalBps > 10_000) {
                await expect(tx).to.be.revertedWithCustomError(staking, "StakingInvalidShares").withArgs(totalBps);
                break;
              }
              const slashed = min(amount, slashable);
              if (slashed === 0n) {
                await expect(tx).not.to.emit(staking, "Slashed");
              } else {
                const shares = action.shares.map((bps) => (slashed * BigInt(bps)) / 10_000n);
                const toTreasury = slashed - shares.reduce((sum, s) => sum + s, 0n);
                await expect(tx).to.emit(staking, "Slashed").withArgs(node!.address, amount, slashed, toTreasury);
                // Active first, then unbonding requests newest first.
                let left = slashed - min(slashed, m!.active);
                m!.active -= min(slashed, m!.active);
                while (left > 0n) {
                  const last = m!.queue[m!.queue.length - 1]!;
                  const take = min(left, last.amount);
                  last.amount -= take;
                  left -= take;
                  if (last.amount === 0n) m!.queue.pop();
                }
                // A slash never changes a lock.
              }
              await tx;
              const after = await Promise.all(payees.map((p) => token.balanceOf(p.address)));
              const paid = after.reduce((sum, a, i) => sum + a - before[i]!, 0n);
              // What was slashed is exactly what was paid out plus what went to the treasury, never above the stake.
              expect(paid).to.equal(slashed);
              expect(paid).to.be.at.most(slashable);
              totalSlashed += slashed;
              totalPaidOut += paid;
              break;
            }
          }

          // Invariants after every step.
          const onChain = await Promise.all(
            nodes.map((n) =>
              Promise.all([
                staking.activeStakeOf(n.address),
                staking.lockedStakeOf(n.address),
                staking.unbondingStakeOf(n.address),
                staking.unbondingRequestsOf(n.address),
              ]),
            ),
          );
          const [totalActive, totalUnbonding, balance] = await Promise.all([
            staking.totalActiveStake(),
            staking.totalUnbondingStake(),
            token.balanceOf(stakingAddress),
          ]);
          let sumActive = 0n;
          let sumUnbonding = 0n;
          for (let i = 0; i < NODES; i++) {
            const [active, locked, unbonding, requests] = onChain[i]!;
            const expected = model[i]!;
            expect(active).to.equal(expected.active);
            expect(locked).to.equal(expected.locked);
            expect(unbonding).to.equal(unbondingOf(expected));
            expect(requests.map((r) => [r.amount, r.releaseAt])).to.deep.equal(
              expected.queue.map((r) => [r.amount, r.releaseAt]),
            );
            sumActive += active;
            sumUnbonding += unbonding;
          }
          // The sum over nodes equals the totals; with no stray transfers the balance is exactly the stake held.
          expect(totalActive).to.equal(sumActive);
          expect(totalUnbonding).to.equal(sumUnbonding);
          expect(balance).to.equal(totalActive + totalUnbonding);
          expect(totalPaidOut).to.equal(totalSlashed);
        }
      }),
      { numRuns: propertyRuns(40) },
    );
  });
});
