import { ethers } from "hardhat";
import { eventsOf, reverted, send } from "../chain";
import { fmt } from "../world";
import type { World } from "../world";

/** Staking: stake, stakeFor, unstake (a share or everything), withdraw. */

export async function stake(w: World, stakerIndex: number, amount: bigint, forOther: boolean, userIndex: number) {
  const target = w.staker(stakerIndex);
  const from = forOther ? w.user(userIndex).account : target.account;
  w.note(`${forOther ? "user stakes for" : "stake"} ${target.name} ${fmt(amount)}`);
  const result = await send(
    "stake",
    () =>
      forOther ? w.s.staking.connect(from).stakeFor(target.address, amount) : w.s.staking.connect(from).stake(amount),
    ["StakingBelowMinimum", "ERC20InsufficientBalance"],
  );
  if (!reverted(result)) w.m.add(w.m.staked, target.address, amount);
  else w.note(`  reverted ${result.reverted}`);
}

export async function requestUnstake(w: World, stakerIndex: number, percent: number) {
  const target = w.staker(stakerIndex);
  const active = await w.s.staking.activeStakeOf(target.address);
  const amount = (active * BigInt(percent)) / 100n;
  w.note(`${target.name} requests unstake of ${fmt(amount)} (${percent}%)`);
  const result = await send("requestUnstake", () => w.s.staking.connect(target.account).requestUnstake(amount), [
    "StakingZeroAmount",
    "StakingBelowMinimum",
    "StakingTooManyUnbondingRequests",
  ]);
  if (reverted(result)) w.note(`  reverted ${result.reverted}`);
}

/** Unstake everything: never refused for a remainder below the minimum (a 1-wei `stakeFor` can't block it). */
export async function requestUnstakeAll(w: World, stakerIndex: number) {
  const target = w.staker(stakerIndex);
  const active = await w.s.staking.activeStakeOf(target.address);
  const result = await send("requestUnstakeAll", () => w.s.staking.connect(target.account).requestUnstakeAll(), [
    "StakingZeroAmount",
    "StakingTooManyUnbondingRequests",
  ]);
  w.note(`${target.name} requests unstake of all (${fmt(active)})${reverted(result) ? `: ${result.reverted}` : ""}`);
  if (reverted(result)) {
    if (result.reverted === "StakingZeroAmount" && active !== 0n) {
      w.fail("unstake-all takes everything", `${target.name} has ${fmt(active)} active and was refused`);
    }
    return;
  }
  w.count("unstake all");
  const left = await w.s.staking.activeStakeOf(target.address);
  if (left !== 0n) w.fail("unstake-all takes everything", `${target.name} still has ${fmt(left)} active`);
}

/**
 * A withdrawal. Locks only block withdrawals (any open judgment blocks all of them), and an expired dispute holds
 * them until the receipt's extended window closes: a withdrawal that goes through in either case is a violation.
 */
export async function withdraw(w: World, stakerIndex: number) {
  const target = w.staker(stakerIndex);
  const holds = w.m.holds(target.address);
  const [locked, until] = await Promise.all([
    w.s.staking.lockedStakeOf(target.address),
    w.s.staking.slashableUntil(target.address),
  ]);
  const result = await send("withdraw", () => w.s.staking.connect(target.account).withdraw(), [
    "StakingStakeLocked",
    "StakingNothingToWithdraw",
    "StakingWithdrawalHeld",
  ]);
  if (reverted(result)) {
    w.note(`${target.name} withdraw: reverted ${result.reverted}`);
    if (result.reverted === "StakingStakeLocked" && !holds) {
      w.fail("locks are released with the judgment", `${target.name} has no open judgment but ${fmt(locked)} locked`);
    }
    return;
  }
  const amount = BigInt(eventsOf(result, w.s.staking, "Withdrawn")[0]!.args.amount);
  w.note(`${target.name} withdraws ${fmt(amount)}`);
  w.m.add(w.m.withdrawn, target.address, amount);
  w.count("withdrawal");
  if (holds || locked > 0n) {
    w.fail(
      "nothing is withdrawn while locked",
      `${target.name} withdrew ${fmt(amount)} with ${fmt(locked)} locked (open judgment in the model: ${holds})`,
    );
  }
  const minedAt = (await ethers.provider.getBlock(result.blockNumber))!.timestamp;
  if (minedAt < Number(until)) {
    w.fail(
      "nothing is withdrawn while an expired dispute holds it",
      `${target.name} withdrew ${fmt(amount)} before its hold ended (${until})`,
    );
  }
}
