import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { encodeTensor, getTensorHash } from "../../src/protocol";
import { createNodeResponder } from "../../src/runtime/integerV2/fraudProofs";
import { DEFAULT_ROUTER_PARAMETERS } from "../../deploy/modules/VerityCore";
import { setupFraudJudge, type FraudJudgeSystem } from "../fixtures/fraudJudge";
import { Outcome, Phase, openGame, playGame } from "../helpers/fraudGame";
import { MOVE_PERIOD } from "../fixtures/fraudGame";
import { ReceiptState, RequestState } from "../helpers/router";
import type { Receipt } from "../helpers/receipts";

const FEE = ethers.parseEther("1");
const SHARE = FEE / 2n;
const CUT = (SHARE * BigInt(DEFAULT_ROUTER_PARAMETERS.protocolFeeBps)) / 10_000n;

/** A request of redundancy 2 by the consumer for `modelId` on the fixture's input (on chain); both nodes serve it. */
async function requestBoth(f: FraudJudgeSystem, modelId: string) {
  await f.token.mint(f.consumer.address, FEE);
  await f.token.connect(f.consumer).approve(await f.router.getAddress(), FEE);
  const tx = await f.router.connect(f.consumer).request({
    modelId,
    inputHash: getTensorHash(f.input),
    inputURI: "",
    input: encodeTensor(f.input),
    redundancy: 2,
    deadline: BigInt(await time.latest()) + 3_000n,
    callbackGasLimit: 0,
    fee: FEE,
  });
  const logs = (await tx.wait())!.logs.map((l) => f.router.interface.parseLog(l)).filter((l) => l !== null);
  const id = logs.find((l) => l.name === "RequestCreated")!.args.id as string;
  const assigned = logs.filter((l) => l.name === "NodeAssigned").map((l) => l.args.node as string);
  expect([...assigned].sort()).to.deep.equal([f.nodeAccount.address, f.nodeB.address].sort());
  return id;
}

/** The honest trace signed with another output: the node's fault shows at the output check. */
function wrongOutputRun(f: FraudJudgeSystem) {
  const output = { dtype: "int32" as const, shape: [1], data: Int32Array.of(4) };
  if (getTensorHash(output) === getTensorHash(f.honest.output)) output.data[0] = 3;
  return { ...f.honest, output };
}

/**
 * A v2 request fulfilled by the first node with the honest result, then by `nodeB` with a wrong output. Returns the
 * request id and both receipts.
 */
async function disagreeingFulfilments(f: FraudJudgeSystem) {
  const id = await requestBoth(f, f.commitment.modelId);
  const honest = await f.attest(f.input, f.honest, { requestId: id });
  await f.router.fulfill(id, honest, ethers.ZeroHash, []);
  const wrong = await f.attest(f.input, wrongOutputRun(f), { requestId: id, node: f.nodeB.address }, f.nodeB);
  return { id, honest, wrong };
}

/** The later of the two receipts' window ends, as the router cached them. */
async function lastWindowEnd(f: FraudJudgeSystem, id: string): Promise<bigint> {
  const slots = await f.router.getAssignments(id);
  return slots.reduce((max, a) => (a.windowEnd > max ? a.windowEnd : max), 0n);
}

/**
 * Opens the honest challenger's game on router fulfilment `receipt` of request `id` and plays it (to `stopAt`); `play`
 * goes on from there.
 */
async function challengeFulfillment(
  f: FraudJudgeSystem,
  id: string,
  receipt: Receipt,
  node: HardhatEthersSigner,
  stopAt?: Phase,
) {
  await f.game
    .connect(f.challenger)
    .challengeFulfillment(id, receipt, ethers.ZeroHash, [], f.challenger.address, 2n ** 255n);
  const gameId = await f.game.gameCount();
  const play = (until?: Phase) =>
    playGame({
      game: f.game,
      id: gameId,
      node,
      challenger: f.challenger,
      responder: createNodeResponder(f.model, f.honest.trace),
      strategy: f.strategy,
      receipt,
      input: f.input,
      ...(until === undefined ? {} : { stopAt: until }),
    });
  await play(stopAt);
  return { gameId, play };
}

describe("InferenceRouter: disagreements on fraud-provable models", function () {
  this.timeout(120_000);

  it("fulfil succeeds and reports the disagreement for the fraud game, opening no committee dispute", async function () {
    const f = await setupFraudJudge();
    const { id, honest, wrong } = await disagreeingFulfilments(f);
    const wrongHash = f.hashReceipt(wrong);
    await expect(f.router.fulfill(id, wrong, ethers.ZeroHash, []))
      .to.emit(f.router, "DisagreementNeedsFraudProof")
      .withArgs(id, f.nodeB.address, wrongHash, wrong.outputHash, honest.outputHash, await f.game.getAddress())
      .and.to.emit(f.router, "RequestFulfilled")
      .and.not.to.emit(f.router, "DisagreementDisputed")
      .and.not.to.emit(f.disputes, "DisputeOpened");
    expect(await f.disputes.disputeCount()).to.equal(0n);
    expect(await f.attestation.receiptState(wrongHash)).to.equal(ReceiptState.None);
    expect((await f.router.getRequest(id)).fulfilled).to.equal(2n);
  });

  it("disputeFulfillment reverts for either side, naming the fraud game", async function () {
    const f = await setupFraudJudge();
    const { id, honest, wrong } = await disagreeingFulfilments(f);
    await f.router.fulfill(id, wrong, ethers.ZeroHash, []);
    for (const receipt of [honest, wrong]) {
      await expect(f.router.connect(f.stranger).disputeFulfillment(id, receipt, ethers.ZeroHash, []))
        .to.be.revertedWithCustomError(f.router, "RouterDisagreementNeedsFraudProof")
        .withArgs(id, f.hashReceipt(receipt), await f.game.getAddress());
    }
  });

  it("pays nothing while a game is open, even after every window closed, then skips the rejected receipt", async function () {
    const f = await setupFraudJudge();
    const { id, honest, wrong } = await disagreeingFulfilments(f);
    await f.router.fulfill(id, wrong, ethers.ZeroHash, []);
    // The honest side opens the game on the wrong fulfilment late in its window; the node is yet to move.
    const windowEnd = await lastWindowEnd(f, id);
    await time.increaseTo(windowEnd - 60n);
    const { gameId, play } = await challengeFulfillment(f, id, wrong, f.nodeB, Phase.RevealTensors);
    await time.increaseTo(windowEnd + 1n);
    expect((await f.game.getGame(gameId)).phase).to.equal(Phase.RevealTensors);
    expect(await f.router.state(id)).to.equal(RequestState.Verifying);
    await expect(f.router.settle(id))
      .to.be.revertedWithCustomError(f.router, "RouterUnexpectedState")
      .withArgs(id, RequestState.Verifying, RequestState.Settleable);

    await play();
    expect((await f.game.getGame(gameId)).outcome).to.equal(Outcome.NodeWrong);
    expect(await f.attestation.receiptState(f.hashReceipt(wrong))).to.equal(ReceiptState.Rejected);
    expect(await f.router.state(id)).to.equal(RequestState.Settleable);
    await expect(f.router.settle(id))
      .to.emit(f.router, "RequestSettled")
      .withArgs(id, f.nodeAccount.address, honest.outputHash, SHARE - CUT, CUT, FEE - SHARE)
      .and.to.emit(f.router, "FeePaid")
      .withArgs(id, f.nodeAccount.address, SHARE - CUT);
    expect(await f.router.claimableOf(f.nodeAccount.address)).to.equal(SHARE - CUT);
    expect(await f.router.claimableOf(f.nodeB.address)).to.equal(0n);
    expect(await f.router.claimableOf(f.consumer.address)).to.equal(FEE - SHARE);
  });

  it("a game the wrong node's friend opens first and throws neither pays the wrong node nor shuts the honest challenger out", async function () {
    const f = await setupFraudJudge();
    const { id, honest, wrong } = await disagreeingFulfilments(f);
    await f.router.fulfill(id, wrong, ethers.ZeroHash, []);
    const wrongHash = f.hashReceipt(wrong);
    const thrown = await openGame(f.game, f.challenger2, wrong);
    await f.game.connect(f.nodeB).revealTensors(thrown, createNodeResponder(f.model, f.honest.trace).tensorRoots());
    // The friend never moves again; anyone ends the game once the move period is over.
    await time.increase(MOVE_PERIOD + 1n);
    await f.game.connect(f.stranger).timeout(thrown);
    expect((await f.game.getGame(thrown)).outcome).to.equal(Outcome.NodeRight);
    expect(await f.attestation.receiptState(wrongHash)).to.equal(ReceiptState.None);
    // The cached windows have closed, but the registry extended the wrong receipt's: the request keeps waiting.
    const extendedEnd = (await f.attestation.getReceiptDispute(wrongHash)).windowEnd;
    expect(extendedEnd).to.be.greaterThan(await lastWindowEnd(f, id));
    expect(BigInt(await time.latest())).to.be.greaterThanOrEqual(await lastWindowEnd(f, id));
    expect(await f.router.state(id)).to.equal(RequestState.Verifying);

    const { gameId } = await challengeFulfillment(f, id, wrong, f.nodeB);
    expect((await f.game.getGame(gameId)).outcome).to.equal(Outcome.NodeWrong);
    await time.increaseTo(extendedEnd);
    await expect(f.router.settle(id))
      .to.emit(f.router, "RequestSettled")
      .withArgs(id, f.nodeAccount.address, honest.outputHash, SHARE - CUT, CUT, FEE - SHARE);
    expect(await f.router.claimableOf(f.nodeB.address)).to.equal(0n);
  });

  it("when nobody plays, pays neither side and gives the consumer its fee back", async function () {
    const f = await setupFraudJudge();
    const { id, wrong } = await disagreeingFulfilments(f);
    await f.router.fulfill(id, wrong, ethers.ZeroHash, []);
    await time.increaseTo((await lastWindowEnd(f, id)) + 1n);
    await expect(f.router.settle(id))
      .to.emit(f.router, "RequestSettled")
      .withArgs(id, ethers.ZeroAddress, ethers.ZeroHash, 0n, 0n, FEE)
      .and.not.to.emit(f.router, "FeePaid");
    expect(await f.router.claimableOf(f.consumer.address)).to.equal(FEE);
    // The registry knows no verdict: the unchallenged wrong receipt is final there, as any unchallenged receipt is.
    expect(await f.attestation.isReceiptFinal(wrong)).to.equal(true);
  });

  it("still opens the committee dispute on a disagreement for a model the fraud game can't decide", async function () {
    const f = await setupFraudJudge();
    const modelId = f.exactV1.id;
    for (const node of [f.nodeAccount, f.nodeB]) {
      await f.nodes.connect(node).updateModels([f.commitment.modelId, modelId]);
    }
    const id = await requestBoth(f, modelId);
    const receiptOf = (node: HardhatEthersSigner, outputHash: string) =>
      f.attest(f.input, f.honest, { requestId: id, modelId, node: node.address, outputHash }, node);
    const first = await receiptOf(f.nodeAccount, ethers.id("output one"));
    await f.router.fulfill(id, first, ethers.ZeroHash, []);
    const second = await receiptOf(f.nodeB, ethers.id("output two"));
    await expect(f.router.fulfill(id, second, ethers.ZeroHash, []))
      .to.emit(f.router, "DisagreementDisputed")
      .withArgs(id, f.nodeB.address, f.hashReceipt(second), second.outputHash)
      .and.to.emit(f.disputes, "DisputeOpened")
      .and.not.to.emit(f.router, "DisagreementNeedsFraudProof");
    expect(await f.attestation.receiptState(f.hashReceipt(second))).to.equal(ReceiptState.Disputed);
    // The earlier side can be put under a committee too, as before.
    await expect(f.router.disputeFulfillment(id, first, ethers.ZeroHash, [])).to.emit(f.router, "DisagreementDisputed");
    expect(await f.disputes.disputeCount()).to.equal(2n);
  });
});
