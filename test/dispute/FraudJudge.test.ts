import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { getTensorHash } from "../../src/protocol";
import { createNodeResponder } from "../../src/runtime/integerV2/fraudProofs";
import { MOVE_PERIOD, NODE_STAKE, deployAnotherFraudGame } from "../fixtures/fraudGame";
import { setupFraudJudge, type FraudJudgeSystem } from "../fixtures/fraudJudge";
import { Outcome as CommitteeOutcome, ReceiptState, Verdict } from "../fixtures/dispute";
import { Outcome, openGame, playGame } from "../helpers/fraudGame";
import type { Receipt } from "../helpers/receipts";

/** Plays the honest challenger's game on `receipt` (a run whose trace is `trace`) to its end. */
async function playHonestGame(f: FraudJudgeSystem, receipt: Receipt, run: ReturnType<FraudJudgeSystem["wrongRun"]>) {
  const id = await openGame(f.game, f.challenger, receipt);
  await playGame({
    game: f.game,
    id,
    node: f.nodeAccount,
    challenger: f.challenger,
    responder: createNodeResponder(f.model, run.trace),
    strategy: f.strategy,
    receipt,
    input: f.input,
  });
  return id;
}

describe("Fraud judge: the fraud game alone decides receipts of fraud-provable models", function () {
  this.timeout(120_000);

  describe("the node's accomplice acting first through a committee", function () {
    it("can't open a committee dispute on a wrong v2 receipt; the honest challenger's game then opens and slashes the node", async function () {
      const f = await setupFraudJudge();
      const wrong = f.wrongRun();
      const receipt = await f.attest(f.input, wrong);
      const receiptHash = f.hashReceipt(receipt);
      const gameAddress = await f.game.getAddress();
      // The accomplice names the node as beneficiary and would have a friendly committee uphold the receipt.
      await expect(
        f.disputes
          .connect(f.challenger2)
          .challenge(receipt, ethers.ZeroHash, [], ethers.id("another output"), f.nodeAccount.address, 2n ** 255n),
      )
        .to.be.revertedWithCustomError(f.attestation, "AttestationDisputeNeedsFraudProof")
        .withArgs(receiptHash, f.commitment.modelId, gameAddress);
      expect(await f.disputes.disputeCount()).to.equal(0n);
      expect(await f.attestation.receiptState(receiptHash)).to.equal(ReceiptState.None);
      expect(await f.staking.lockedStakeOf(f.nodeAccount.address)).to.equal(0n);

      const { amountAtRisk } = await f.game.previewBond(f.nodeAccount.address);
      const id = await playHonestGame(f, receipt, wrong);
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeWrong);
      expect(await f.attestation.receiptState(receiptHash)).to.equal(ReceiptState.Rejected);
      expect(await f.staking.slashableStakeOf(f.nodeAccount.address)).to.equal(NODE_STAKE - amountAtRisk);
      expect(await f.nodes.isActive(f.nodeAccount.address)).to.equal(false);
      // A rejected receipt never becomes final, and no committee can take it afterwards either.
      await time.increase(2n * 3_600n);
      expect(await f.attestation.isReceiptFinal(receipt)).to.equal(false);
    });

    it("can't open one through the router's bondless dispute path, even as a holder of ROUTER_ROLE", async function () {
      const f = await setupFraudJudge();
      const receipt = await f.attest(f.input, f.wrongRun());
      await f.disputes.grantRole(await f.disputes.ROUTER_ROLE(), f.stranger.address);
      await expect(
        f.disputes.connect(f.stranger).openRouterDispute(receipt, ethers.ZeroHash, [], ethers.id("another output")),
      )
        .to.be.revertedWithCustomError(f.attestation, "AttestationDisputeNeedsFraudProof")
        .withArgs(f.hashReceipt(receipt), f.commitment.modelId, await f.game.getAddress());
    });

    it("can't open one as any other holder of the registry's DISPUTE_ROLE, for a single or a batched receipt", async function () {
      const f = await setupFraudJudge();
      const { buildTree, proofOf, batchIdOf, signBatchEthers, randomHash } = await import("../helpers/receipts");
      await f.attestation.grantRole(await f.attestation.DISPUTE_ROLE(), f.stranger.address);
      const single = await f.attest(f.input, f.wrongRun());
      const wrong = f.wrongRun();
      const receipts = [0, 1].map(() => ({
        ...single,
        requestId: randomHash(),
        outputHash: getTensorHash(wrong.output),
        traceRoot: wrong.trace.traceRoot,
      }));
      const tree = buildTree(receipts);
      const batch = {
        node: f.nodeAccount.address,
        sequence: await f.attestation.nextSequence(f.nodeAccount.address),
        root: tree.root,
        count: 2n,
        dataHash: randomHash(),
      };
      await f.attestation.submitBatch(batch, await signBatchEthers(f.signers[0]!, f.domain, batch));
      const batchId = batchIdOf(f.nodeAccount.address, tree.root);
      for (const [receipt, id, proof] of [
        [single, ethers.ZeroHash, []],
        [receipts[1]!, batchId, proofOf(tree, receipts[1]!)],
      ] as const) {
        await expect(f.attestation.connect(f.stranger).openDispute(receipt, id, [...proof]))
          .to.be.revertedWithCustomError(f.attestation, "AttestationDisputeNeedsFraudProof")
          .withArgs(f.hashReceipt(receipt), f.commitment.modelId, await f.game.getAddress());
      }
      // Naming a committee model in the receipt changes its hash: it is not the attested receipt.
      const renamed = { ...single, modelId: f.exactV1.id };
      await expect(f.attestation.connect(f.stranger).openDispute(renamed, ethers.ZeroHash, []))
        .to.be.revertedWithCustomError(f.attestation, "AttestationReceiptNotAttested")
        .withArgs(f.hashReceipt(renamed), ethers.ZeroHash);
      // The fraud game opens on the batched receipt.
      await f.game
        .connect(f.challenger)
        .challenge(receipts[1]!, batchId, proofOf(tree, receipts[1]!), f.challenger.address, 2n ** 255n);
      expect(await f.attestation.receiptState(f.hashReceipt(receipts[1]!))).to.equal(ReceiptState.Disputed);
    });
  });

  describe("models the fraud game can't decide", function () {
    for (const [label, key] of [
      ["an EXACT model of the v1 runtime", "exactV1"],
      ["a TOLERANCE model of the v2 runtime", "toleranceV2"],
    ] as const) {
      it(`are decided by the committee as before: ${label}`, async function () {
        const f = await setupFraudJudge();
        const modelId = f[key].id;
        expect(await f.game.isFraudProvable(modelId)).to.equal(false);
        expect(await f.attestation.fraudJudgeOf(modelId)).to.equal(ethers.ZeroAddress);
        const committee = f.committee(modelId);
        const receipt = await committee.attestReceipt();
        await expect(
          f.game.connect(f.challenger).challenge(receipt, ethers.ZeroHash, [], f.challenger.address, 2n ** 255n),
        ).to.be.revertedWithCustomError(f.game, "FraudGameModelNotFraudProvable");

        const { amountAtRisk } = await f.disputes.previewBond(f.nodeAccount.address);
        const id = await committee.challenge(receipt);
        expect(await f.attestation.receiptState(f.hashReceipt(receipt))).to.equal(ReceiptState.Disputed);
        await committee.draw(id);
        await committee.vote(id, [Verdict.NodeWrong, Verdict.NodeWrong, Verdict.NodeWrong]);
        await f.disputes.resolve(id);
        expect((await f.disputes.getDispute(id)).outcome).to.equal(CommitteeOutcome.NodeWrong);
        expect(await f.attestation.receiptState(f.hashReceipt(receipt))).to.equal(ReceiptState.Rejected);
        expect(await f.staking.slashableStakeOf(f.nodeAccount.address)).to.equal(NODE_STAKE - amountAtRisk);
      });
    }

    it("isFraudProvable is true only for EXACT models of verity-int8-v2, and the registry's fraudJudgeOf follows it", async function () {
      const f = await setupFraudJudge();
      const gameAddress = await f.game.getAddress();
      for (const [modelId, provable] of [
        [f.commitment.modelId, true],
        [f.exactV1.id, false],
        [f.toleranceV2.id, false],
        [ethers.id("never registered"), false],
      ] as const) {
        expect(await f.game.isFraudProvable(modelId)).to.equal(provable);
        expect(await f.attestation.fraudJudgeOf(modelId)).to.equal(provable ? gameAddress : ethers.ZeroAddress);
      }
    });
  });

  describe("what changes after a receipt is attested", function () {
    it("nothing a party controls moves a receipt to the committee: a deprecated v2 model stays with the fraud game", async function () {
      const f = await setupFraudJudge();
      const wrong = f.wrongRun();
      const receipt = await f.attest(f.input, wrong);
      // The model's owner (here the deployer) deprecates it after the receipt: its registration does not change.
      await f.models.deprecateModel(f.commitment.modelId);
      expect(await f.models.isActive(f.commitment.modelId)).to.equal(false);
      await expect(
        f.disputes
          .connect(f.challenger2)
          .challenge(receipt, ethers.ZeroHash, [], ethers.id("another output"), f.challenger2.address, 2n ** 255n),
      ).to.be.revertedWithCustomError(f.attestation, "AttestationDisputeNeedsFraudProof");
      const id = await playHonestGame(f, receipt, wrong);
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeWrong);
    });

    it("a change of fraud judge leaves open games with the game that opened them; the old game opens no new one", async function () {
      const f = await setupFraudJudge();
      const open = await f.attest(f.input, f.wrongRun());
      const oldId = await openGame(f.game, f.challenger, open);

      const successor = await deployAnotherFraudGame(f, f.deployer.address);
      const successorAddress = await successor.getAddress();
      const role = await f.attestation.DISPUTE_ROLE();
      for (const c of [f.attestation, f.staking, f.nodes]) await c.grantRole(role, successorAddress);
      await expect(f.attestation.setFraudJudge(successorAddress))
        .to.emit(f.attestation, "FraudJudgeSet")
        .withArgs(await f.game.getAddress(), successorAddress);

      const next = await f.attest(f.input, f.wrongRun());
      await expect(openGame(f.game, f.challenger, next))
        .to.be.revertedWithCustomError(f.attestation, "AttestationDisputeNeedsFraudProof")
        .withArgs(f.hashReceipt(next), f.commitment.modelId, successorAddress);
      await f.token.connect(f.challenger2).approve(successorAddress, ethers.MaxUint256);
      await openGame(successor, f.challenger2, next);
      expect(await f.attestation.receiptState(f.hashReceipt(next))).to.equal(ReceiptState.Disputed);

      // The old game still settles its own: the node stays silent and loses.
      await time.increase(MOVE_PERIOD + 1n);
      await f.game.timeout(oldId);
      expect((await f.game.getGame(oldId)).outcome).to.equal(Outcome.NodeWrong);
      expect(await f.attestation.receiptState(f.hashReceipt(open))).to.equal(ReceiptState.Rejected);
    });
  });
});
