import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { DEFAULT_PARAMETERS, DisputeHelper, Outcome, Verdict } from "../fixtures/dispute";
import type { Operator } from "../fixtures/dispute";
import { RESPONSE_TIME, deployRouterOnDisputesFixture } from "../fixtures/router";
import { hashReceipt, makeReceipt, randomHash, signReceiptEthers } from "../helpers/receipts";
import { ReceiptState, RequestState } from "../helpers/router";

/**
 * Found while adapting the whole-system property (test/system) to expiring disputes: a dispute that expires undecided
 * extends the receipt's challenge
 * window in the attestation registry, but the router judged finality by the window end it copied at `fulfill`. So a
 * wrong receipt whose accomplice's dispute expired was paid while still challengeable, and the honest challenge that
 * then rejected it came too late: "a receipt judged wrong is never paid" was broken.
 */
async function expiredDisputeFixture() {
  const sys = await deployRouterOnDisputesFixture();
  const { router, consumer, modelId, manager, attestation } = sys;
  const fee = ethers.parseEther("1");
  const inputHash = randomHash();
  const id = await router.computeRequestId(consumer.address, 0n);
  await router.connect(consumer).request({
    modelId,
    inputHash,
    inputURI: "ipfs://input",
    input: "0x",
    redundancy: 1n,
    deadline: BigInt(await time.latest()) + RESPONSE_TIME,
    callbackGasLimit: 0n,
    fee,
  });
  const [assigned] = (await router.getAssignments(id)).map((a) => a.node);
  const node = [sys.node, sys.nodeB].find((o) => o.address === assigned) as Operator;
  // The assigned node lies, and its accomplice disputes the lie at once so that nobody else can be first.
  const wrong = makeReceipt(node.address, modelId, { requestId: id, inputHash, outputHash: randomHash() });
  await attestation.submitReceipt(wrong, await signReceiptEthers(node.signer, sys.domain, wrong));
  await router.fulfill(id, wrong, ethers.ZeroHash, []);
  const helper = new DisputeHelper(sys);
  const disputeId = await helper.challenge(wrong);
  // Nobody draws, votes or arbitrates: it expires undecided, which upholds nothing and extends the window.
  const d = await manager.getDispute(disputeId);
  await time.increaseTo(d.challengedAt + DEFAULT_PARAMETERS.commitPeriod + DEFAULT_PARAMETERS.arbitrationPeriod);
  await manager.resolve(disputeId);
  expect((await manager.getDispute(disputeId)).outcome).to.equal(Outcome.Expired);
  return { ...sys, id, node, wrong, helper };
}

describe("InferenceRouter after a dispute expired undecided", function () {
  it("is not settleable while the receipt's extended window is open", async function () {
    const { router, attestation, id, wrong } = await loadFixture(expiredDisputeFixture);
    const [slot] = await router.getAssignments(id);
    const { windowEnd } = await attestation.getReceiptDispute(hashReceipt(wrong));
    expect(BigInt(await time.latest())).to.be.at.least(slot.windowEnd);
    expect(windowEnd).to.be.greaterThan(BigInt(await time.latest()));
    expect(await attestation.receiptState(hashReceipt(wrong))).to.equal(ReceiptState.None);
    expect(await attestation.isFinal(wrong, ethers.ZeroHash, [])).to.equal(false);

    expect(await router.state(id)).to.equal(RequestState.Verifying);
    await expect(router.settle(id)).to.be.revertedWithCustomError(router, "RouterUnexpectedState");

    await time.increaseTo(windowEnd);
    expect(await attestation.isFinal(wrong, ethers.ZeroHash, [])).to.equal(true);
    expect(await router.state(id)).to.equal(RequestState.Settleable);
  });

  it("never pays a wrong receipt that an honest challenger rejects in its extended window", async function () {
    const { router, manager, helper, challenger2, id, node, wrong } = await loadFixture(expiredDisputeFixture);
    // The node's side settles at once, before anyone else can challenge: refused, the receipt is not final.
    await expect(router.settle(id)).to.be.revertedWithCustomError(router, "RouterUnexpectedState");
    // An honest challenger challenges again within the extended window; the receipt is found wrong.
    const again = await helper.challenge(wrong, challenger2);
    await helper.draw(again);
    await helper.vote(again, [Verdict.NodeWrong, Verdict.NodeWrong, Verdict.NodeWrong]);
    await manager.resolve(again);
    expect((await manager.getDispute(again)).outcome).to.equal(Outcome.NodeWrong);

    expect(await router.state(id)).to.equal(RequestState.Settleable);
    await expect(router.settle(id)).to.not.emit(router, "FeePaid");
    expect(await router.claimableOf(node.address)).to.equal(0n);
  });
});
