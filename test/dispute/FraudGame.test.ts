import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { getTensorHash } from "../../src/protocol";
import { createChallenger, createNodeResponder } from "../../src/runtime/integerV2/fraudProofs";
import { buildInput, deployFraudGameFixture, MOVE_PERIOD, runModel } from "../fixtures/fraudGame";
import { Outcome, Phase, Reason, naiveChallenger, openGame, playGame } from "../helpers/fraudGame";
import { ReceiptState } from "../fixtures/dispute";

const ONE_STEP_GAS_LIMIT = 500_000n;

async function setup() {
  const f = await loadFixture(deployFraudGameFixture);
  const input = buildInput(f.model);
  const honest = runModel(f.model, input);
  const strategy = createChallenger(f.model, f.commitment, honest.trace);
  return { ...f, input, honest, strategy };
}

describe("FraudGame", function () {
  this.timeout(120_000);

  describe("a node defending a wrong result", function () {
    for (const [label, tensor, element] of [
      ["a conv2d element (accumulator bisection over kernel rows)", 1, 77],
      ["a requantize element", 2, 5],
      ["a residual add element", 4, 100],
      ["a max-pool element", 5, 3],
      ["an avg-pool element", 6, 10],
      ["a flatten element", 7, 9],
      ["a dense element (one segment)", 8, 33],
      ["a dense element (two segments)", 10, 2],
    ] as const) {
      it(`is slashed when it tampered with ${label}`, async function () {
        const f = await setup();
        const bad = runModel(f.model, f.input, (ts) => {
          ts[tensor]![element]! += 1;
        });
        const receipt = await f.attest(f.input, bad);
        const atRiskBefore = (await f.game.previewBond(f.nodeAccount.address)).amountAtRisk;
        const id = await openGame(f.game, f.challenger, receipt);
        const moves = await playGame({
          game: f.game,
          id,
          node: f.nodeAccount,
          challenger: f.challenger,
          responder: createNodeResponder(f.model, bad.trace),
          strategy: f.strategy,
          receipt,
          input: f.input,
        });
        const g = await f.game.getGame(id);
        expect(g.outcome).to.equal(Outcome.NodeWrong);
        expect(await f.attestation.receiptState(f.hashReceipt(receipt))).to.equal(ReceiptState.Rejected);
        expect(await f.nodes.isActive(f.nodeAccount.address)).to.equal(false);
        expect(await f.staking.slashableStakeOf(f.nodeAccount.address)).to.equal(
          ethers.parseEther("1000") - atRiskBefore,
        );
        const step = moves.find((m) => m.name === "proveStep")!;
        // Coverage instrumentation adds gas to every statement: the bound holds for the deployed bytecode only.
        if (!process.env.VERITY_COVERAGE) expect(step.gas).to.be.lessThan(ONE_STEP_GAS_LIMIT);
        // bond back + 20 % of the slash
        expect(await f.game.claimableOf(f.challenger.address)).to.equal(g.bond + (atRiskBefore * 2_000n) / 10_000n);
      });
    }

    it("is slashed when its trace is right but the signed output is not", async function () {
      const f = await setup();
      const other = { ...f.honest, output: { dtype: "int32" as const, shape: [1], data: Int32Array.of(4) } };
      if (getTensorHash(other.output) === getTensorHash(f.honest.output)) other.output.data[0] = 3;
      const receipt = await f.attest(f.input, other);
      const id = await openGame(f.game, f.challenger, receipt);
      const moves = await playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder: createNodeResponder(f.model, f.honest.trace),
        strategy: f.strategy,
        receipt,
        input: f.input,
      });
      expect(moves.map((m) => m.name)).to.deep.equal(["revealTensors", "proveOutputMismatch"]);
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeWrong);
    });

    it("is slashed when it ran another input than the one it signed", async function () {
      const f = await setup();
      const otherInput = buildInput(f.model, 99);
      const bad = runModel(f.model, otherInput);
      const receipt = await f.attest(f.input, bad);
      const id = await openGame(f.game, f.challenger, receipt);
      const moves = await playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder: createNodeResponder(f.model, bad.trace),
        strategy: f.strategy,
        receipt,
        input: f.input,
      });
      expect(moves[moves.length - 1]!.name).to.equal("proveInputMismatch");
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeWrong);
    });

    it("is slashed when it claims another model (ran other weights under this model id)", async function () {
      const f = await setup();
      const { buildTestModel } = await import("../fixtures/fraudGame");
      const other = buildTestModel(7);
      const bad = runModel(other, f.input);
      const receipt = await f.attest(f.input, bad);
      const id = await openGame(f.game, f.challenger, receipt);
      await playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder: createNodeResponder(other, bad.trace),
        strategy: f.strategy,
        receipt,
        input: f.input,
      });
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeWrong);
    });

    it("is slashed when a trace chunk holds non-zero padding", async function () {
      const f = await setup();
      // tensor 8 has 40 elements: its second chunk has 24 padding slots.
      const honestLike = runModel(f.model, f.input);
      const { buildTraceV2 } = await import("../../src/runtime/integerV2");
      const padded = honestLike.tensors.map((t) => t);
      const longer = new Int32Array(41);
      longer.set(padded[8]!);
      longer[40] = 9;
      padded[8] = longer;
      const trace = buildTraceV2(padded);
      const receipt = await f.attest(f.input, { output: f.honest.output, trace });
      const id = await openGame(f.game, f.challenger, receipt);
      const responder = createNodeResponder(f.model, trace);
      await playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder,
        strategy: naiveChallenger(f.strategy, 8, 8),
        receipt,
        input: f.input,
        stopAt: Phase.PickNode,
      });
      // The chunk tree of tensor 8 has depth 1: node 1 is the padded chunk.
      const nodes = responder.nodesBelow(8, 0, 0, 1);
      await f.game.connect(f.challenger).pickNode(id, nodes, 1);
      await f.game.connect(f.nodeAccount).revealChunk(id, responder.chunk(8, 1));
      await f.game.connect(f.challenger).pickElement(id, responder.chunk(8, 1), 8);
      const g = await f.game.getGame(id);
      expect(g.outcome).to.equal(Outcome.NodeWrong);
    });

    it("cannot answer with a wrong chunk, a wrong proof or a replayed move, and loses by staying silent", async function () {
      const f = await setup();
      const bad = runModel(f.model, f.input, (ts) => {
        ts[1]![140]! += 5;
      });
      const receipt = await f.attest(f.input, bad);
      const id = await openGame(f.game, f.challenger, receipt);
      const responder = createNodeResponder(f.model, bad.trace);
      const wrong = [...responder.tensorRoots()];
      wrong[3] = ethers.ZeroHash as `0x${string}`;
      await expect(f.game.connect(f.nodeAccount).revealTensors(id, wrong)).to.be.revertedWithCustomError(
        f.game,
        "FraudGameBadReveal",
      );
      await expect(f.game.connect(f.stranger).revealTensors(id, responder.tensorRoots())).to.be.revertedWithCustomError(
        f.game,
        "FraudGameNotParty",
      );
      await playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder,
        strategy: f.strategy,
        receipt,
        input: f.input,
        stopAt: Phase.RevealChunk,
      });
      const g = await f.game.getGame(id);
      // wrong chunk: the honest one (doesn't hash to the node's leaf); wrong proof: nodes of the level above
      await expect(
        f.game
          .connect(f.nodeAccount)
          .revealChunk(id, createNodeResponder(f.model, f.honest.trace).chunk(1, Number(g.index))),
      ).to.be.revertedWithCustomError(f.game, "FraudGameBadReveal");
      await expect(
        f.game.connect(f.nodeAccount).revealNodes(id, responder.nodesBelow(1, 0, 0, Number(g.depth))),
      ).to.be.revertedWithCustomError(f.game, "FraudGameUnexpectedPhase");
      await expect(
        f.game.connect(f.nodeAccount).revealTensors(id, responder.tensorRoots()),
      ).to.be.revertedWithCustomError(f.game, "FraudGameUnexpectedPhase");
      // silence: one second before the deadline the timeout reverts, after it the node loses
      await time.increaseTo(g.deadline - 1n);
      await expect(f.game.timeout(id)).to.be.revertedWithCustomError(f.game, "FraudGameDeadlineNotPassed");
      await time.increaseTo(g.deadline + 1n);
      await expect(
        f.game.connect(f.nodeAccount).revealChunk(id, responder.chunk(1, Number(g.index))),
      ).to.be.revertedWithCustomError(f.game, "FraudGameDeadlinePassed");
      await expect(f.game.timeout(id))
        .to.emit(f.game, "GameResolved")
        .withArgs(
          id,
          Outcome.NodeWrong,
          Reason.Timeout,
          (x: bigint) => x > 0n,
          (x: bigint) => x > 0n,
          0,
          0,
        );
    });

    it("loses by staying silent at the first move", async function () {
      const f = await setup();
      const receipt = await f.attest(f.input, f.honest);
      const id = await openGame(f.game, f.challenger, receipt);
      await time.increase(MOVE_PERIOD + 1n);
      await f.game.timeout(id);
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeWrong);
    });
  });

  describe("a challenger attacking a correct result", function () {
    it("loses its bond when it plays a correct element to the one-step, and the receipt is challengeable again", async function () {
      const f = await setup();
      const receipt = await f.attest(f.input, f.honest);
      const id = await openGame(f.game, f.challenger, receipt);
      const bond = (await f.game.getGame(id)).bond;
      await playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder: createNodeResponder(f.model, f.honest.trace),
        strategy: naiveChallenger(f.strategy, 1),
        receipt,
        input: f.input,
      });
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeRight);
      expect(await f.game.claimableOf(f.nodeAccount.address)).to.equal(bond / 2n);
      expect(await f.game.claimableOf(f.treasury.address)).to.equal(bond - bond / 2n);
      expect(await f.game.claimableOf(f.challenger.address)).to.equal(0n);
      expect(await f.attestation.receiptState(f.hashReceipt(receipt))).to.equal(ReceiptState.None);
      expect(await f.staking.slashableStakeOf(f.nodeAccount.address)).to.equal(ethers.parseEther("1000"));
      expect(await f.staking.lockedStakeOf(f.nodeAccount.address)).to.equal(0n);
      // a second challenger can still challenge, and pays its own bond
      await openGame(f.game, f.challenger2, receipt);
    });

    for (const tensor of [2, 4, 5, 6, 7, 8, 10]) {
      it(`loses at the one-step on tensor ${tensor}`, async function () {
        const f = await setup();
        const receipt = await f.attest(f.input, f.honest);
        const id = await openGame(f.game, f.challenger, receipt);
        await playGame({
          game: f.game,
          id,
          node: f.nodeAccount,
          challenger: f.challenger,
          responder: createNodeResponder(f.model, f.honest.trace),
          strategy: naiveChallenger(f.strategy, tensor, 1),
          receipt,
          input: f.input,
        });
        expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeRight);
      });
    }

    it("loses when it disagrees on the input", async function () {
      const f = await setup();
      const receipt = await f.attest(f.input, f.honest);
      const id = await openGame(f.game, f.challenger, receipt);
      const moves = await playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder: createNodeResponder(f.model, f.honest.trace),
        strategy: naiveChallenger(f.strategy, 0),
        receipt,
        input: f.input,
      });
      expect(moves[moves.length - 1]!.name).to.equal("proveInputMismatch");
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeRight);
    });

    it("loses when it claims the output does not match a correct trace", async function () {
      const f = await setup();
      const receipt = await f.attest(f.input, f.honest);
      const id = await openGame(f.game, f.challenger, receipt);
      const moves = await playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder: createNodeResponder(f.model, f.honest.trace),
        strategy: f.strategy,
        receipt,
        input: f.input,
      });
      expect(moves.map((m) => m.name)).to.deep.equal(["revealTensors", "proveOutputMismatch"]);
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeRight);
    });

    it("cannot use wrong weights, a fake trace or another model's header, and loses by timeout", async function () {
      const f = await setup();
      const receipt = await f.attest(f.input, f.honest);
      const id = await openGame(f.game, f.challenger, receipt);
      const strategy = naiveChallenger(f.strategy, 10);
      const responder = createNodeResponder(f.model, f.honest.trace);
      await playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder,
        strategy,
        receipt,
        input: f.input,
        stopAt: Phase.Step,
      });
      const g = await f.game.getGame(id);
      const roots = responder.tensorRoots();
      const step = strategy.step(10, Number(g.element), Number(g.lo), Number(g.accLo), roots);
      const flipped = (h: string) => `${h.slice(0, -2)}${h.slice(-2) === "00" ? "01" : "00"}`;
      const wrongWeights = { ...step, weights: { ...step.weights, leaf: flipped(step.weights.leaf) } };
      await expect(f.game.connect(f.challenger).proveStep(id, wrongWeights)).to.be.revertedWithCustomError(
        f.executor,
        "OneStepBadWeights",
      );
      const fakeInput = { ...step.inputs[0]!, data: flipped(step.inputs[0]!.data) };
      await expect(
        f.game.connect(f.challenger).proveStep(id, { ...step, inputs: [fakeInput] }),
      ).to.be.revertedWithCustomError(f.executor, "OneStepBadChunk");
      // another model's header: one byte of the last layer record changed
      const otherHeader = { ...step, weights: { ...step.weights, header: flipped(step.weights.header) } };
      await expect(f.game.connect(f.challenger).proveStep(id, otherHeader)).to.be.revertedWithCustomError(
        f.executor,
        "ModelHeaderMismatch",
      );
      await expect(
        f.game.connect(f.challenger).proveStep(id, { ...step, accIn: step.accIn + 1 }),
      ).to.be.revertedWithCustomError(f.game, "FraudGameStepMismatch");
      await expect(f.game.connect(f.nodeAccount).proveStep(id, step)).to.be.revertedWithCustomError(
        f.game,
        "FraudGameNotParty",
      );
      await time.increaseTo(g.deadline + 1n);
      await f.game.timeout(id);
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeRight);
    });

    it("cannot pick a fake tensor root", async function () {
      const f = await setup();
      const receipt = await f.attest(f.input, f.honest);
      const id = await openGame(f.game, f.challenger, receipt);
      const responder = createNodeResponder(f.model, f.honest.trace);
      await f.game.connect(f.nodeAccount).revealTensors(id, responder.tensorRoots());
      f.strategy.pickTensor(responder.tensorRoots());
      await expect(
        f.game
          .connect(f.challenger)
          .pickTensor(id, f.strategy.header, f.strategy.weightsRoot, 3, ethers.id("fake"), f.strategy.tensorProof(3)),
      ).to.be.revertedWithCustomError(f.game, "FraudGameBadReveal");
    });

    it("cannot challenge the same receipt twice, nor after the window", async function () {
      const f = await setup();
      const receipt = await f.attest(f.input, f.honest);
      await openGame(f.game, f.challenger, receipt);
      await expect(openGame(f.game, f.challenger2, receipt)).to.be.revertedWithCustomError(
        f.attestation,
        "AttestationUnexpectedReceiptState",
      );
      const late = await f.attest(f.input, f.honest);
      await time.increase(3_600n);
      await expect(openGame(f.game, f.challenger, late)).to.be.revertedWithCustomError(
        f.attestation,
        "AttestationWindowClosed",
      );
    });

    it("pays a bond for each of many parallel challenges", async function () {
      const f = await setup();
      const receipts = [];
      for (let i = 0; i < 3; i++) receipts.push(await f.attest(f.input, f.honest));
      const before = await f.token.balanceOf(f.challenger.address);
      for (const r of receipts) await openGame(f.game, f.challenger, r);
      const { bond } = await f.game.previewBond(f.nodeAccount.address);
      expect(before - (await f.token.balanceOf(f.challenger.address))).to.equal(3n * bond);
      expect(await f.game.totalBonds()).to.equal(3n * bond);
    });

    it("loses by staying silent", async function () {
      const f = await setup();
      const receipt = await f.attest(f.input, f.honest);
      const id = await openGame(f.game, f.challenger, receipt);
      await f.game.connect(f.nodeAccount).revealTensors(id, createNodeResponder(f.model, f.honest.trace).tensorRoots());
      await time.increase(MOVE_PERIOD + 1n);
      await f.game.timeout(id);
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeRight);
    });
  });

  describe("the node's accomplice acting first", function () {
    it("opens the game on the wrong receipt and throws it by silence: the receipt is not upheld, and an honest challenger still gets the node slashed", async function () {
      const f = await setup();
      const bad = runModel(f.model, f.input, (ts) => {
        ts[8]![33]! += 1;
      });
      const receipt = await f.attest(f.input, bad);
      const atRisk = (await f.game.previewBond(f.nodeAccount.address)).amountAtRisk;
      const thrown = await openGame(f.game, f.challenger2, receipt);
      const responder = createNodeResponder(f.model, bad.trace);
      await f.game.connect(f.nodeAccount).revealTensors(thrown, responder.tensorRoots());
      // The accomplice never picks a tensor; anyone ends the game at its deadline.
      await time.increase(MOVE_PERIOD + 1n);
      await f.game.connect(f.stranger).timeout(thrown);
      expect((await f.game.getGame(thrown)).outcome).to.equal(Outcome.NodeRight);
      expect(await f.attestation.receiptState(f.hashReceipt(receipt))).to.equal(ReceiptState.None);
      expect(await f.staking.slashableStakeOf(f.nodeAccount.address)).to.equal(ethers.parseEther("1000"));

      const id = await openGame(f.game, f.challenger, receipt);
      await playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder,
        strategy: f.strategy,
        receipt,
        input: f.input,
      });
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeWrong);
      expect(await f.attestation.receiptState(f.hashReceipt(receipt))).to.equal(ReceiptState.Rejected);
      expect(await f.staking.slashableStakeOf(f.nodeAccount.address)).to.equal(ethers.parseEther("1000") - atRisk);
    });
  });

  describe("opening", function () {
    it("opens on a batched receipt with its Merkle proof", async function () {
      const f = await setup();
      const { buildTree, proofOf, batchIdOf, signBatchEthers } = await import("../helpers/receipts");
      const bad = runModel(f.model, f.input, (ts) => {
        ts[8]![1]! -= 3;
      });
      const base = {
        modelId: f.commitment.modelId,
        inputHash: getTensorHash(f.input),
        outputHash: getTensorHash(bad.output),
        traceRoot: bad.trace.traceRoot,
        node: f.nodeAccount.address,
        issuedAt: 1n,
      };
      const receipts = [0, 1, 2].map(() => ({ ...base, requestId: ethers.hexlify(ethers.randomBytes(32)) }));
      const tree = buildTree(receipts);
      const batch = {
        node: f.nodeAccount.address,
        sequence: await f.attestation.nextSequence(f.nodeAccount.address),
        root: tree.root,
        count: 3n,
        dataHash: ethers.id("batch file"),
      };
      await f.attestation.submitBatch(batch, await signBatchEthers(f.signers[0]!, f.domain, batch));
      const batchId = batchIdOf(f.nodeAccount.address, tree.root);
      const receipt = receipts[1]!;
      await expect(
        f.game
          .connect(f.challenger)
          .challenge(receipt, batchId, proofOf(tree, receipts[0]!), f.challenger.address, 2n ** 255n),
      ).to.be.revertedWithCustomError(f.attestation, "AttestationReceiptNotAttested");
      await f.game
        .connect(f.challenger)
        .challenge(receipt, batchId, proofOf(tree, receipt), f.challenger.address, 2n ** 255n);
      const id = await f.game.gameCount();
      await playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder: createNodeResponder(f.model, bad.trace),
        strategy: f.strategy,
        receipt,
        input: f.input,
      });
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeWrong);
      expect(await f.attestation.receiptState(f.hashReceipt(receipt))).to.equal(ReceiptState.Rejected);
    });

    it("opens on a router fulfilment, checked against the router's assignments", async function () {
      const f = await setup();
      const { encodeTensor } = await import("../../src/protocol");
      const fee = ethers.parseEther("1");
      await f.token.mint(f.stranger.address, fee);
      await f.token.connect(f.stranger).approve(await f.router.getAddress(), fee);
      const now = BigInt(await time.latest());
      const tx = await f.router.connect(f.stranger).request({
        modelId: f.commitment.modelId,
        inputHash: getTensorHash(f.input),
        inputURI: "",
        input: encodeTensor(f.input),
        redundancy: 1,
        deadline: now + 3_000n,
        callbackGasLimit: 0,
        fee,
      });
      const logs = (await tx.wait())!.logs.map((l) => f.router.interface.parseLog(l)).filter((l) => l !== null);
      const requestId = logs.find((l) => l!.name === "RequestCreated")!.args.id as string;
      const assigned = logs.find((l) => l!.name === "NodeAssigned")!.args.node as string;
      const account = assigned === f.nodeAccount.address ? f.nodeAccount : f.nodeB;
      const bad = runModel(f.model, f.input, (ts) => {
        ts[5]![7]! += 1;
      });
      const receipt = await f.attest(f.input, bad, { requestId, node: account.address }, account);
      await f.router.fulfill(requestId, receipt, ethers.ZeroHash, []);
      const other = await f.attest(f.input, bad, {}, account);
      await expect(
        f.game
          .connect(f.challenger)
          .challengeFulfillment(requestId, other, ethers.ZeroHash, [], f.challenger.address, 2n ** 255n),
      ).to.be.revertedWithCustomError(f.game, "FraudGameNotFulfillment");
      await f.game
        .connect(f.challenger)
        .challengeFulfillment(requestId, receipt, ethers.ZeroHash, [], f.challenger.address, 2n ** 255n);
      const id = await f.game.gameCount();
      await playGame({
        game: f.game,
        id,
        node: account,
        challenger: f.challenger,
        responder: createNodeResponder(f.model, bad.trace),
        strategy: f.strategy,
        receipt,
        input: f.input,
      });
      expect((await f.game.getGame(id)).outcome).to.equal(Outcome.NodeWrong);
    });

    it("refuses a model that is not fraud-provable", async function () {
      const f = await setup();
      const { modelRegistration } = await import("../fixtures/registry");
      const opaque = modelRegistration("opaque");
      await f.models.registerModel(opaque);
      const receipt = await f.attest(f.input, f.honest, { modelId: opaque.id });
      await expect(
        f.game.connect(f.challenger).challenge(receipt, ethers.ZeroHash, [], f.challenger.address, 2n ** 255n),
      ).to.be.revertedWithCustomError(f.game, "FraudGameModelNotFraudProvable");
    });

    it("fixes the amount at risk at the challenge", async function () {
      const f = await setup();
      const bad = runModel(f.model, f.input, (ts) => {
        ts[2]![0]! += 1;
      });
      const receipt = await f.attest(f.input, bad);
      const id = await openGame(f.game, f.challenger, receipt);
      const atRisk = (await f.game.getGame(id)).amountAtRisk;
      await f.token.mint(f.deployer.address, ethers.parseEther("500"));
      await f.token.approve(await f.staking.getAddress(), ethers.parseEther("500"));
      await f.staking.stakeFor(f.nodeAccount.address, ethers.parseEther("500"));
      await playGame({
        game: f.game,
        id,
        node: f.nodeAccount,
        challenger: f.challenger,
        responder: createNodeResponder(f.model, bad.trace),
        strategy: f.strategy,
        receipt,
        input: f.input,
      });
      expect(await f.staking.slashableStakeOf(f.nodeAccount.address)).to.equal(ethers.parseEther("1500") - atRisk);
    });
  });
});
