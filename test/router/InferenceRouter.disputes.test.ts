import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { expect } from "chai";
import { ethers } from "hardhat";
import { DisputeHelper, Outcome, Verdict } from "../fixtures/dispute";
import type { Operator } from "../fixtures/dispute";
import { MIN_FEE_PER_NODE, PROTOCOL_FEE_BPS, RESPONSE_TIME, deployRouterOnDisputesFixture } from "../fixtures/router";
import { hashReceipt, makeReceipt, randomHash, signReceiptEthers } from "../helpers/receipts";
import { ReceiptState, RequestState } from "../helpers/router";

const BPS = 10_000n;

type System = Awaited<ReturnType<typeof deployRouterOnDisputesFixture>>;

/** A redundancy-2 request on the dispute system whose two nodes claim different outputs. */
async function disagreementFixture() {
  const sys = await deployRouterOnDisputesFixture();
  const { router, consumer, modelId } = sys;
  const fee = ethers.parseEther("1");
  const id = await router.computeRequestId(consumer.address, 0n);
  await router.connect(consumer).request({
    modelId,
    inputHash: randomHash(),
    inputURI: "ipfs://input",
    input: "0x",
    redundancy: 2n,
    deadline: BigInt(await time.latest()) + RESPONSE_TIME,
    callbackGasLimit: 0n,
    fee,
  });
  const assigned = (await router.getAssignments(id)).map((a) => a.node);
  const operators = [sys.node, sys.nodeB];
  const byAddress = (address: string): Operator => {
    const found = operators.find((o) => o.address === address);
    if (!found) throw new Error(`unexpected assignee ${address}`);
    return found;
  };
  const [first, second] = assigned.map(byAddress);
  return { ...sys, id, fee, first, second, helper: new DisputeHelper(sys) };
}

async function attestFor(sys: System, id: string, node: Operator, outputHash: string) {
  const request = await sys.router.getRequest(id);
  const receipt = makeReceipt(node.address, request.modelId, {
    requestId: id,
    inputHash: request.inputHash,
    outputHash,
  });
  await sys.attestation.submitReceipt(receipt, await signReceiptEthers(node.signer, sys.domain, receipt));
  return receipt;
}

/** Moves time past every fulfilled receipt's window, if it is not already. */
async function passWindows(sys: System, id: string) {
  const last = (await sys.router.getAssignments(id)).reduce((m, a) => (a.windowEnd > m ? a.windowEnd : m), 0n);
  if (last > BigInt(await time.latest())) await time.increaseTo(last);
}

/** Runs the committees of several open disputes side by side (each drawn, committed, revealed), then resolves them. */
async function judgeTogether(sys: Awaited<ReturnType<typeof disagreementFixture>>, verdicts: [bigint, Verdict][]) {
  const { manager, helper } = sys;
  const committees = [];
  for (const [id] of verdicts) committees.push(await helper.draw(id));
  const salts = committees.map((c) => c.map(() => randomHash()));
  for (const [k, [id, verdict]] of verdicts.entries()) {
    for (const [i, member] of committees[k].entries()) await helper.commit(id, member, verdict, salts[k][i]);
  }
  let commitEnd = 0n;
  let revealEnd = 0n;
  for (const [id] of verdicts) {
    const d = await manager.getDispute(id);
    if (d.commitEnd > commitEnd) commitEnd = d.commitEnd;
    if (d.revealEnd > revealEnd) revealEnd = d.revealEnd;
  }
  await time.increaseTo(commitEnd);
  for (const [k, [id, verdict]] of verdicts.entries()) {
    for (const [i, member] of committees[k].entries()) await helper.reveal(id, member, verdict, salts[k][i]);
  }
  await time.increaseTo(revealEnd);
  for (const [id] of verdicts) await manager.resolve(id);
}

describe("InferenceRouter with the DisputeManager", function () {
  describe("when two assigned nodes disagree", function () {
    it("opens a bond-less dispute with the router as challenger and the treasury as beneficiary", async function () {
      const sys = await loadFixture(disagreementFixture);
      const { router, manager, token, staking, treasury, id, first, second } = sys;
      const honestOutput = randomHash();
      const a = await attestFor(sys, id, first, honestOutput);
      await router.fulfill(id, a, ethers.ZeroHash, []);
      const b = await attestFor(sys, id, second, randomHash());
      const bonds = await manager.totalBonds();
      const atRisk =
        ((await staking.slashableStakeOf(second.address)) * (await manager.getParameters()).slashBps) / BPS;
      const tx = router.fulfill(id, b, ethers.ZeroHash, []);
      await expect(tx)
        .to.emit(manager, "DisputeOpened")
        .withArgs(
          1n,
          hashReceipt(b),
          second.address,
          ethers.ZeroHash,
          await router.getAddress(),
          treasury.address,
          honestOutput,
          0n,
          atRisk,
          anyValue,
        )
        .and.to.emit(router, "DisagreementDisputed")
        .withArgs(id, second.address, hashReceipt(b), b.outputHash);
      await expect(tx).to.changeTokenBalances(token, [router, manager], [0n, 0n]);
      expect(await manager.totalBonds()).to.equal(bonds);
      expect(await manager.disputeOfReceipt(hashReceipt(b))).to.equal(1n);
    });

    it("settles after the committee finds the disagreeing node wrong: it is slashed, jailed and unpaid", async function () {
      const sys = await loadFixture(disagreementFixture);
      const { router, manager, token, attestation, nodeRegistry, staking, consumer, treasury, id, fee } = sys;
      const { first, second, helper } = sys;
      const honest = await attestFor(sys, id, first, randomHash());
      await router.fulfill(id, honest, ethers.ZeroHash, []);
      const wrong = await attestFor(sys, id, second, randomHash());
      await router.fulfill(id, wrong, ethers.ZeroHash, []);
      const disputeId = await manager.disputeOfReceipt(hashReceipt(wrong));

      await helper.draw(disputeId);
      await helper.vote(disputeId, [Verdict.NodeWrong, Verdict.NodeWrong, Verdict.NodeWrong]);
      expect(await router.state(id)).to.equal(RequestState.Verifying);
      const stakeBefore = await staking.slashableStakeOf(second.address);
      const d = await manager.getDispute(disputeId);
      const slashed = d.amountAtRisk;
      // `Staking` pays the manager the rounded-down sum of both shares; the voters' part loses at most a wei of
      // rounding per voter (three), which goes to the treasury.
      const received = (slashed * (d.params.challengerRewardBps + d.params.voterRewardBps)) / BPS;
      const challengerReward = (slashed * d.params.challengerRewardBps) / BPS;
      let voterRewards = -1n;
      await expect(manager.resolve(disputeId))
        .to.emit(manager, "DisputeResolved")
        .withArgs(
          disputeId,
          Outcome.NodeWrong,
          slashed,
          challengerReward,
          (v: bigint) => {
            voterRewards = v;
            return v <= received - challengerReward && v > received - challengerReward - 3n;
          },
          (t: bigint) => t === slashed - challengerReward - voterRewards,
        );
      expect(await attestation.receiptState(hashReceipt(wrong))).to.equal(ReceiptState.Rejected);
      expect((await nodeRegistry.getNode(second.address)).jailed).to.equal(true);
      expect(await staking.slashableStakeOf(second.address)).to.be.lessThan(stakeBefore);
      expect(await manager.claimableOf(treasury.address)).to.be.greaterThan(0n);

      await passWindows(sys, id);
      expect(await router.state(id)).to.equal(RequestState.Settleable);
      const share = fee / 2n;
      const cut = (share * PROTOCOL_FEE_BPS) / 10_000n;
      const parties = [first.address, second.address, consumer.address];
      const before = await Promise.all(parties.map((a) => router.claimableOf(a)));
      const tx = router.settle(id);
      await expect(tx).to.changeTokenBalances(
        token,
        [router, first.account, second.account, consumer],
        [0n, 0n, 0n, 0n],
      );
      await expect(tx)
        .to.emit(router, "RequestSettled")
        .withArgs(id, first.address, honest.outputHash, share - cut, cut, fee - share);
      const after = await Promise.all(parties.map((a) => router.claimableOf(a)));
      expect(after.map((a, i) => a - before[i])).to.deep.equal([share - cut, 0n, fee - share]);
    });

    it("pays both and delivers the earliest upheld output when the committees find both sides right", async function () {
      const sys = await loadFixture(disagreementFixture);
      const { router, manager, id, fee, first, second } = sys;
      const a = await attestFor(sys, id, first, randomHash());
      await router.fulfill(id, a, ethers.ZeroHash, []);
      const b = await attestFor(sys, id, second, randomHash());
      await router.fulfill(id, b, ethers.ZeroHash, []);
      await router.disputeFulfillment(id, a, ethers.ZeroHash, []);
      const ids = [await manager.disputeOfReceipt(hashReceipt(a)), await manager.disputeOfReceipt(hashReceipt(b))];
      await judgeTogether(sys, [
        [ids[0], Verdict.NodeRight],
        [ids[1], Verdict.NodeRight],
      ]);
      for (const disputeId of ids) expect((await manager.getDispute(disputeId)).outcome).to.equal(Outcome.NodeRight);
      await passWindows(sys, id);
      const share = fee / 2n;
      const cut = (share * PROTOCOL_FEE_BPS) / 10_000n;
      await expect(router.settle(id))
        .to.emit(router, "RequestSettled")
        .withArgs(id, first.address, a.outputHash, 2n * (share - cut), 2n * cut, 0n);
    });

    it("a wrong first fulfilment and an honest second: both go under judgment, the wrong one is slashed and never paid, the honest one is paid", async function () {
      const sys = await loadFixture(disagreementFixture);
      const { router, manager, attestation, staking, consumer, id, fee, first, second } = sys;
      const wrong = await attestFor(sys, id, first, randomHash());
      await router.fulfill(id, wrong, ethers.ZeroHash, []);
      const honest = await attestFor(sys, id, second, randomHash());
      await expect(router.fulfill(id, honest, ethers.ZeroHash, [])).to.emit(manager, "DisputeOpened");
      await expect(router.disputeFulfillment(id, wrong, ethers.ZeroHash, []))
        .to.emit(router, "DisagreementDisputed")
        .withArgs(id, first.address, hashReceipt(wrong), wrong.outputHash);
      const stakeBefore = await staking.slashableStakeOf(first.address);
      await judgeTogether(sys, [
        [await manager.disputeOfReceipt(hashReceipt(wrong)), Verdict.NodeWrong],
        [await manager.disputeOfReceipt(hashReceipt(honest)), Verdict.NodeRight],
      ]);
      expect(await attestation.receiptState(hashReceipt(wrong))).to.equal(ReceiptState.Rejected);
      expect(await attestation.receiptState(hashReceipt(honest))).to.equal(ReceiptState.Upheld);
      expect(await staking.slashableStakeOf(first.address)).to.be.lessThan(stakeBefore);
      await passWindows(sys, id);
      const share = fee / 2n;
      const cut = (share * PROTOCOL_FEE_BPS) / 10_000n;
      const parties = [first.address, second.address, consumer.address];
      const before = await Promise.all(parties.map((p) => router.claimableOf(p)));
      await expect(router.settle(id))
        .to.emit(router, "RequestSettled")
        .withArgs(id, second.address, honest.outputHash, share - cut, cut, fee - share);
      const after = await Promise.all(parties.map((p) => router.claimableOf(p)));
      expect(after.map((v, i) => v - before[i])).to.deep.equal([0n, share - cut, fee - share]);
    });

    it("still opens the dispute while the manager is paused", async function () {
      const sys = await loadFixture(disagreementFixture);
      const { router, manager, pauser, id, first, second } = sys;
      await manager.connect(pauser).pause();
      await router.fulfill(id, await attestFor(sys, id, first, randomHash()), ethers.ZeroHash, []);
      await expect(router.fulfill(id, await attestFor(sys, id, second, randomHash()), ethers.ZeroHash, [])).to.emit(
        manager,
        "DisputeOpened",
      );
    });
  });

  describe("openRouterDispute", function () {
    it("reverts for a caller without the router role", async function () {
      const sys = await loadFixture(disagreementFixture);
      const { manager, stranger, id, first } = sys;
      const receipt = await attestFor(sys, id, first, randomHash());
      await expect(manager.connect(stranger).openRouterDispute(receipt, ethers.ZeroHash, [], randomHash()))
        .to.be.revertedWithCustomError(manager, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, await manager.ROUTER_ROLE());
    });
  });

  it("charges the request's minimum fee per node in the stake token", async function () {
    const { router, staking } = await loadFixture(deployRouterOnDisputesFixture);
    expect(await router.token()).to.equal(await staking.token());
    expect(await router.minFeePerNode()).to.equal(MIN_FEE_PER_NODE);
  });
});
