import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  BOND_FLOOR,
  DA_SLASH_BPS,
  DEMANDER_REWARD_BPS,
  NODE_STAKE,
  deployReceiverHookEvidenceFixture,
} from "../fixtures/evidence";
import { makeReceipt, proofOf } from "../helpers/receipts";
import type { Receipt } from "../helpers/receipts";
import { shouldBehaveLikePullCredits } from "../helpers/pullCredits.behavior";
import { DemandState, ceilBps, floorBps } from "./helpers";

const LOCK = ceilBps(NODE_STAKE, DA_SLASH_BPS);

/**
 * Node A's batch of two receipts on a stake token that calls any recipient that asked for it
 * (`ReceiverHookTokenMock`); a recipient without the hook function refuses every transfer to it, as a blacklisted
 * address would. The demander has funds approved to the manager.
 */
async function hookedBatchFixture() {
  const f = await deployReceiverHookEvidenceFixture();
  const receipts: Receipt[] = [makeReceipt(f.nodeA.address, f.exactModel), makeReceipt(f.nodeA.address, f.exactModel)];
  const { tree, batchId } = await f.submitBatch(f.nodeA, receipts);
  await f.hookToken.mint(f.demander.address, 10n * BOND_FLOOR);
  await f.hookToken.connect(f.demander).approve(await f.manager.getAddress(), ethers.MaxUint256);
  const id = await f.manager.nextDemandId();
  await f.manager.connect(f.demander).demand(batchId, BOND_FLOOR);
  const { deadline } = await f.manager.getDemand(id);
  return { ...f, receipts, tree, batchId, id, deadline };
}

describe("DataAvailabilityManager pushed payments", function () {
  it("a demander refusing tokens can't block the slash of its own unanswered demand, nor keep the node's lock", async function () {
    const f = await loadFixture(hookedBatchFixture);
    await f.hookToken.setHooked(f.demander.address, true);
    await time.increaseTo(f.deadline);
    const reward = floorBps(LOCK, DEMANDER_REWARD_BPS);
    await expect(f.manager.connect(f.stranger).slashUnanswered(f.id))
      .to.emit(f.manager, "DemandSlashed")
      .withArgs(f.id, f.batchId, f.nodeA.address, f.demander.address, LOCK, BOND_FLOOR, true)
      .and.to.emit(f.manager, "Credited")
      .withArgs(f.demander.address, BOND_FLOOR + reward);
    expect(await f.manager.state(f.id)).to.equal(DemandState.Slashed);
    expect(await f.staking.lockedStakeOf(f.nodeA.address)).to.equal(0n);
    expect(await f.staking.slashableStakeOf(f.nodeA.address)).to.equal(NODE_STAKE - LOCK);
    // Its refusal blocks only its own claim; it can name another recipient.
    await expect(f.manager.connect(f.demander).claim(f.demander.address)).to.be.reverted;
    const payee = ethers.Wallet.createRandom().address;
    await expect(f.manager.connect(f.demander).claim(payee))
      .to.emit(f.manager, "CreditClaimed")
      .withArgs(f.demander.address, payee, BOND_FLOOR + reward);
    expect(await f.hookToken.balanceOf(payee)).to.equal(BOND_FLOOR + reward);
  });

  it("a node refusing tokens still answers, and its stake is unlocked", async function () {
    const f = await loadFixture(hookedBatchFixture);
    await f.hookToken.setHooked(f.nodeA.address, true);
    const receipt = f.receipts[0]!;
    await expect(f.manager.connect(f.stranger).answer(f.id, receipt, proofOf(f.tree, receipt)))
      .to.emit(f.manager, "Credited")
      .withArgs(f.nodeA.address, BOND_FLOOR);
    expect(await f.staking.lockedStakeOf(f.nodeA.address)).to.equal(0n);
    expect(await f.manager.claimableOf(f.nodeA.address)).to.equal(BOND_FLOOR);
  });

  shouldBehaveLikePullCredits(async () => {
    const f = await loadFixture(hookedBatchFixture);
    const receipt = f.receipts[0]!;
    await f.manager.connect(f.stranger).answer(f.id, receipt, proofOf(f.tree, receipt));
    return { credits: f.manager, token: f.hookToken, creditor: f.nodeA.operator, stranger: f.stranger };
  });

  describe("claim reverts", function () {
    it("with nothing to claim, or to the zero address", async function () {
      const f = await loadFixture(hookedBatchFixture);
      await expect(f.manager.connect(f.stranger).claim(f.stranger.address))
        .to.be.revertedWithCustomError(f.manager, "PullCreditsNothingToClaim")
        .withArgs(f.stranger.address);
      await expect(f.manager.connect(f.stranger).claim(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.manager,
        "PullCreditsZeroRecipient",
      );
    });
  });
});
