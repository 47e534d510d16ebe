import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { buildInput, deployFraudGameFixture, MOVE_PERIOD, runModel } from "../fixtures/fraudGame";
import { Outcome, openGame } from "../helpers/fraudGame";
import { shouldBehaveLikePullCredits } from "../helpers/pullCredits.behavior";

/** A game the node lost by silence at its first move: the challenger is credited its bond and its reward. */
async function silentNodeLostFixture() {
  const f = await loadFixture(deployFraudGameFixture);
  const input = buildInput(f.model);
  const receipt = await f.attest(input, runModel(f.model, input));
  const id = await openGame(f.game, f.challenger, receipt);
  await time.increase(MOVE_PERIOD + 1n);
  await f.game.timeout(id);
  return { ...f, id };
}

describe("FraudGame claims", function () {
  this.timeout(120_000);

  it("credits the challenger of a node that lost by silence its bond and its reward, with the game's id", async function () {
    const f = await loadFixture(silentNodeLostFixture);
    const g = await f.game.getGame(f.id);
    expect(g.outcome).to.equal(Outcome.NodeWrong);
    const credit = await f.game.claimableOf(f.challenger.address);
    expect(credit).to.be.greaterThan(g.bond);
    expect(await f.game.totalClaimable()).to.equal(credit);
    expect(await f.game.totalBonds()).to.equal(0n);
  });

  shouldBehaveLikePullCredits(async () => {
    const f = await loadFixture(silentNodeLostFixture);
    return { credits: f.game, token: f.token, creditor: f.challenger, stranger: f.stranger };
  });
});
