import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import { MIN_FEE_PER_NODE, deployRouterFixture } from "../fixtures/router";
import { randomHash } from "../helpers/receipts";
import { ReceiptState, RequestState, RouterHelper } from "../helpers/router";
import { propertyRuns } from "../helpers/propertyRuns";

async function propertyFixture() {
  const f = await deployRouterFixture();
  return { ...f, h: new RouterHelper(f) };
}

/** What an assigned node does in a round: serve the common output, serve another one, or miss the deadline. */
type Behaviour = "agree" | "disagree" | "absent";
const behaviour = fc.constantFrom<Behaviour>("agree", "agree", "disagree", "absent");

const scenario = fc.integer({ min: 1, max: 3 }).chain((redundancy) =>
  fc.record({
    redundancy: fc.constant(BigInt(redundancy)),
    fee: fc.bigInt({ min: MIN_FEE_PER_NODE * BigInt(redundancy), max: 10n ** 21n }),
    protocolFeeBps: fc.integer({ min: 0, max: 2_000 }),
    maxReassignments: fc.integer({ min: 0, max: 1 }),
    firstRound: fc.array(behaviour, { minLength: redundancy, maxLength: redundancy }),
    secondRound: fc.array(behaviour, { minLength: redundancy, maxLength: redundancy }),
    verdicts: fc.array(fc.boolean(), { minLength: redundancy, maxLength: redundancy }),
  }),
);

describe("InferenceRouter properties", function () {
  it("conserves every fee: escrow = paid to nodes + treasury share + refunds, and the router ends empty", async function () {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const f = await loadFixture(propertyFixture);
        const { router, token, disputes, attestations, treasury, consumer, admin, h } = f;
        await router.connect(admin).setProtocolFeeBps(s.protocolFeeBps);
        await router.connect(admin).setMaxReassignments(s.maxReassignments);
        const txs: ContractTransactionResponse[] = [];
        const consumerBefore = await token.balanceOf(consumer.address);
        const treasuryBefore = await token.balanceOf(treasury.address);
        const routerBefore = await token.balanceOf(await router.getAddress());

        const { id, tx } = await h.request({ redundancy: s.redundancy, fee: s.fee });
        txs.push(tx);
        const common = randomHash();
        const play = async (plan: Behaviour[]) => {
          const slots = await router.getAssignments(id);
          for (const [i, slot] of slots.entries()) {
            if (slot.rank !== 0n || plan[i] === "absent") continue;
            await h.fulfill(id, h.node(slot.node), plan[i] === "agree" ? common : randomHash());
          }
        };
        await play(s.firstRound);
        if (Number(await router.state(id)) === RequestState.Pending) await h.passDeadline(id);
        if (Number(await router.state(id)) === RequestState.Expired) {
          txs.push(await router.reassign(id));
          if (Number(await router.state(id)) === RequestState.Pending) {
            await play(s.secondRound);
            if (Number(await router.state(id)) === RequestState.Pending) await h.passDeadline(id);
          }
        }

        if (Number(await router.state(id)) === RequestState.Unservable) {
          txs.push(await router.refund(id));
        } else {
          for (const [i, slot] of (await router.getAssignments(id)).entries()) {
            if (slot.rank === 0n) continue;
            if ((await attestations.receiptState(slot.receiptHash)) === BigInt(ReceiptState.Disputed)) {
              await disputes.resolve(slot.receiptHash, s.verdicts[i]);
            }
          }
          await h.passWindows(id);
          expect(await router.state(id)).to.equal(RequestState.Settleable);
          txs.push(await router.settle(id));
        }

        // Settlement and refund only credit: every party withdraws what it was credited.
        for (const account of [consumer, treasury, ...f.routerNodes.map((n) => n.operator)]) {
          if ((await router.claimableOf(account.address)) > 0n) await router.connect(account).claim(account.address);
        }

        let paidToNodes = 0n;
        let toTreasury = 0n;
        let refunded = 0n;
        let penalties = 0n;
        for (const sent of txs) {
          const receipt = await sent.wait();
          for (const log of receipt?.logs ?? []) {
            const parsed = router.interface.parseLog(log);
            if (!parsed) continue;
            if (parsed.name === "FeePaid") paidToNodes += parsed.args.amount as bigint;
            if (parsed.name === "NodePenalized") penalties += parsed.args.slashed as bigint;
            if (parsed.name === "RequestRefunded") refunded += parsed.args.amount as bigint;
            if (parsed.name === "RequestSettled") {
              expect(parsed.args.paidToNodes).to.equal(paidToNodes);
              toTreasury += parsed.args.toTreasury as bigint;
              refunded += parsed.args.refunded as bigint;
            }
          }
        }
        expect(paidToNodes + toTreasury + refunded).to.equal(s.fee);
        expect(await token.balanceOf(await router.getAddress())).to.equal(routerBefore);
        expect(await token.balanceOf(consumer.address)).to.equal(consumerBefore - s.fee + refunded);
        expect(await token.balanceOf(treasury.address)).to.equal(treasuryBefore + toTreasury + penalties);
        expect(toTreasury * 10_000n).to.be.at.most((paidToNodes + toTreasury) * BigInt(s.protocolFeeBps));
      }),
      { numRuns: propertyRuns(30) },
    );
  });

  it("keeps the escrow equal to the fees of open requests through random action sequences, settling only final requests, and drains to zero", async function () {
    type Action =
      | { kind: "request"; redundancy: number; fee: bigint; byUri: boolean }
      | { kind: "claimInput"; request: number; slot: number }
      | { kind: "publish"; request: number }
      | { kind: "claim"; account: number }
      | { kind: "fulfil"; request: number; slot: number; agree: boolean }
      | { kind: "advance"; seconds: number }
      | { kind: "reassign" | "settle" | "refund"; request: number }
      | { kind: "resolve"; request: number; slot: number; wrong: boolean };
    const action: fc.Arbitrary<Action> = fc.oneof(
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant("request" as const),
          redundancy: fc.integer({ min: 1, max: 3 }),
          fee: fc.bigInt({ min: MIN_FEE_PER_NODE * 3n, max: 10n ** 19n }),
          byUri: fc.boolean(),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({ kind: fc.constant("claimInput" as const), request: fc.nat(4), slot: fc.nat(2) }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("publish" as const), request: fc.nat(4) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("claim" as const), account: fc.nat(7) }) },
      {
        weight: 5,
        arbitrary: fc.record({
          kind: fc.constant("fulfil" as const),
          request: fc.nat(4),
          slot: fc.nat(2),
          agree: fc.boolean(),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant("advance" as const),
          seconds: fc.constantFrom(60, 600, 3_600, 7_200),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constantFrom("reassign" as const, "settle" as const, "refund" as const),
          request: fc.nat(4),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant("resolve" as const),
          request: fc.nat(4),
          slot: fc.nat(2),
          wrong: fc.boolean(),
        }),
      },
    );

    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 30 }), async (tail) => {
        const actions: Action[] = [
          { kind: "request", redundancy: 2, fee: MIN_FEE_PER_NODE * 5n, byUri: false },
          ...tail,
        ];
        const f = await loadFixture(propertyFixture);
        const { router, token, disputes, attestations, admin, h } = f;
        await router.connect(admin).setMaxReassignments(actions.length % 2);
        const routerAddress = await router.getAddress();
        const ids: string[] = [];
        const outputs = new Map<string, string>();
        const inputs = new Map<string, string>();
        const accounts = [f.consumer, f.treasury, ...f.routerNodes.map((n) => n.operator)];
        const credits = async () => {
          let sum = 0n;
          for (const account of accounts) sum += await router.claimableOf(account.address);
          return sum;
        };
        const expected: Record<string, bigint> = {
          settle: BigInt(RequestState.Settleable),
          refund: BigInt(RequestState.Unservable),
          reassign: BigInt(RequestState.Expired),
        };

        for (const a of actions) {
          if (a.kind === "request") {
            const input = ethers.hexlify(ethers.randomBytes(32));
            const { id } = await h.request({
              redundancy: BigInt(a.redundancy),
              fee: a.fee,
              inputHash: ethers.keccak256(input),
              input: a.byUri ? "0x" : input,
            });
            ids.push(id);
            outputs.set(id, randomHash());
            inputs.set(id, input);
          } else if (a.kind === "claim") {
            const account = accounts[a.account % accounts.length];
            if ((await router.claimableOf(account.address)) > 0n) await router.connect(account).claim(account.address);
          } else if (a.kind === "advance") {
            await time.increase(a.seconds);
          } else if (ids.length > 0) {
            const id = ids[a.request % ids.length];
            const before = await router.state(id);
            if (a.kind === "fulfil") {
              const slots = await router.getAssignments(id);
              const slot =
                slots.find((x, i) => x.rank === 0n && i >= a.slot % slots.length) ?? slots.find((x) => x.rank === 0n);
              if (before !== BigInt(RequestState.Pending) || !slot) continue;
              await h.fulfill(id, h.node(slot.node), a.agree ? outputs.get(id) : randomHash());
            } else if (a.kind === "claimInput") {
              const slots = await router.getAssignments(id);
              const slot = slots[a.slot % slots.length];
              if (before !== BigInt(RequestState.Pending) || slot.rank !== 0n || slot.inputClaimed) continue;
              await router.connect(h.node(slot.node).operator).claimInputUnavailable(id);
            } else if (a.kind === "publish") {
              if (before !== BigInt(RequestState.Pending) || (await router.getRequest(id)).inputOnChain) continue;
              await router.publishInput(id, inputs.get(id)!);
            } else if (a.kind === "resolve") {
              const slots = await router.getAssignments(id);
              const slot = slots[a.slot % slots.length];
              if (slot.rank === 0n) continue;
              if ((await attestations.receiptState(slot.receiptHash)) !== BigInt(ReceiptState.Disputed)) continue;
              await disputes.resolve(slot.receiptHash, a.wrong);
            } else {
              const call = router[a.kind](id);
              if (before === expected[a.kind]) {
                await call;
                const after = await router.state(id);
                if (a.kind === "settle") expect(after).to.equal(RequestState.Settled);
                if (a.kind === "refund") expect(after).to.equal(RequestState.Refunded);
              } else {
                await expect(call)
                  .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
                  .withArgs(id, before, expected[a.kind]);
              }
            }
          }

          // Invariants after every step.
          let open = 0n;
          for (const id of ids) {
            const request = await router.getRequest(id);
            if (request.outcome === 0n) open += request.fee;
            if ((await router.state(id)) === BigInt(RequestState.Settleable)) {
              for (const slot of await router.getAssignments(id)) {
                if (slot.rank === 0n) continue;
                expect(await attestations.receiptState(slot.receiptHash)).to.not.equal(ReceiptState.Disputed);
              }
            }
          }
          // The router holds the fees of open requests and every credit not yet claimed, nothing else.
          expect(await token.balanceOf(routerAddress)).to.equal(open + (await credits()));
        }

        // Drain: every request reaches Settled or Refunded, and the router ends empty.
        await time.increase(3 * 86_400);
        for (const id of ids) {
          while (Number(await router.state(id)) === RequestState.Expired) {
            await router.reassign(id);
            if (Number(await router.state(id)) === RequestState.Pending) await h.passDeadline(id);
          }
          for (const slot of await router.getAssignments(id)) {
            if (slot.rank === 0n) continue;
            if ((await attestations.receiptState(slot.receiptHash)) === BigInt(ReceiptState.Disputed)) {
              await disputes.resolve(slot.receiptHash, true);
            }
          }
          await h.passWindows(id);
          const state = Number(await router.state(id));
          if (state === RequestState.Settleable) await router.settle(id);
          if (state === RequestState.Unservable) await router.refund(id);
          expect([RequestState.Settled, RequestState.Refunded]).to.include(Number(await router.state(id)));
        }
        for (const account of accounts) {
          if ((await router.claimableOf(account.address)) > 0n) await router.connect(account).claim(account.address);
        }
        expect(await token.balanceOf(routerAddress)).to.equal(0n);
      }),
      { numRuns: propertyRuns(30) },
    );
  });
});
