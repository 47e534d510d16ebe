import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { createChallenger, createNodeResponder } from "../../src/runtime/integerV2/fraudProofs";
import { buildInput, deployFraudGameFixture, MOVE_PERIOD, runModel } from "../fixtures/fraudGame";
import { Outcome, Phase, Reason, openGame, playGame } from "../helpers/fraudGame";

type Hex = `0x${string}`;

/**
 * Every refusal of a fraud-game move, each from the state an honest game reaches: a node that tampered with element
 * 100 of tensor 1 (conv2d, 144 elements in 5 chunks, 3 accumulator segments) against an honest challenger.
 */
describe("FraudGame refusals", function () {
  this.timeout(120_000);

  async function openOnTamperedConv() {
    const f = await loadFixture(deployFraudGameFixture);
    const input = buildInput(f.model);
    const honest = runModel(f.model, input);
    const bad = runModel(f.model, input, (ts) => {
      ts[1]![100]! += 1;
    });
    const receipt = await f.attest(input, bad);
    const id = await openGame(f.game, f.challenger, receipt);
    const responder = createNodeResponder(f.model, bad.trace);
    const strategy = createChallenger(f.model, f.commitment, honest.trace);
    const byNode = f.game.connect(f.nodeAccount);
    const byChallenger = f.game.connect(f.challenger);
    /** Plays both sides honestly up to (not into) `phase`. */
    const playTo = (phase: Phase) =>
      playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder,
        strategy,
        receipt,
        input,
        stopAt: phase,
      });
    return { ...f, input, honest, bad, receipt, id, responder, strategy, byNode, byChallenger, playTo };
  }

  describe("opening", function () {
    it("refuses a zero beneficiary and a bond above the challenger's maximum", async function () {
      const f = await loadFixture(deployFraudGameFixture);
      const input = buildInput(f.model);
      const receipt = await f.attest(input, runModel(f.model, input));
      const game = f.game.connect(f.challenger);
      await expect(
        game.challenge(receipt, ethers.ZeroHash, [], ethers.ZeroAddress, 2n ** 255n),
      ).to.be.revertedWithCustomError(f.game, "FraudGameZeroAddress");
      const { bond } = await f.game.previewBond(f.nodeAccount.address);
      expect(bond).to.be.greaterThan(0n);
      await expect(game.challenge(receipt, ethers.ZeroHash, [], f.challenger.address, bond - 1n))
        .to.be.revertedWithCustomError(f.game, "FraudGameBondAboveMaximum")
        .withArgs(bond, bond - 1n);
      // at exactly the bond it opens, and pulls exactly the bond
      await expect(game.challenge(receipt, ethers.ZeroHash, [], f.challenger.address, bond)).to.changeTokenBalances(
        f.token,
        [f.challenger, f.game],
        [-bond, bond],
      );
      expect(await f.game.totalBonds()).to.equal(bond);
    });

    it("refuses a fulfilment challenge for a request that holds no such receipt", async function () {
      const f = await loadFixture(deployFraudGameFixture);
      const input = buildInput(f.model);
      const receipt = await f.attest(input, runModel(f.model, input));
      await expect(
        f.game
          .connect(f.challenger)
          .challengeFulfillment(receipt.requestId, receipt, ethers.ZeroHash, [], f.challenger.address, 2n ** 255n),
      )
        .to.be.revertedWithCustomError(f.game, "FraudGameNotFulfillment")
        .withArgs(receipt.requestId, f.hashReceipt(receipt));
    });
  });

  describe("timeout", function () {
    it("refuses an unknown game, a running clock and a resolved game; the side whose turn it is loses", async function () {
      const f = await openOnTamperedConv();
      await expect(f.game.timeout(999n))
        .to.be.revertedWithCustomError(f.game, "FraudGameUnexpectedPhase")
        .withArgs(999n, Phase.None, Phase.None);
      const { deadline } = await f.game.getGame(f.id);
      await expect(f.game.timeout(f.id))
        .to.be.revertedWithCustomError(f.game, "FraudGameDeadlineNotPassed")
        .withArgs(f.id, deadline);
      await f.byNode.revealTensors(f.id, f.responder.tensorRoots());
      // the challenger's turn now: its silence hands the game to the node
      const g = await f.game.getGame(f.id);
      await time.increaseTo(g.deadline + 1n);
      await expect(f.game.timeout(f.id))
        .to.emit(f.game, "GameResolved")
        .withArgs(f.id, Outcome.NodeRight, Reason.Timeout, 0, 0, 0, 0);
      await expect(f.game.timeout(f.id))
        .to.be.revertedWithCustomError(f.game, "FraudGameUnexpectedPhase")
        .withArgs(f.id, Phase.Resolved, Phase.None);
    });
  });

  describe("credits", function () {
    it("credits no zero amount: a node share of 100% leaves the treasury nothing, a reward of 0% the challenger its bond", async function () {
      const f = await loadFixture(deployFraudGameFixture);
      const base = await f.game.getParameters();
      await f.game.setParameters({
        bondFloor: base.bondFloor,
        bondBps: base.bondBps,
        slashBps: base.slashBps,
        challengerRewardBps: 0,
        nodeBondShareBps: 10_000,
        movePeriod: base.movePeriod,
      });
      const input = buildInput(f.model);
      const treasury = await f.staking.treasury();
      const treasuryBefore = await f.game.claimableOf(treasury);
      // the challenger is silent after the node's first move: the whole bond goes to the node, nothing to the treasury
      const right = await f.attest(input, runModel(f.model, input));
      const lost = await openGame(f.game, f.challenger, right);
      const { bond } = await f.game.getGame(lost);
      await f.game
        .connect(f.nodeAccount)
        .revealTensors(lost, createNodeResponder(f.model, runModel(f.model, input).trace).tensorRoots());
      await time.increase(MOVE_PERIOD + 1n);
      const tx = await f.game.timeout(lost);
      await expect(tx).to.emit(f.game, "RewardCredited").withArgs(lost, f.nodeAccount.address, bond);
      const credited = (await tx.wait())!.logs
        .map((l) => f.game.interface.parseLog(l))
        .filter((l) => l?.name === "RewardCredited");
      expect(credited).to.have.length(1);
      expect(await f.game.claimableOf(treasury)).to.equal(treasuryBefore);
      expect(await f.game.claimableOf(f.nodeAccount.address)).to.equal(bond);
      // the node is silent on a wrong receipt: slashed, and the challenger gets its bond back and no reward
      const wrong = await f.attest(
        input,
        runModel(f.model, input, (ts) => {
          ts[3]![0]! += 1;
        }),
      );
      const won = await openGame(f.game, f.challenger2, wrong);
      const g = await f.game.getGame(won);
      await time.increase(MOVE_PERIOD + 1n);
      await expect(f.game.timeout(won))
        .to.emit(f.game, "GameResolved")
        .withArgs(won, Outcome.NodeWrong, Reason.Timeout, g.amountAtRisk, 0, 0, 0)
        .and.to.emit(f.game, "RewardCredited")
        .withArgs(won, f.challenger2.address, g.bond);
      expect(await f.game.claimableOf(f.challenger2.address)).to.equal(g.bond);
    });
  });

  describe("node moves", function () {
    it("revealTensors refuses no root, more than 256 roots, roots that are not the trace's, a stranger and a late node", async function () {
      const f = await openOnTamperedConv();
      await expect(f.byNode.revealTensors(f.id, []))
        .to.be.revertedWithCustomError(f.game, "FraudGameBadReveal")
        .withArgs(f.id);
      const many = Array.from({ length: 257 }, () => ethers.ZeroHash);
      await expect(f.byNode.revealTensors(f.id, many))
        .to.be.revertedWithCustomError(f.game, "FraudGameBadReveal")
        .withArgs(f.id);
      // the honest roots are not the node's trace
      const honestRoots = createNodeResponder(f.model, f.honest.trace).tensorRoots();
      await expect(f.byNode.revealTensors(f.id, honestRoots))
        .to.be.revertedWithCustomError(f.game, "FraudGameBadReveal")
        .withArgs(f.id);
      // one root short: the padded tree differs
      await expect(f.byNode.revealTensors(f.id, f.responder.tensorRoots().slice(0, 10)))
        .to.be.revertedWithCustomError(f.game, "FraudGameBadReveal")
        .withArgs(f.id);
      await expect(f.game.connect(f.challenger).revealTensors(f.id, f.responder.tensorRoots()))
        .to.be.revertedWithCustomError(f.game, "FraudGameNotParty")
        .withArgs(f.id, f.challenger.address, f.nodeAccount.address);
      const { deadline } = await f.game.getGame(f.id);
      await time.increaseTo(deadline + 1n);
      await expect(f.byNode.revealTensors(f.id, f.responder.tensorRoots()))
        .to.be.revertedWithCustomError(f.game, "FraudGameDeadlinePassed")
        .withArgs(f.id, deadline);
    });

    it("revealNodes refuses the wrong number of nodes and nodes that are not below the cursor", async function () {
      const f = await openOnTamperedConv();
      await f.playTo(Phase.RevealNodes);
      const g = await f.game.getGame(f.id);
      expect([g.tensor, g.depth, g.level]).to.deep.equal([1n, 3n, 0n]);
      const nodes = f.responder.nodesBelow(1, 0, 0, 3);
      expect(nodes).to.have.length(8);
      await expect(f.byNode.revealNodes(f.id, nodes.slice(0, 4)))
        .to.be.revertedWithCustomError(f.game, "FraudGameBadReveal")
        .withArgs(f.id);
      const swapped = [nodes[1]!, nodes[0]!, ...nodes.slice(2)];
      await expect(f.byNode.revealNodes(f.id, swapped))
        .to.be.revertedWithCustomError(f.game, "FraudGameBadReveal")
        .withArgs(f.id);
      await expect(f.byNode.revealNodes(f.id, nodes)).to.emit(f.game, "NodesRevealed");
    });

    it("revealChunk refuses a chunk that is not the picked leaf, or not 128 bytes", async function () {
      const f = await openOnTamperedConv();
      await f.playTo(Phase.RevealChunk);
      const g = await f.game.getGame(f.id);
      expect(g.index).to.equal(3n); // element 100 is in chunk 3
      const chunk = f.responder.chunk(1, 3);
      await expect(f.byNode.revealChunk(f.id, f.responder.chunk(1, 2)))
        .to.be.revertedWithCustomError(f.game, "FraudGameBadReveal")
        .withArgs(f.id);
      await expect(f.byNode.revealChunk(f.id, ethers.concat([chunk, "0x00"])))
        .to.be.revertedWithCustomError(f.game, "FraudGameBadReveal")
        .withArgs(f.id);
    });

    it("revealAccumulators refuses any count but parts - 1", async function () {
      const f = await openOnTamperedConv();
      await f.playTo(Phase.RevealAccumulators);
      const g = await f.game.getGame(f.id);
      expect([g.element, g.lo, g.hi]).to.deep.equal([100n, 0n, 3n]);
      const accs = f.responder.accumulators(1, 100, 0, 3);
      expect(accs).to.have.length(2);
      for (const wrong of [[], accs.slice(0, 1), [...accs, 0]]) {
        await expect(f.byNode.revealAccumulators(f.id, wrong))
          .to.be.revertedWithCustomError(f.game, "FraudGameBadReveal")
          .withArgs(f.id);
      }
    });
  });

  describe("challenger moves", function () {
    it("pickTensor refuses a tensor past the last and a tensor root the trace does not hold; picking the last tensor (one chunk) goes straight to its chunk", async function () {
      const f = await openOnTamperedConv();
      await f.playTo(Phase.PickTensor);
      const roots = f.responder.tensorRoots();
      f.strategy.pickTensor(roots);
      const { header, weightsRoot } = f.strategy;
      await expect(f.byChallenger.pickTensor(f.id, header, weightsRoot, 11, roots[10]!, f.strategy.tensorProof(10)))
        .to.be.revertedWithCustomError(f.game, "FraudGameOutOfRange")
        .withArgs(f.id, 11, 10);
      await expect(f.byChallenger.pickTensor(f.id, header, weightsRoot, 2, roots[1]!, f.strategy.tensorProof(2)))
        .to.be.revertedWithCustomError(f.game, "FraudGameBadReveal")
        .withArgs(f.id);
      await expect(f.byNode.pickTensor(f.id, header, weightsRoot, 1, roots[1]!, f.strategy.tensorProof(1)))
        .to.be.revertedWithCustomError(f.game, "FraudGameNotParty")
        .withArgs(f.id, f.nodeAccount.address, f.challenger.address);
      // tensor 10 has 5 elements: one chunk, depth 0
      await expect(f.byChallenger.pickTensor(f.id, header, weightsRoot, 10, roots[10]!, f.strategy.tensorProof(10)))
        .to.emit(f.game, "TensorPicked")
        .withArgs(f.id, 10, 5, 0, (d: bigint) => d > 0n);
      expect((await f.game.getGame(f.id)).phase).to.equal(Phase.RevealChunk);
    });

    it("pickNode refuses nodes other than those revealed and a child past them; a zero chunk past the tensor's end is not disputable", async function () {
      const f = await openOnTamperedConv();
      await f.playTo(Phase.PickNode);
      const nodes = f.responder.nodesBelow(1, 0, 0, 3);
      const other = [...nodes];
      other[0] = ethers.ZeroHash as Hex;
      await expect(f.byChallenger.pickNode(f.id, other, 3))
        .to.be.revertedWithCustomError(f.game, "FraudGameBadReveal")
        .withArgs(f.id);
      await expect(f.byChallenger.pickNode(f.id, nodes, 8))
        .to.be.revertedWithCustomError(f.game, "FraudGameOutOfRange")
        .withArgs(f.id, 8, 8);
      // 5 chunks in a tree of 8 leaves: leaves 5..7 are the zero padding
      expect(nodes[5]).to.equal(ethers.ZeroHash);
      await expect(f.byChallenger.pickNode(f.id, nodes, 5))
        .to.be.revertedWithCustomError(f.game, "FraudGameNotDisputable")
        .withArgs(f.id);
    });

    it("pickElement refuses a chunk not revealed, an offset past the chunk, and a zero padding element", async function () {
      const f = await openOnTamperedConv();
      await f.playTo(Phase.PickNode);
      // go to the last chunk (4): elements 128..143, then 16 padding slots
      await f.byChallenger.pickNode(f.id, f.responder.nodesBelow(1, 0, 0, 3), 4);
      const chunk = f.responder.chunk(1, 4);
      await f.byNode.revealChunk(f.id, chunk);
      await expect(f.byChallenger.pickElement(f.id, f.responder.chunk(1, 3), 0))
        .to.be.revertedWithCustomError(f.game, "FraudGameBadReveal")
        .withArgs(f.id);
      await expect(f.byChallenger.pickElement(f.id, chunk, 32))
        .to.be.revertedWithCustomError(f.game, "FraudGameOutOfRange")
        .withArgs(f.id, 32, 32);
      await expect(f.byChallenger.pickElement(f.id, chunk, 16))
        .to.be.revertedWithCustomError(f.game, "FraudGameNotDisputable")
        .withArgs(f.id);
      // proveInputMismatch is for tensor 0 only
      await expect(f.byChallenger.proveInputMismatch(f.id, f.receipt, chunk, 0, f.strategy.inputEncoding(f.input)))
        .to.be.revertedWithCustomError(f.game, "FraudGameNotDisputable")
        .withArgs(f.id);
      // an element inside the tensor is picked, and conv2d's 3 segments go to the accumulators
      await expect(f.byChallenger.pickElement(f.id, chunk, 15))
        .to.emit(f.game, "ElementPicked")
        .withArgs(f.id, 143, f.bad.tensors[1]![143]!, 3, (d: bigint) => d > 0n);
    });

    it("on the input tensor, pickElement is not disputable and proveInputMismatch refuses another receipt or input", async function () {
      const f = await openOnTamperedConv();
      await f.playTo(Phase.PickTensor);
      const roots = f.responder.tensorRoots();
      f.strategy.pickTensor(roots);
      const { header, weightsRoot } = f.strategy;
      await f.byChallenger.pickTensor(f.id, header, weightsRoot, 0, roots[0]!, f.strategy.tensorProof(0));
      // tensor 0 has 36 elements: two chunks, depth 1
      await f.byNode.revealNodes(f.id, f.responder.nodesBelow(0, 0, 0, 1));
      await f.byChallenger.pickNode(f.id, f.responder.nodesBelow(0, 0, 0, 1), 0);
      const chunk = f.responder.chunk(0, 0);
      await f.byNode.revealChunk(f.id, chunk);
      await expect(f.byChallenger.pickElement(f.id, chunk, 0))
        .to.be.revertedWithCustomError(f.game, "FraudGameNotDisputable")
        .withArgs(f.id);
      const encoding = f.strategy.inputEncoding(f.input);
      const other = { ...f.receipt, issuedAt: f.receipt.issuedAt + 1n };
      await expect(f.byChallenger.proveInputMismatch(f.id, other, chunk, 0, encoding))
        .to.be.revertedWithCustomError(f.game, "FraudGameReceiptMismatch")
        .withArgs(f.id, f.hashReceipt(other));
      const otherInput = { ...f.input, data: Int8Array.from(f.input.data, (v, i) => (i === 0 ? v ^ 1 : v)) };
      await expect(f.byChallenger.proveInputMismatch(f.id, f.receipt, chunk, 0, f.strategy.inputEncoding(otherInput)))
        .to.be.revertedWithCustomError(f.game, "FraudGameReceiptMismatch")
        .withArgs(f.id, f.receipt.inputHash);
      // the node's input is the receipt's: a challenger who disputes it loses
      await expect(f.byChallenger.proveInputMismatch(f.id, f.receipt, chunk, 3, encoding))
        .to.emit(f.game, "GameResolved")
        .withArgs(f.id, Outcome.NodeRight, Reason.InputMismatch, 0, 0, f.input.data[3]!, f.input.data[3]!);
    });

    it("pickAccumulator refuses accumulators not revealed and a part past the split; the first and last parts keep one end", async function () {
      const f = await openOnTamperedConv();
      await f.playTo(Phase.PickAccumulator);
      const accs = f.responder.accumulators(1, 100, 0, 3);
      await expect(f.byChallenger.pickAccumulator(f.id, [accs[0]!, accs[1]! + 1], 0))
        .to.be.revertedWithCustomError(f.game, "FraudGameBadReveal")
        .withArgs(f.id);
      await expect(f.byChallenger.pickAccumulator(f.id, accs, 3))
        .to.be.revertedWithCustomError(f.game, "FraudGameOutOfRange")
        .withArgs(f.id, 3, 3);
      const g = await f.game.getGame(f.id);
      // the last part: [2, 3], its low end the revealed acc 2, its high end the claimed element
      await expect(f.byChallenger.pickAccumulator(f.id, accs, 2))
        .to.emit(f.game, "AccumulatorPicked")
        .withArgs(f.id, 2, 3, accs[1]!, g.claimed, (d: bigint) => d > 0n);
    });

    it("proveStep refuses a step of another layer, element, segment or accumulator", async function () {
      const f = await openOnTamperedConv();
      await f.playTo(Phase.Step);
      const g = await f.game.getGame(f.id);
      const roots = f.responder.tensorRoots();
      const step = f.strategy.step(1, 100, Number(g.lo), Number(g.accLo), roots);
      for (const wrong of [
        { ...step, layer: 2 },
        { ...step, element: 101 },
        { ...step, segment: step.segment + 1 },
        { ...step, accIn: step.accIn + 1 },
      ]) {
        await expect(f.byChallenger.proveStep(f.id, wrong))
          .to.be.revertedWithCustomError(f.game, "FraudGameStepMismatch")
          .withArgs(f.id);
      }
      await expect(f.byNode.proveStep(f.id, step))
        .to.be.revertedWithCustomError(f.game, "FraudGameNotParty")
        .withArgs(f.id, f.nodeAccount.address, f.challenger.address);
      await expect(f.byChallenger.proveStep(f.id, step))
        .to.emit(f.game, "GameResolved")
        .withArgs(
          f.id,
          Outcome.NodeWrong,
          Reason.OneStep,
          (slashed: bigint) => slashed > 0n,
          (reward: bigint) => reward > 0n,
          f.bad.tensors[1]![100]!,
          f.honest.tensors[1]![100]!,
        );
    });
  });

  it("the move period bounds every move: a challenger one second late is refused", async function () {
    const f = await openOnTamperedConv();
    await f.playTo(Phase.PickTensor);
    const { deadline } = await f.game.getGame(f.id);
    expect(deadline - BigInt(await time.latest())).to.equal(MOVE_PERIOD);
    const roots = f.responder.tensorRoots();
    f.strategy.pickTensor(roots);
    await time.increaseTo(deadline + 1n);
    await expect(
      f.byChallenger.pickTensor(
        f.id,
        f.strategy.header,
        f.strategy.weightsRoot,
        1,
        roots[1]!,
        f.strategy.tensorProof(1),
      ),
    )
      .to.be.revertedWithCustomError(f.game, "FraudGameDeadlinePassed")
      .withArgs(f.id, deadline);
  });
});
