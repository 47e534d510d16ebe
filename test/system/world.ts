import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { TransactionReceipt } from "ethers";
import { eventsOf, reverted, send } from "./chain";
import { Model } from "./model";
import type { TrackedDispute, TrackedReceipt } from "./model";
import { TOKEN, getReceiptStructHash, lie, signed, truth } from "./system";
import type { NodeActor, Receipt, System } from "./system";

export const BPS = 10_000n;

/** `IDisputeManager.DisputeState`, `Verdict`; `IAttestationRegistry.ReceiptState`; `IInferenceRouter.RequestState`. */
export const DisputeState = {
  None: 0,
  Drawing: 1,
  Committing: 2,
  Revealing: 3,
  Resolvable: 4,
  Arbitration: 5,
  Expired: 6,
  Resolved: 7,
};
export const Verdict = { NodeRight: 0, NodeWrong: 1 };
export const ReceiptState = { None: 0, Disputed: 1, Upheld: 2, Rejected: 3 };
export const RequestState = {
  None: 0,
  Pending: 1,
  Expired: 2,
  Unservable: 3,
  Verifying: 4,
  Settleable: 5,
  Settled: 6,
  Refunded: 7,
};
export const Outcome = ["None", "NodeWrong", "NodeRight", "Expired"] as const;

/** How often each interesting outcome happened, over every run of the process (printed by the property). */
export const coverage = new Map<string, number>();

/** A broken invariant: the message names it and shows what led there. */
export class InvariantViolation extends Error {}

/** Thrown in collecting mode: the command stops, the run goes on, and the violation is reported at the end. */
export class CollectedViolation extends Error {}

/** Each node's slashable stake and the dispute parameters just before a transaction. */
export interface Before {
  slashable: Map<string, bigint>;
  slashBps: bigint;
  bondBps: bigint;
  bondFloor: bigint;
}

/**
 * The state of one run: the deployed system, the model beside it, and what every action shares (logging, invariant
 * failures, attesting receipts, recording the disputes a transaction opened). The actions live in actions/, one file
 * per contract; the invariants in invariants.ts.
 */
export class World {
  readonly m = new Model();
  /** Violations seen so far when VERITY_FUZZ_COLLECT is set (exploration: keep going to find every broken one). */
  readonly violations: string[] = [];

  constructor(readonly s: System) {}

  count(outcome: string) {
    coverage.set(outcome, (coverage.get(outcome) ?? 0) + 1);
  }

  note(message: string) {
    this.m.log.push(message);
    if (this.m.log.length > 400) this.m.log.shift();
  }

  fail(invariant: string, detail: string): never {
    if (process.env.VERITY_FUZZ_COLLECT) {
      this.violations.push(`${invariant}: ${detail}`);
      this.note(`  !! VIOLATION ${invariant}: ${detail}`);
      throw new CollectedViolation(invariant);
    }
    throw new InvariantViolation(`${invariant}: ${detail}\n  recent actions:\n    ${this.m.log.join("\n    ")}`);
  }

  async start() {
    // The fixture's actors outlive a run: a rotated key goes back to the one registered at deployment.
    for (const node of this.s.nodes) {
      node.keys.splice(1);
      node.key = node.keys[0]!;
    }
    this.m.supply = await this.s.token.totalSupply();
    for (const actor of [...this.s.nodes, ...this.s.verifiers]) {
      this.m.add(this.m.staked, actor.address, await this.s.staking.slashableStakeOf(actor.address));
    }
  }

  // ------------------------------------------------------------------------------------------------ actors

  node(index: number): NodeActor {
    return this.s.nodes[index % this.s.nodes.length]!;
  }

  get liar(): NodeActor {
    return this.s.nodes.find((n) => !n.honest)!;
  }

  /** Stakers: the three inference nodes, then the verifiers. */
  staker(index: number) {
    const all = [...this.s.nodes, ...this.s.verifiers];
    return all[index % all.length]!;
  }

  user(index: number) {
    return this.s.users[index % this.s.users.length]!;
  }

  /** Every account that may be credited somewhere (fees, refunds, rewards, bonds). */
  get accounts() {
    return [
      this.s.admin,
      this.s.arbitrator,
      ...this.s.nodes.map((n) => n.account),
      ...this.s.verifiers.map((v) => v.account),
      ...this.s.users.map((u) => u.account),
    ];
  }

  pick<T>(list: T[], index: number): T | undefined {
    return list.length === 0 ? undefined : list[index % list.length];
  }

  nameOf(address: string): string {
    const lower = address.toLowerCase();
    const all = [
      ...this.s.nodes,
      ...this.s.verifiers,
      ...this.s.users,
      { name: "admin/treasury", address: this.s.admin.address },
      { name: "arbitrator", address: this.s.arbitrator.address },
      { name: "router", address: this.s.contracts.router },
    ];
    return all.find((a) => a.address.toLowerCase() === lower)?.name ?? address;
  }

  // ------------------------------------------------------------------------------------------------ disputes

  async before(): Promise<Before> {
    const slashable = new Map<string, bigint>();
    for (const n of this.s.nodes) slashable.set(n.address, await this.s.staking.slashableStakeOf(n.address));
    const p = await this.s.disputes.getParameters();
    return { slashable, slashBps: p.slashBps, bondBps: p.bondBps, bondFloor: p.bondFloor };
  }

  /**
   * Records every dispute `receipt` opened (by a challenger or by the router) and checks its amount at risk and bond
   * against the model: `slashable stake before × slashBps`, whatever other judgments locked.
   */
  async recordDisputes(receipt: TransactionReceipt, before: Before) {
    for (const event of eventsOf(receipt, this.s.disputes, "DisputeOpened")) {
      const id = BigInt(event.args.id);
      const receiptHash = String(event.args.receiptHash);
      const tracked = this.m.receipts.find((r) => r.hash === receiptHash);
      if (!tracked) this.fail("model", `dispute ${id} on an unknown receipt ${receiptHash}`);
      const node = tracked.node;
      const router = String(event.args.challenger).toLowerCase() === this.s.contracts.router.toLowerCase();
      const atRisk = (before.slashable.get(node.address)! * before.slashBps) / BPS;
      const byRisk = (atRisk * before.bondBps) / BPS;
      const bond = byRisk > before.bondFloor ? byRisk : before.bondFloor;
      if (BigInt(event.args.amountAtRisk) !== atRisk) {
        this.fail(
          "the amount at risk is fixed at challenge from the slashable stake, whatever is locked",
          `#${id} put ${fmt(BigInt(event.args.amountAtRisk))} at risk, the model says ${fmt(atRisk)}`,
        );
      }
      const posted = BigInt(event.args.bond);
      if (posted !== (router ? 0n : bond)) {
        this.fail("a challenge posts the bond of its amount at risk", `#${id} bond ${fmt(posted)}, model ${fmt(bond)}`);
      }
      const weights: bigint[] = [];
      for (const v of this.s.verifiers) {
        weights.push(await this.s.nodeRegistry.sortitionWeightOf(v.address, { blockTag: receipt.blockNumber }));
      }
      const beneficiary = String(event.args.beneficiary);
      this.count(router ? "router dispute opened" : "challenge opened");
      this.m.disputes.push({
        id,
        node,
        receipt: tracked,
        atRisk,
        bond,
        challengeBlock: receipt.blockNumber,
        weights,
        challenger: String(event.args.challenger),
        beneficiary,
        router,
        open: true,
        bonds: router ? new Map() : new Map([[beneficiary.toLowerCase(), bond]]),
        pot: 0n,
        salts: new Map(),
        revealed: new Set(),
      });
      this.note(
        `  dispute #${id} opened${router ? " by the router" : ""} on ${node.name}'s ${tracked.correct ? "correct" : "wrong"} receipt, atRisk ${fmt(atRisk)}`,
      );
    }
  }

  /** An open dispute in one of `states` (so that random actions land on disputes they apply to). */
  async disputeIn(index: number, ...states: number[]): Promise<TrackedDispute | undefined> {
    const open = this.m.disputes.filter((d) => d.open);
    const current = await Promise.all(open.map((d) => this.s.disputes.state(d.id)));
    return this.pick(
      open.filter((_, i) => states.includes(Number(current[i]))),
      index,
    );
  }

  /** Lets time pass until `timestamp` (a keeper waiting for a phase to end); nothing when it has passed. */
  async waitUntil(timestamp: bigint | number) {
    const now = await time.latest();
    if (now < Number(timestamp)) {
      await time.increaseTo(Number(timestamp));
      this.note(`  (time +${Number(timestamp) - now}s)`);
    }
  }

  // ------------------------------------------------------------------------------------------------ receipts

  async receiptFor(node: NodeActor, correct: boolean, overrides: Partial<Receipt> = {}): Promise<Receipt> {
    const inputHash = overrides.inputHash ?? this.m.fresh("input");
    return {
      requestId: this.m.fresh("request"),
      modelId: this.s.modelId as Receipt["modelId"],
      inputHash: inputHash as Receipt["inputHash"],
      outputHash: correct ? truth(inputHash) : lie(inputHash),
      traceRoot: this.m.fresh("trace"),
      node: node.address as Receipt["node"],
      issuedAt: BigInt(await time.latest()),
      ...overrides,
    };
  }

  /** Signs and attests one receipt singly; undefined when the node may not attest (jailed or without stake). */
  async attestSingle(node: NodeActor, receipt: Receipt, correct: boolean): Promise<TrackedReceipt | undefined> {
    if (node.honest && !(await this.s.nodeRegistry.isActive(node.address))) return undefined;
    const signature = await signed(this.s, node.key, receipt);
    const allowed = node.honest ? [] : ["AttestationNodeNotActive"];
    const result = await send(
      `${node.name} submits a receipt`,
      () => this.s.attestation.submitReceipt(receipt, signature),
      allowed,
    );
    if (reverted(result)) return undefined;
    const tracked = {
      receipt,
      hash: getReceiptStructHash(receipt),
      node,
      correct,
      batchId: ethers.ZeroHash,
      proof: [],
    };
    this.m.receipts.push(tracked);
    return tracked;
  }
}

export function fmt(amount: bigint): string {
  const whole = amount / TOKEN;
  const frac = amount % TOKEN;
  return frac === 0n ? `${whole}` : `${whole}.${frac.toString().padStart(18, "0").replace(/0+$/, "")}`;
}
