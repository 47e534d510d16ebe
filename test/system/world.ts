import { ethers } from "hardhat";
import { mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type { TransactionReceipt } from "ethers";
import { Model, expectedCommittee } from "./model";
import type { Equivocation, TrackedBatch, TrackedDispute, TrackedReceipt, TrackedRequest } from "./model";
import { TOKEN, eventsOf, getReceiptStructHash, lie, reverted, send, signed, signedBatch, truth } from "./system";
import type { NodeActor, Receipt, System } from "./system";

const BPS = 10_000n;
/** `IDisputeManager.DisputeState`, `Verdict`; `IAttestationRegistry.ReceiptState`; `IInferenceRouter.RequestState`. */
const DisputeState = { None: 0, Drawing: 1, Committing: 2, Revealing: 3, Resolvable: 4, Arbitration: 5, Expired: 6 };
const Verdict = { NodeRight: 0, NodeWrong: 1 };
const ReceiptState = { None: 0, Disputed: 1, Upheld: 2, Rejected: 3 };
const Outcome = ["None", "NodeWrong", "NodeRight", "Expired"] as const;

/** A broken invariant: the message names it and shows what led there. */
export class InvariantViolation extends Error {}

/** Thrown in collecting mode: the command stops, the run goes on, and the violation is reported at the end. */
export class CollectedViolation extends Error {}

/** Each node's slashable stake and the dispute parameters just before a transaction. */
interface Before {
  slashable: Map<string, bigint>;
  slashBps: bigint;
}

/** Drives the deployed system as its actors would and keeps the model in step. */
export class World {
  readonly m = new Model();

  constructor(readonly s: System) {}

  note(message: string) {
    this.m.log.push(message);
    if (this.m.log.length > 400) this.m.log.shift();
  }

  /** Violations seen so far when VERITY_FUZZ_COLLECT is set (exploration: keep going to find every broken one). */
  readonly violations: string[] = [];

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

  // ------------------------------------------------------------------------------------------------ helpers

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

  pick<T>(list: T[], index: number): T | undefined {
    return list.length === 0 ? undefined : list[index % list.length];
  }

  async before(): Promise<Before> {
    const slashable = new Map<string, bigint>();
    for (const n of this.s.nodes) slashable.set(n.address, await this.s.staking.slashableStakeOf(n.address));
    const { slashBps } = await this.s.disputes.getParameters();
    return { slashable, slashBps: BigInt(slashBps) };
  }

  /** Records every dispute `receipt` opened (by a challenger or by the router), with its amount at risk. */
  async recordDisputes(receipt: TransactionReceipt, before: Before) {
    for (const event of eventsOf(receipt, this.s.disputes, "DisputeOpened")) {
      const id = BigInt(event.args.id);
      const receiptHash = String(event.args.receiptHash);
      const tracked = this.m.receipts.find((r) => r.hash === receiptHash);
      if (!tracked) this.fail("model", `dispute ${id} on an unknown receipt ${receiptHash}`);
      const node = tracked.node;
      const atRisk = (before.slashable.get(node.address)! * before.slashBps) / BPS;
      const weights: bigint[] = [];
      for (const v of this.s.verifiers) {
        weights.push(await this.s.nodeRegistry.sortitionWeightOf(v.address, { blockTag: receipt.blockNumber }));
      }
      this.m.disputes.push({
        id,
        node,
        receipt: tracked,
        atRisk,
        challengeBlock: receipt.blockNumber,
        weights,
        challenger: String(event.args.challenger),
        beneficiary: String(event.args.beneficiary),
        open: true,
        salts: new Map(),
        revealed: new Set(),
      });
      this.note(
        `  dispute #${id} opened on ${node.name}'s ${tracked.correct ? "correct" : "wrong"} receipt, atRisk ${fmt(atRisk)}`,
      );
    }
  }

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
    const signature = await signed(this.s, node.key, receipt);
    const allowed = node.honest ? [] : ["AttestationNodeNotActive"];
    if (node.honest && !(await this.s.nodeRegistry.isActive(node.address))) return undefined;
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

  // ------------------------------------------------------------------------------------------------ staking

  async stake(stakerIndex: number, amount: bigint, forOther: boolean, userIndex: number) {
    const target = this.staker(stakerIndex);
    const from = forOther ? this.s.users[userIndex % this.s.users.length]!.account : target.account;
    this.note(`${forOther ? "user stakes for" : "stake"} ${target.name} ${fmt(amount)}`);
    const result = await send(
      "stake",
      () =>
        forOther
          ? this.s.staking.connect(from).stakeFor(target.address, amount)
          : this.s.staking.connect(from).stake(amount),
      ["StakingBelowMinimum", "ERC20InsufficientBalance"],
    );
    if (!reverted(result)) this.m.add(this.m.staked, target.address, amount);
    else this.note(`  reverted ${result.reverted}`);
  }

  async requestUnstake(stakerIndex: number, percent: number) {
    const target = this.staker(stakerIndex);
    const active = await this.s.staking.activeStakeOf(target.address);
    const amount = percent >= 100 ? active : (active * BigInt(percent)) / 100n;
    this.note(`${target.name} requests unstake of ${fmt(amount)} (${percent}%)`);
    const result = await send("requestUnstake", () => this.s.staking.connect(target.account).requestUnstake(amount), [
      "StakingZeroAmount",
      "StakingBelowMinimum",
      "StakingTooManyUnbondingRequests",
    ]);
    if (reverted(result)) this.note(`  reverted ${result.reverted}`);
  }

  async withdraw(stakerIndex: number) {
    const target = this.staker(stakerIndex);
    const holds = this.m.holds(target.address);
    const result = await send("withdraw", () => this.s.staking.connect(target.account).withdraw(), [
      "StakingStakeLocked",
      "StakingNothingToWithdraw",
    ]);
    if (reverted(result)) {
      this.note(`${target.name} withdraw: reverted ${result.reverted}`);
      return;
    }
    const amount = BigInt(eventsOf(result, this.s.staking, "Withdrawn")[0]!.args.amount);
    this.note(`${target.name} withdraws ${fmt(amount)}`);
    this.m.add(this.m.withdrawn, target.address, amount);
    if (holds) {
      this.fail(
        "nothing is withdrawn while locked",
        `${target.name} withdrew ${fmt(amount)} while a dispute or demand on it is open`,
      );
    }
  }

  // ------------------------------------------------------------------------------------------------ attestation

  async submitReceipt(nodeIndex: number, wrong: boolean) {
    const node = this.node(nodeIndex);
    const correct = node.honest || !wrong;
    this.note(`${node.name} attests a ${correct ? "correct" : "wrong"} receipt`);
    await this.attestSingle(node, await this.receiptFor(node, correct), correct);
  }

  async submitBatch(nodeIndex: number, size: number, wrongMask: number, squatted: boolean) {
    const node = this.node(nodeIndex);
    if (node.honest && !(await this.s.nodeRegistry.isActive(node.address))) return;
    const receipts: Receipt[] = [];
    const correctness: boolean[] = [];
    for (let i = 0; i < size; i++) {
      const correct = node.honest || ((wrongMask >> i) & 1) === 0;
      receipts.push(await this.receiptFor(node, correct));
      correctness.push(correct);
    }
    const sequence = await this.s.attestation.nextSequence(node.address);
    const { built, header, signature } = await signedBatch(this.s, node.key, receipts, sequence);
    this.note(`${node.name} attests a batch of ${size} (${correctness.filter((c) => !c).length} wrong)`);
    if (squatted && node.honest) {
      // The lying node copies the pending root under its own identity first (attack 7).
      const liar = this.liar;
      const copy = {
        ...header,
        node: liar.address as Receipt["node"],
        sequence: await this.s.attestation.nextSequence(liar.address),
      };
      const { signBatch } = await import("../../src/protocol");
      const liarSignature = await signBatch({ signer: liar.key, domain: this.s.domain, batch: copy });
      const squat = await send("liar squats a batch root", () => this.s.attestation.submitBatch(copy, liarSignature), [
        "AttestationNodeNotActive",
      ]);
      this.note(`  liar squats the root: ${reverted(squat) ? `reverted ${squat.reverted}` : "accepted"}`);
    }
    const allowed = node.honest ? ["AttestationBatchExists"] : ["AttestationNodeNotActive"];
    const result = await send(
      `${node.name} submits a batch`,
      () => this.s.attestation.submitBatch(header, signature),
      allowed,
    );
    if (reverted(result)) {
      if (node.honest) {
        this.fail(
          "an honest node's batch is attested whatever others submitted",
          `${node.name}'s batch was refused: ${result.reverted}`,
        );
      }
      return;
    }
    const id = String(eventsOf(result, this.s.attestation, "BatchSubmitted")[0]!.args.id);
    const batch: TrackedBatch = { id, node, receipts: [], revealed: new Set() };
    built.receipts.forEach((receipt, i) => {
      const tracked: TrackedReceipt = {
        receipt,
        hash: getReceiptStructHash(receipt),
        node,
        correct: correctness[built.order[i]!]!,
        batchId: id,
        proof: built.proofs[i]!,
      };
      batch.receipts.push(tracked);
      this.m.receipts.push(tracked);
    });
    this.m.batches.push(batch);
  }

  // ------------------------------------------------------------------------------------------------ disputes

  /**
   * A challenge: an honest user challenges only wrong receipts, claiming the true output; the accomplice challenges
   * any of the lying node's receipts (to lock its stake) claiming a lie.
   */
  async challenge(userIndex: number, receiptIndex: number) {
    const user = this.s.users[userIndex % this.s.users.length]!;
    const candidates = user.accomplice
      ? this.m.receipts.filter((r) => !r.node.honest)
      : this.m.receipts.filter((r) => !r.correct);
    const target = this.pick(candidates, receiptIndex);
    if (!target) return;
    const claimed = user.accomplice ? lie(target.receipt.inputHash, 1) : truth(target.receipt.inputHash);
    if (claimed === target.receipt.outputHash) return;
    const open = this.m.disputes.some((d) => d.open && d.receipt.hash === target.hash);
    this.note(
      `${user.name} challenges ${target.node.name}'s ${target.correct ? "correct" : "wrong"} receipt${open ? " (already under dispute)" : ""}`,
    );
    const before = await this.before();
    const allowed = ["AttestationWindowClosed", "AttestationUnexpectedReceiptState"];
    const result = await send(
      "challenge",
      () =>
        this.s.disputes
          .connect(user.account)
          .challenge(target.receipt, target.batchId, target.proof, claimed, user.address, ethers.MaxUint256),
      allowed,
    );
    if (reverted(result)) {
      this.note(`  reverted ${result.reverted}`);
      if (!user.accomplice && open && result.reverted === "AttestationUnexpectedReceiptState") {
        this.fail(
          "a later honest challenger keeps its rights",
          `${user.name}'s challenge of a wrong receipt already under an open dispute was refused (${result.reverted})`,
        );
      }
      return;
    }
    await this.recordDisputes(result, before);
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

  async draw(disputeIndex: number) {
    const d = await this.disputeIn(disputeIndex, DisputeState.Drawing);
    if (!d) return;
    // The seed block must be mined first: the keeper waits for it.
    const { drawBlock } = await this.s.disputes.getDispute(d.id);
    const height = await ethers.provider.getBlockNumber();
    if (height <= Number(drawBlock)) await mine(Number(drawBlock) - height + 1);
    const result = await send("drawCommittee", () => this.s.disputes.drawCommittee(d.id), [
      "DisputeDrawTooEarly",
      "DisputeCommitteeUnavailable",
    ]);
    const stored = await this.s.disputes.getDispute(d.id);
    const entropy = (await ethers.provider.getBlock(Number(stored.drawBlock)))?.hash;
    const size = Number(stored.params.committeeSize);
    const excluded = new Set(
      [d.node.address, d.node.key.address, ...d.node.keys.map((k) => k.address), d.challenger, d.beneficiary].map((a) =>
        a.toLowerCase(),
      ),
    );
    const verifiers = this.s.verifiers.map((v) => v.address);
    if (reverted(result)) {
      this.note(`draw #${d.id}: reverted ${result.reverted}`);
      if (result.reverted === "DisputeCommitteeUnavailable" && entropy) {
        const expected = expectedCommittee(entropy, d.id, verifiers, d.weights, size, excluded);
        if (expected) {
          this.fail(
            "a dispute's committee depends only on its seed and the weights at its challenge block",
            `draw of #${d.id} found no committee, but the challenge-block weights give ${expected.join(", ")}`,
          );
        }
      }
      return;
    }
    if (eventsOf(result, this.s.disputes, "CommitteeDrawn").length === 0) {
      this.note(`draw #${d.id}: rescheduled`);
      return;
    }
    const committee = [...(await this.s.disputes.committeeOf(d.id))].map(String);
    d.committee = committee;
    this.note(`draw #${d.id}: ${committee.map((c) => this.nameOf(c)).join(", ")}`);
    const expected = expectedCommittee(entropy!, d.id, verifiers, d.weights, size, excluded);
    if (!expected || expected.join() !== committee.join()) {
      this.fail(
        "a dispute's committee depends only on its seed and the weights at its challenge block",
        `#${d.id} drew [${committee.map((c) => this.nameOf(c)).join(", ")}] but the weights at its challenge block ` +
          `(${d.weights.map(fmt).join(", ")}) give [${expected?.map((c) => this.nameOf(c)).join(", ") ?? "no committee"}]`,
      );
    }
    for (const member of committee) {
      const weight = (await this.s.disputes.getVote(d.id, member)).weight;
      const atChallenge = d.weights[verifiers.indexOf(member)]!;
      if (weight !== atChallenge) {
        this.fail(
          "a dispute's committee depends only on its seed and the weights at its challenge block",
          `#${d.id}: ${this.nameOf(member)} votes with weight ${fmt(weight)}, its weight at the challenge block was ${fmt(atChallenge)}`,
        );
      }
    }
  }

  verdictOf(d: TrackedDispute) {
    return d.receipt.correct ? Verdict.NodeRight : Verdict.NodeWrong;
  }

  /**
   * The committee members picked by `mask` (bit i: the i-th member) commit their honest verdict: each replays the model
   * and finds the true output. Members left out are absent (they lose a little stake for it).
   */
  async commit(disputeIndex: number, mask: number) {
    const d = await this.disputeIn(disputeIndex, DisputeState.Committing);
    if (!d) return;
    for (const [i, address] of (d.committee ?? []).entries()) {
      const voter = this.s.verifiers.find((v) => v.address === address);
      if (!voter || ((mask >> i) & 1) === 0 || d.salts.has(address)) continue;
      const salt = this.m.fresh("salt");
      const outputHash = truth(d.receipt.receipt.inputHash);
      const commitment = await this.s.disputes.commitmentOf(d.id, address, this.verdictOf(d), outputHash, salt);
      await send("commit", () => this.s.disputes.connect(voter.account).commit(d.id, commitment));
      d.salts.set(address, salt);
      this.note(`${voter.name} commits on #${d.id}`);
    }
  }

  /** The members picked by `mask` who committed reveal. */
  async reveal(disputeIndex: number, mask: number) {
    const d = await this.disputeIn(disputeIndex, DisputeState.Revealing);
    if (!d) return;
    for (const [i, address] of (d.committee ?? []).entries()) {
      const voter = this.s.verifiers.find((v) => v.address === address);
      const salt = d.salts.get(address);
      if (!voter || !salt || ((mask >> i) & 1) === 0 || d.revealed.has(address)) continue;
      const outputHash = truth(d.receipt.receipt.inputHash);
      await send("reveal", () =>
        this.s.disputes.connect(voter.account).reveal(d.id, this.verdictOf(d), outputHash, salt),
      );
      d.revealed.add(address);
      this.note(`${voter.name} reveals on #${d.id}`);
    }
  }

  /** Resolves (anyone) or arbitrates (the arbitrator, who judges by the truth). */
  async settle(disputeIndex: number, arbitrate: boolean) {
    const d = arbitrate
      ? await this.disputeIn(disputeIndex, DisputeState.Arbitration)
      : await this.disputeIn(disputeIndex, DisputeState.Resolvable, DisputeState.Expired);
    if (!d) return;
    const slashableBefore = await this.s.staking.slashableStakeOf(d.node.address);
    const result = await send(arbitrate ? "arbitrate" : "resolve", () =>
      arbitrate
        ? this.s.disputes.connect(this.s.arbitrator).arbitrate(d.id, !d.receipt.correct)
        : this.s.disputes.resolve(d.id),
    );
    if (reverted(result)) return;
    d.open = false;
    const outcome = Outcome[Number((await this.s.disputes.getDispute(d.id)).outcome)]!;
    d.outcome = outcome as TrackedDispute["outcome"];
    const slashableAfter = await this.s.staking.slashableStakeOf(d.node.address);
    const lost = slashableBefore - slashableAfter;
    this.note(`${arbitrate ? "arbitrate" : "resolve"} #${d.id}: ${outcome}, ${d.node.name} lost ${fmt(lost)}`);
    const receiptState = Number(await this.s.attestation.receiptState(d.receipt.hash));
    if (outcome === "NodeWrong") {
      const expected = slashableBefore < d.atRisk ? slashableBefore : d.atRisk;
      if (lost !== expected) {
        this.fail(
          "a node judged wrong loses min(amount at risk fixed at challenge, what remains)",
          `#${d.id}: ${d.node.name} lost ${fmt(lost)}; at risk ${fmt(d.atRisk)}, it had ${fmt(slashableBefore)}`,
        );
      }
    } else if (lost !== 0n) {
      this.fail(
        "only a judgment of wrong slashes the node",
        `#${d.id} ended ${outcome} and ${d.node.name} lost ${fmt(lost)}`,
      );
    }
    if (outcome === "Expired" && receiptState === ReceiptState.Upheld) {
      this.fail(
        "an undecided dispute never upholds a receipt",
        `#${d.id} expired undecided and ${d.node.name}'s ${d.receipt.correct ? "correct" : "wrong"} receipt is now Upheld (final, never challengeable again)`,
      );
    }
  }

  async claim(index: number) {
    const accounts = [
      this.s.admin,
      ...this.s.nodes.map((n) => n.account),
      ...this.s.verifiers.map((v) => v.account),
      ...this.s.users.map((u) => u.account),
    ];
    const account = accounts[index % accounts.length]!;
    const claimable = await this.s.disputes.claimableOf(account.address);
    if (claimable === 0n) return;
    const balance = await this.s.token.balanceOf(account.address);
    await send("claim", () => this.s.disputes.connect(account).claim(account.address));
    const received = (await this.s.token.balanceOf(account.address)) - balance;
    this.note(`${this.nameOf(account.address)} claims ${fmt(received)}`);
    if (received !== claimable)
      this.fail("a claim pays what was credited", `${fmt(received)} paid, ${fmt(claimable)} credited`);
  }

  // ------------------------------------------------------------------------------------------------ data availability

  async demand(userIndex: number, batchIndex: number, bondTokens: number) {
    const user = this.s.users[userIndex % this.s.users.length]!;
    const batches = user.accomplice ? this.m.batches.filter((b) => !b.node.honest) : this.m.batches;
    const batch = this.pick(batches, batchIndex);
    if (!batch) return;
    const bond = BigInt(bondTokens) * TOKEN;
    const result = await send("demand", () => this.s.availability.connect(user.account).demand(batch.id, bond), [
      "DataAvailabilityWindowClosed",
      "DataAvailabilityTooManyDemands",
      "DataAvailabilityBondTooLow",
    ]);
    if (reverted(result)) {
      this.note(`${user.name} demands on ${batch.node.name}'s batch: reverted ${result.reverted}`);
      return;
    }
    const id = BigInt(eventsOf(result, this.s.availability, "DataDemanded")[0]!.args.id);
    this.m.demands.push({ id, node: batch.node, batch, demander: user.address, bond, open: true });
    this.note(`${user.name} demands #${id} on ${batch.node.name}'s batch`);
    // An honest node publishes at once.
    if (batch.node.honest) await this.answer(id);
  }

  async answer(id: bigint) {
    const d = this.m.demands.find((x) => x.id === id && x.open);
    if (!d) return;
    if (Number(await this.s.availability.state(d.id)) !== 1) return;
    const leaf = d.batch.receipts.find((r) => !d.batch.revealed.has(r.hash));
    if (!leaf) this.fail("model", `demand #${d.id} has no unrevealed leaf left`);
    await send(`answer demand #${d.id}`, () => this.s.availability.answer(d.id, leaf.receipt, leaf.proof));
    d.batch.revealed.add(leaf.hash);
    d.open = false;
    this.note(`  ${d.node.name} answers demand #${d.id}`);
  }

  /** An open demand in `state` (IDataAvailabilityManager.DemandState). */
  async demandIn(index: number, state: number, filter: (node: NodeActor) => boolean = () => true) {
    const open = this.m.demands.filter((x) => x.open && filter(x.node));
    const current = await Promise.all(open.map((x) => this.s.availability.state(x.id)));
    return this.pick(
      open.filter((_, i) => Number(current[i]) === state),
      index,
    );
  }

  async answerLiar(index: number) {
    const d = await this.demandIn(index, 1, (node) => !node.honest);
    if (d) await this.answer(d.id);
  }

  async slashUnanswered(index: number) {
    const d = await this.demandIn(index, 2);
    if (!d) return;
    await send("slashUnanswered", () => this.s.availability.slashUnanswered(d.id));
    d.open = false;
    this.note(`demand #${d.id} on ${d.node.name} slashed unanswered`);
  }

  // ------------------------------------------------------------------------------------------------ equivocation

  async equivocate(submitOne: boolean) {
    const liar = this.liar;
    const a = await this.receiptFor(liar, true);
    const b = { ...a, outputHash: lie(a.inputHash, 2) };
    const pair: Equivocation = {
      node: liar,
      a: { receipt: a, signature: await signed(this.s, liar.key, a) },
      b: { receipt: b, signature: await signed(this.s, liar.key, b) },
      proven: false,
    };
    this.m.equivocations.push(pair);
    this.note(`liar signs two outputs for one request${submitOne ? " and attests one" : ""}`);
    if (submitOne) await this.attestSingle(liar, b, false);
  }

  async rotateLiarKey() {
    const liar = this.liar;
    const { privateKeyToAccount } = await import("viem/accounts");
    const key = privateKeyToAccount(ethers.Wallet.createRandom().privateKey as `0x${string}`);
    const result = await send(
      "rotateSigner",
      () => this.s.nodeRegistry.connect(liar.account).rotateSigner(key.address),
      ["NodeRegistryNotRegistered"],
    );
    if (reverted(result)) return;
    liar.key = key;
    liar.keys.push(key);
    this.note("liar rotates its signing key");
  }

  async proveEquivocation(index: number, userIndex: number) {
    const pair = this.pick(
      this.m.equivocations.filter((e) => !e.proven),
      index,
    );
    if (!pair) return;
    const prover = this.s.users[userIndex % this.s.users.length]!;
    const evidence = (x: { receipt: Receipt; signature: string }) => ({
      receipt: x.receipt,
      kind: 0,
      signature: x.signature,
      batchId: ethers.ZeroHash,
      proof: [],
    });
    const result = await send(
      "proveEquivocation",
      () => this.s.equivocation.connect(prover.account).proveEquivocation(evidence(pair.a), evidence(pair.b)),
      ["EquivocationInvalidSignature"],
    );
    if (reverted(result)) {
      this.fail(
        "an equivocation is punished whatever the node did since",
        `two receipts signed by ${pair.node.name}'s signer of the time were refused as evidence (${result.reverted})`,
      );
    }
    pair.proven = true;
    this.note(`${prover.name} proves the liar's equivocation`);
  }

  // ------------------------------------------------------------------------------------------------ router

  /** Honest assigned nodes serve at once when the input is available (a live, honest node never misses). */
  async serveHonest(request: TrackedRequest, receipt: TransactionReceipt) {
    if (!request.available) return;
    for (const event of eventsOf(receipt, this.s.router, "NodeAssigned")) {
      const node = this.s.nodes.find((n) => n.address === String(event.args.node));
      if (!node?.honest) continue;
      await this.fulfil(request, node, true);
    }
  }

  async fulfil(request: TrackedRequest, node: NodeActor, correct: boolean) {
    const receipt = await this.receiptFor(node, correct, {
      requestId: request.id as Receipt["requestId"],
      inputHash: request.inputHash as Receipt["inputHash"],
    });
    const tracked = await this.attestSingle(node, receipt, correct);
    if (!tracked) return;
    const before = await this.before();
    const allowed = node.honest ? [] : ["RouterDeadlinePassed", "RouterUnexpectedState", "RouterAlreadyFulfilled"];
    const result = await send(
      `${node.name} fulfils`,
      () => this.s.router.fulfill(request.id, receipt, ethers.ZeroHash, []),
      allowed,
    );
    if (reverted(result)) return;
    request.fulfilments.push({ node: node.address, receipt: tracked });
    this.note(`  ${node.name} fulfils request ${request.id.slice(0, 8)} ${correct ? "correctly" : "wrongly"}`);
    await this.recordDisputes(result, before);
  }

  /**
   * A consumer's request. Honest assigned nodes serve at once when the input is published; with `liarFirst` a lying
   * assigned node serves before them (wrongly when `liarWrong`).
   */
  async request(
    userIndex: number,
    redundancy: number,
    available: boolean,
    feeTokens: number,
    responseMinutes: number,
    liarFirst = false,
    liarWrong = false,
  ) {
    const consumer = this.s.users[userIndex % this.s.users.length]!;
    const inputHash = this.m.fresh("router-input");
    const fee = BigInt(feeTokens) * TOKEN;
    const deadline = (await time.latest()) + 1 + responseMinutes * 60;
    const params = {
      modelId: this.s.modelId,
      inputHash,
      inputURI: available ? `ipfs://${inputHash}` : "ipfs://never-published",
      redundancy,
      deadline,
      callbackGasLimit: 0,
      fee,
    };
    this.note(
      `${consumer.name} requests (redundancy ${redundancy}, ${available ? "input published" : "input never published"})`,
    );
    const result = await send("request", () => this.s.router.connect(consumer.account).request(params), [
      "RouterNotEnoughNodes",
    ]);
    if (reverted(result)) {
      this.note(`  reverted ${result.reverted}`);
      return;
    }
    const id = String(eventsOf(result, this.s.router, "RequestCreated")[0]!.args.id);
    const request: TrackedRequest = {
      id,
      consumer: consumer.address,
      fee,
      inputHash,
      available,
      open: true,
      fulfilments: [],
    };
    this.m.requests.push(request);
    const assigned = eventsOf(result, this.s.router, "NodeAssigned").map((e) => String(e.args.node));
    this.note(`  assigned ${assigned.map((a) => this.nameOf(a)).join(", ")}`);
    if (liarFirst && assigned.includes(this.liar.address)) await this.fulfil(request, this.liar, !liarWrong);
    await this.serveHonest(request, result);
  }

  /** An open request in one of `states` (IInferenceRouter.RequestState). */
  async requestIn(index: number, ...states: number[]) {
    const open = this.m.requests.filter((r) => r.open);
    const current = await Promise.all(open.map((r) => this.s.router.state(r.id)));
    return this.pick(
      open.filter((_, i) => states.includes(Number(current[i]))),
      index,
    );
  }

  async liarFulfils(index: number, wrong: boolean) {
    const request = await this.requestIn(index, 1);
    if (!request) return;
    const assignments = await this.s.router.getAssignments(request.id);
    const slot = assignments.find((a) => a.node === this.liar.address && a.rank === 0n);
    if (!slot) return;
    await this.fulfil(request, this.liar, !wrong);
  }

  penalties(receipt: TransactionReceipt): string {
    const penalized = eventsOf(receipt, this.s.router, "NodePenalized").map(
      (e) => `${this.nameOf(String(e.args.node))} -${fmt(BigInt(e.args.slashed))}`,
    );
    return penalized.length ? `; penalized ${penalized.join(", ")}` : "";
  }

  async reassign(index: number) {
    const request = await this.requestIn(index, 2);
    if (!request) return;
    const result = await send("reassign", () => this.s.router.reassign(request.id));
    if (reverted(result)) return;
    this.note(
      `reassign ${request.id.slice(0, 8)} (input ${request.available ? "published" : "never published"})${this.penalties(result)}`,
    );
    await this.serveHonest(request, result);
  }

  async settleRequest(index: number) {
    const request = await this.requestIn(index, 5, 3);
    if (!request) return;
    const state = Number(await this.s.router.state(request.id));
    const result = await send(state === 5 ? "settle" : "refund", () =>
      state === 5 ? this.s.router.settle(request.id) : this.s.router.refund(request.id),
    );
    if (reverted(result)) return;
    request.open = false;
    this.note(
      `${state === 5 ? "settle" : "refund"} ${request.id.slice(0, 8)} (input ${request.available ? "published" : "never published"})${this.penalties(result)}`,
    );
    const outputs = new Set(request.fulfilments.map((f) => f.receipt.receipt.outputHash));
    for (const event of eventsOf(result, this.s.router, "FeePaid")) {
      const node = String(event.args.node);
      const paid = request.fulfilments.find((f) => f.node === node);
      if (!paid) this.fail("model", `fee paid to ${this.nameOf(node)}, which did not fulfil`);
      const receiptState = Number(await this.s.attestation.receiptState(paid.receipt.hash));
      if (receiptState === ReceiptState.Rejected) {
        this.fail("a receipt judged wrong is never paid", `${this.nameOf(node)} was paid for a rejected receipt`);
      }
      if (!paid.receipt.correct && outputs.size > 1) {
        this.fail(
          "a wrong receipt in a disagreement is never paid",
          `${this.nameOf(node)}'s wrong fulfilment disagreed with another and was paid (its receipt was ${["never disputed", "under dispute", "upheld", "rejected"][receiptState]})`,
        );
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ governance and time

  async setParameter(kind: number, value: number) {
    const admin = this.s.admin;
    const d = this.s.disputes;
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
    const options: [string, () => Promise<import("ethers").ContractTransactionResponse>][] = [
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
      ["DA slashBps", () => this.s.availability.connect(admin).setSlashBps(100 + (value % 9_901))],
      ["DA bond floor", () => this.s.availability.connect(admin).setBondFloor(BigInt(1 + (value % 5)) * TOKEN)],
      ["router liveness penalty", () => this.s.router.connect(admin).setLivenessPenalty(BigInt(value % 6) * TOKEN)],
      ["router protocol fee", () => this.s.router.connect(admin).setProtocolFeeBps(value % 2_001)],
      ["router reassignments", () => this.s.router.connect(admin).setMaxReassignments(value % 4)],
      ["unbonding period", () => this.s.staking.connect(admin).setUnbondingPeriod(3_600 + (value % (8 * 86_400)))],
      ["minimum stake", () => this.s.staking.connect(admin).setMinimumStake(BigInt(50 + (value % 51)) * TOKEN)],
      ["challenge window", () => this.s.attestation.connect(admin).setChallengeWindow(3_600 + (value % (2 * 86_400)))],
      ["equivocation slashBps", () => this.s.equivocation.connect(admin).setSlashBps(500 + (value % 9_501))],
    ];
    const [name, call] = options[kind % options.length]!;
    const result = await send(`set ${name}`, call, ["DisputeParameterOutOfBounds"]);
    this.note(`governance sets ${name} (${value})${reverted(result) ? `: reverted ${result.reverted}` : ""}`);
  }

  async advance(seconds: number, blocks: number) {
    if (seconds > 0) await time.increase(seconds);
    if (blocks > 0) await mine(blocks);
    this.note(`time +${seconds}s, +${blocks} blocks`);
  }

  // ------------------------------------------------------------------------------------------------ invariants

  nameOf(address: string): string {
    const lower = address.toLowerCase();
    const all = [
      ...this.s.nodes,
      ...this.s.verifiers,
      ...this.s.users,
      { name: "admin/treasury", address: this.s.admin.address },
      { name: "arbitrator", address: this.s.arbitrator.address },
    ];
    return all.find((a) => a.address.toLowerCase() === lower)?.name ?? address;
  }

  async checkInvariants() {
    const s = this.s;
    const m = this.m;

    // Every read at once: the in-process chain answers them in one turn.
    const stakers = [...s.nodes, ...s.verifiers];
    const [supply, balances, slashables, totals, bonds, claimable, claimables, params] = await Promise.all([
      s.token.totalSupply(),
      Promise.all(s.holders.map((h) => s.token.balanceOf(h))),
      Promise.all(stakers.map((a) => s.staking.slashableStakeOf(a.address))),
      Promise.all([s.staking.totalActiveStake(), s.staking.totalUnbondingStake()]),
      s.disputes.totalBonds(),
      s.disputes.totalClaimable(),
      Promise.all(s.holders.map((h) => s.disputes.claimableOf(h))),
      s.disputes.getParameters(),
    ]);
    const balanceOf = (a: string) => balances[s.holders.indexOf(a)]!;

    // Tokens are conserved: the supply never changes and every token sits with a known holder.
    if (supply !== m.supply) this.fail("tokens are conserved", `supply ${fmt(supply)} != ${fmt(m.supply)}`);
    const held = balances.reduce((a, b) => a + b, 0n);
    if (held !== supply) this.fail("tokens are conserved", `known holders hold ${fmt(held)} of ${fmt(supply)}`);

    // Staking holds at least what it owes, and the per-node ledger adds up to its totals.
    const totalStake = totals[0] + totals[1];
    const sum = slashables.reduce((a, b) => a + b, 0n);
    if (sum !== totalStake) this.fail("stake ledger", `nodes hold ${fmt(sum)}, totals say ${fmt(totalStake)}`);
    const stakingBalance = balanceOf(s.contracts.staking);
    if (stakingBalance < totalStake) {
      this.fail("staking holds what it owes", `balance ${fmt(stakingBalance)} < active + unbonding ${fmt(totalStake)}`);
    }

    // The dispute manager holds its bonds and every claim; claims add up and never exceed its balance.
    const managerBalance = balanceOf(s.contracts.disputes);
    if (managerBalance < bonds + claimable) {
      this.fail(
        "claims never exceed balances",
        `dispute manager holds ${fmt(managerBalance)} < bonds ${fmt(bonds)} + claims ${fmt(claimable)}`,
      );
    }
    const claims = claimables.reduce((a, b) => a + b, 0n);
    if (claims !== claimable)
      this.fail("claims never exceed balances", `claims sum to ${fmt(claims)}, total says ${fmt(claimable)}`);

    // The router holds every open request's fee; the DA manager every open demand's bond.
    const escrow = m.requests.filter((r) => r.open).reduce((a, r) => a + r.fee, 0n);
    const routerBalance = balanceOf(s.contracts.router);
    if (routerBalance < escrow) this.fail("the router holds its escrow", `${fmt(routerBalance)} < ${fmt(escrow)}`);
    const demandBonds = m.demands.filter((d) => d.open).reduce((a, d) => a + d.bond, 0n);
    const availabilityBalance = balanceOf(s.contracts.availability);
    if (availabilityBalance < demandBonds) {
      this.fail("the DA manager holds its bonds", `${fmt(availabilityBalance)} < ${fmt(demandBonds)}`);
    }

    // The challenger's reward is bounded, so a self-challenge is never free.
    if (params.challengerRewardBps > 5_000n) {
      this.fail("the challenger's reward is at most 50%", `challengerRewardBps is ${params.challengerRewardBps}`);
    }

    // A node that only signs correct results never loses stake, and is never jailed.
    for (const node of s.nodes.filter((n) => n.honest)) {
      const now = slashables[stakers.indexOf(node)]! + m.get(m.withdrawn, node.address);
      const put = m.get(m.staked, node.address);
      if (now !== put) {
        this.fail(
          "a node that only signs correct results never loses stake",
          `${node.name} put in ${fmt(put)}, holds + withdrew ${fmt(now)}`,
        );
      }
      if ((await s.nodeRegistry.getNode(node.address)).jailed) {
        this.fail("a node that only signs correct results never loses stake", `${node.name} was jailed`);
      }
    }

    // No receipt finalizes while a dispute on it is open; a receipt judged wrong is never final.
    const finals = await Promise.all(
      m.disputes.map((d) => s.attestation.isFinal(d.receipt.receipt, d.receipt.batchId, d.receipt.proof)),
    );
    for (const [i, d] of m.disputes.entries()) {
      const final = finals[i];
      if (d.open && final)
        this.fail("no receipt finalizes while a dispute on it is open", `#${d.id} is open and its receipt is final`);
      if (d.outcome === "NodeWrong" && final)
        this.fail("a receipt judged wrong is never final", `#${d.id}'s receipt is final`);
    }
  }
}

export function fmt(amount: bigint): string {
  const whole = amount / TOKEN;
  const frac = amount % TOKEN;
  return frac === 0n ? `${whole}` : `${whole}.${frac.toString().padStart(18, "0").replace(/0+$/, "")}`;
}
