import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { createChallenger, createNodeResponder } from "../../src/runtime/integerV2/fraudProofs";
import { buildInput, deployFraudGameFixture, runModel } from "../fixtures/fraudGame";
import { Outcome, openGame, playGame } from "../helpers/fraudGame";
import { Mode, modelRegistration } from "../fixtures/registry";

/** FraudGame's bound on the one step (the step's execution, the jail, the slash and the credits). */
const ONE_STEP_GAS_LIMIT = 500_000n;

/** The fraud game's system where the node serves MAX_MODELS models: the game's model and 31 tolerance-mode others. */
async function manyModelsGameFixture() {
  const f = await deployFraudGameFixture();
  const max = Number(await f.nodes.MAX_MODELS());
  const served: string[] = [f.commitment.modelId];
  for (let i = 1; i < max; i++) {
    const model = modelRegistration(`jail-attack-fraud-${i}`, { mode: Mode.TOLERANCE, tolerance: 10n ** 14n });
    await f.models.registerModel(model);
    served.push(model.id);
  }
  await f.nodes.connect(f.nodeAccount).updateModels(served, { gasLimit: 15_000_000n });
  return { ...f, served };
}

describe("Attack: a node listing MAX_MODELS models loses a fraud game", function () {
  this.timeout(120_000);

  it("proveStep stays under 500,000 gas (jail in O(1), the slash writes no tree); the node is never drawn again in any of its 32 models", async function () {
    const f = await loadFixture(manyModelsGameFixture);
    const stake = await f.staking.activeStakeOf(f.nodeAccount.address);
    for (const id of f.served) expect(await f.nodes.modelWeightOf(f.nodeAccount.address, id)).to.equal(stake);
    const input = buildInput(f.model);
    const honest = runModel(f.model, input);
    // A conv2d element: the accumulator bisection, the most expensive step of the test model.
    const bad = runModel(f.model, input, (ts) => {
      ts[1]![77]! += 1;
    });
    const receipt = await f.attest(input, bad);
    const atRisk = (await f.game.previewBond(f.nodeAccount.address)).amountAtRisk;
    const id = await openGame(f.game, f.challenger, receipt);
    const moves = await playGame({
      game: f.game,
      id,
      node: f.nodeAccount,
      challenger: f.challenger,
      responder: createNodeResponder(f.model, bad.trace),
      strategy: createChallenger(f.model, f.commitment, honest.trace),
      receipt,
      input,
    });
    const g = await f.game.getGame(id);
    expect(g.outcome).to.equal(Outcome.NodeWrong);
    const step = moves.find((m) => m.name === "proveStep")!;
    // Measured: 328,058 with 32 models (bench:fraud measured 3,431,947 before the jail became O(1)).
    if (!process.env.VERITY_COVERAGE) expect(step.gas).to.be.lessThan(ONE_STEP_GAS_LIMIT);
    expect(await f.staking.slashableStakeOf(f.nodeAccount.address)).to.equal(stake - atRisk);
    expect(await f.game.claimableOf(f.challenger.address)).to.equal(g.bond + (atRisk * 2_000n) / 10_000n);

    // Nobody cleared anything: every tree still holds the pre-jail weight, and no draw from the jail on lands on it.
    const block = await ethers.provider.getBlockNumber();
    await mine(1);
    expect(await f.nodes.jailedAt(f.nodeAccount.address, block)).to.equal(true);
    for (const model of [f.served[0]!, f.served[31]!]) {
      expect(await f.nodes.modelWeightOf(f.nodeAccount.address, model)).to.equal(stake);
      for (let i = 0; i < 8; i++) {
        expect(await f.nodes.drawNodeAt(model, ethers.id(`g${i}`), block)).to.not.equal(f.nodeAccount.address);
      }
    }
  });
});
