import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import type { ContractTransactionResponse } from "ethers";
import { MIN_FEE_PER_NODE, deployRouterFixture } from "../fixtures/router";
import { randomHash } from "../helpers/receipts";
import { ReceiptState, RequestState, RouterHelper } from "../helpers/router";

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
      { numRuns: 30 },
    );
  });
});
