import { mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import { reverted, send } from "../chain";
import { TOKEN } from "../system";
import type { World } from "../world";

/** Governance parameter changes (each within its bounds) and time jumps. */

export async function setParameter(w: World, kind: number, value: number) {
  const admin = w.s.admin;
  const d = w.s.disputes;
  const current = await d.getParameters();
  const base = {
    bondFloor: current.bondFloor,
    bondBps: current.bondBps,
    slashBps: current.slashBps,
    challengerRewardBps: current.challengerRewardBps,
    voterRewardBps: current.voterRewardBps,
    nonRevealPenaltyBps: current.nonRevealPenaltyBps,
    committeeSize: current.committeeSize,
    quorum: current.quorum,
    commitPeriod: current.commitPeriod,
    revealPeriod: current.revealPeriod,
    arbitrationPeriod: current.arbitrationPeriod,
  };
  const options: [string, () => Promise<ContractTransactionResponse>][] = [
    ["dispute slashBps", () => d.connect(admin).setParameters({ ...base, slashBps: 1_000 + (value % 9_001) })],
    ["dispute bondBps", () => d.connect(admin).setParameters({ ...base, bondBps: value % 2_001 })],
    [
      "dispute challengerRewardBps",
      () =>
        d
          .connect(admin)
          .setParameters({ ...base, challengerRewardBps: value % (10_001 - Number(base.voterRewardBps)) }),
    ],
    ["dispute voterRewardBps", () => d.connect(admin).setParameters({ ...base, voterRewardBps: value % 3_001 })],
    [
      "dispute committee",
      () => {
        const size = 1 + (value % 3);
        return d.connect(admin).setParameters({ ...base, committeeSize: size, quorum: 1 + ((value >> 4) % size) });
      },
    ],
    ["DA slashBps", () => w.s.availability.connect(admin).setSlashBps(100 + (value % 9_901))],
    ["DA bond floor", () => w.s.availability.connect(admin).setBondFloor(BigInt(1 + (value % 5)) * TOKEN)],
    ["router liveness penalty", () => w.s.router.connect(admin).setLivenessPenalty(BigInt(value % 6) * TOKEN)],
    ["router protocol fee", () => w.s.router.connect(admin).setProtocolFeeBps(value % 2_001)],
    ["router reassignments", () => w.s.router.connect(admin).setMaxReassignments(value % 4)],
    ["unbonding period", () => w.s.staking.connect(admin).setUnbondingPeriod(3_600 + (value % (8 * 86_400)))],
    ["minimum stake", () => w.s.staking.connect(admin).setMinimumStake(BigInt(50 + (value % 51)) * TOKEN)],
    ["challenge window", () => w.s.attestation.connect(admin).setChallengeWindow(3_600 + (value % (2 * 86_400)))],
    ["equivocation slashBps", () => w.s.equivocation.connect(admin).setSlashBps(500 + (value % 9_501))],
  ];
  const [name, call] = options[kind % options.length]!;
  const result = await send(`set ${name}`, call, ["ParameterOutOfBounds"]);
  w.note(`governance sets ${name} (${value})${reverted(result) ? `: reverted ${result.reverted}` : ""}`);
}

export async function advance(w: World, seconds: number, blocks: number) {
  if (seconds > 0) await time.increase(seconds);
  if (blocks > 0) await mine(blocks);
  w.note(`time +${seconds}s, +${blocks} blocks`);
}
