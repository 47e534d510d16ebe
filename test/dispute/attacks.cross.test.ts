import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Wallet } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  CHALLENGE_WINDOW,
  DEFAULT_PARAMETERS,
  DisputeHelper,
  DisputeState,
  NODE_STAKE,
  Outcome,
  ReceiptState,
  Verdict,
  deployDisputeFixture,
  stateBitmap,
} from "../fixtures/dispute";
import { hashReceipt, randomHash, signReceiptEthers } from "../helpers/receipts";
import type { Receipt } from "../helpers/receipts";
import { bySignature } from "./helpers";

const BPS = 10_000n;
/** The committee dispute's amount at risk on a fresh node: `NODE_STAKE × slashBps`. */
const AT_RISK = (NODE_STAKE * DEFAULT_PARAMETERS.slashBps) / BPS;
const BOND = (AT_RISK * DEFAULT_PARAMETERS.bondBps) / BPS;
/** The treasury's part of an arbitrated slash: what is left after the manager's rounded-down challenger and voter shares. */
const treasuryPartOf = (slashed: bigint) =>
  slashed - (slashed * (DEFAULT_PARAMETERS.challengerRewardBps + DEFAULT_PARAMETERS.voterRewardBps)) / BPS;
const DA_BOND = ethers.parseEther("1");
const DA_SLASH_BPS = 1_000n;
const DA_RESPONSE_PERIOD = 1_800n;

/** The module's equivocation parameters (its defaults, stated here so a change of them shows). */
const EQUIVOCATION_SLASH_BPS = 5_000n;
const EQUIVOCATION_PROVER_REWARD_BPS = 2_000n;

/**
 * The dispute system with the two committee-free judges (data-availability demands, equivocation proofs) of the same
 * Ignition deployment, each holding the dispute role there as deployed. The node is funded to pay its own bonds.
 */
async function deployCrossFixture() {
  const f = await deployDisputeFixture({
    dataAvailabilityParameters: {
      bondFloor: DA_BOND,
      responsePeriod: DA_RESPONSE_PERIOD,
      slashBps: DA_SLASH_BPS,
      demanderRewardBps: 2_500n,
    },
  });
  const { dataAvailabilityManager: da, equivocationSlasher: slasher } = f;
  expect(await slasher.slashBps()).to.equal(EQUIVOCATION_SLASH_BPS);
  expect(await slasher.proverRewardBps()).to.equal(EQUIVOCATION_PROVER_REWARD_BPS);
  // The node (or its accomplice: the same wallet here) can pay bonds in both judges.
  await f.token.connect(f.admin).mint(f.node.address, ethers.parseEther("10000"));
  await f.token.connect(f.node.account).approve(await da.getAddress(), ethers.MaxUint256);
  await f.token.connect(f.challenger2).approve(await da.getAddress(), ethers.MaxUint256);
  await f.token.connect(f.node.account).approve(await f.manager.getAddress(), ethers.MaxUint256);
  await f.token.connect(f.admin).mint(f.stranger.address, ethers.parseEther("10000"));
  await f.token.connect(f.stranger).approve(await f.manager.getAddress(), ethers.MaxUint256);
  return { ...f, da, slasher, h: new DisputeHelper(f) };
}

type Cross = Awaited<ReturnType<typeof deployCrossFixture>>;

/** Moves past the draw deadline of `id` without a draw: the arbitrator decides from then on. */
/** When `id`'s arbitration starts: after the reveal period when a committee was drawn, else at the draw deadline. */
async function arbitrationStart(f: Cross, id: bigint): Promise<bigint> {
  const d = await f.manager.getDispute(id);
  return d.revealEnd !== 0n ? d.revealEnd : d.challengedAt + DEFAULT_PARAMETERS.commitPeriod;
}

async function toArbitration(f: Cross, id: bigint) {
  await time.increaseTo(await arbitrationStart(f, id));
  expect(await f.manager.state(id)).to.equal(DisputeState.Arbitration);
}

/** Moves past every deadline of `id` without a vote or an arbitration. */
async function toExpiry(f: Cross, id: bigint) {
  await time.increaseTo((await arbitrationStart(f, id)) + DEFAULT_PARAMETERS.arbitrationPeriod);
  expect(await f.manager.state(id)).to.equal(DisputeState.Expired);
}

async function challengeBy(
  f: Cross,
  receipt: Receipt,
  by: HardhatEthersSigner | Wallet = f.challenger,
  beneficiary: string = by.address,
): Promise<bigint> {
  await f.manager.connect(by).challenge(receipt, ethers.ZeroHash, [], randomHash(), beneficiary, ethers.MaxUint256);
  return f.manager.disputeCount();
}

describe("attacks across contracts", function () {
  describe("escaping the slash through locks", function () {
    it("self-demands locking the whole stake before an honest challenge, then answered, don't shrink its slash", async function () {
      const f = await loadFixture(deployCrossFixture);
      // The arbitrator takes its time: the dispute is still open when the node's unbonding matures.
      await f.manager.connect(f.admin).setParameters({ ...DEFAULT_PARAMETERS, arbitrationPeriod: 30n * 24n * 3_600n });
      const batch = await f.h.attestBatch(10);
      const wrong = await f.h.attestReceipt();
      // Ten demands of 10% each on the node's own batch: the whole slashable stake locked.
      const demands: bigint[] = [];
      for (let i = 0; i < 10; ++i) {
        await f.da.connect(f.node.account).demand(batch.batchId, DA_BOND);
        demands.push(BigInt(i + 1));
      }
      expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(NODE_STAKE);

      // The honest challenge still puts the full share at risk and locks it on top.
      const id = await challengeBy(f, wrong);
      expect((await f.manager.getDispute(id)).amountAtRisk).to.equal(AT_RISK);
      expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(NODE_STAKE + AT_RISK);

      // The node answers its own demands (its bonds come back) and asks to leave with everything.
      for (const [i, demandId] of demands.entries()) {
        const receipt = batch.receipts[i];
        await f.da.connect(f.node.account).answer(demandId, receipt, batch.proof(receipt));
      }
      expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(AT_RISK);
      await f.staking.connect(f.node.account).requestUnstakeAll();
      await time.increase(8n * 24n * 3_600n);
      await expect(f.staking.connect(f.node.account).withdraw())
        .to.be.revertedWithCustomError(f.staking, "StakingStakeLocked")
        .withArgs(f.node.address, AT_RISK);

      // The verdict slashes the whole amount at risk (from the unbonding stake).
      await f.manager.connect(f.arbitrator).arbitrate(id, true);
      const slashed = (await f.staking.queryFilter(f.staking.filters.Slashed(f.node.address))).at(-1)!;
      expect([slashed.args.requested, slashed.args.slashed]).to.deep.equal([AT_RISK, AT_RISK]);
      expect(await f.staking.slashableStakeOf(f.node.address)).to.equal(NODE_STAKE - AT_RISK);
      expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(0n);
      await expect(f.staking.connect(f.node.account).withdraw())
        .to.emit(f.staking, "Withdrawn")
        .withArgs(f.node.address, NODE_STAKE - AT_RISK);
    });

    it("self-disputes on its own correct receipts before an honest challenge don't shrink its slash", async function () {
      const f = await loadFixture(deployCrossFixture);
      const correct = [await f.h.attestReceipt(), await f.h.attestReceipt()];
      const wrong = await f.h.attestReceipt();
      // An accomplice's two disputes put 2 × 50% at risk: the whole stake locked before the honest challenge.
      const own = [await challengeBy(f, correct[0], f.node.account), await challengeBy(f, correct[1], f.node.account)];
      expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(2n * AT_RISK);
      const honest = await challengeBy(f, wrong);
      expect((await f.manager.getDispute(honest)).amountAtRisk).to.equal(AT_RISK);

      // The accomplice's disputes are found right (the node is paid their bonds) before the honest one resolves.
      await toArbitration(f, honest);
      for (const id of own) await f.manager.connect(f.arbitrator).arbitrate(id, false);
      await expect(f.manager.connect(f.arbitrator).arbitrate(honest, true))
        .to.emit(f.staking, "Slashed")
        .withArgs(f.node.address, AT_RISK, AT_RISK, treasuryPartOf(AT_RISK));
      expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(0n);
    });

    it("concurrent judgments slash in the order they resolve until nothing is left, each unlocking only its own lock", async function () {
      const f = await loadFixture(deployCrossFixture);
      const batch = await f.h.attestBatch(2);
      const wrong = [await f.h.attestReceipt(), await f.h.attestReceipt()];
      await f.da.connect(f.challenger2).demand(batch.batchId, DA_BOND);
      const first = await challengeBy(f, wrong[0]);
      const second = await challengeBy(f, wrong[1]);
      const daLocked = (await f.da.getDemand(1n)).locked;
      expect(daLocked).to.equal((NODE_STAKE * DA_SLASH_BPS) / BPS);
      expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(daLocked + 2n * AT_RISK);

      // An equivocation proof (50%) lands first: no lock is touched by it.
      const a = { ...wrong[0], requestId: randomHash() };
      const b = { ...a, outputHash: randomHash() };
      await f.slasher
        .connect(f.stranger)
        .proveEquivocation(
          bySignature(a, await signReceiptEthers(f.node.signer, f.domain, a)),
          bySignature(b, await signReceiptEthers(f.node.signer, f.domain, b)),
        );
      expect(await f.staking.slashableStakeOf(f.node.address)).to.equal(NODE_STAKE / 2n);
      expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(daLocked + 2n * AT_RISK);

      // The first dispute takes what is left (less than its amount at risk), the next ones find nothing.
      await toArbitration(f, second);
      await expect(f.manager.connect(f.arbitrator).arbitrate(first, true))
        .to.emit(f.staking, "Slashed")
        .withArgs(f.node.address, AT_RISK, NODE_STAKE / 2n, treasuryPartOf(NODE_STAKE / 2n));
      await expect(f.manager.connect(f.arbitrator).arbitrate(second, true))
        .to.emit(f.manager, "DisputeResolved")
        .withArgs(second, Outcome.NodeWrong, 0n, 0n, 0n, 0n)
        .and.to.emit(f.staking, "StakeUnlocked")
        .withArgs(f.node.address, AT_RISK, daLocked);
      await time.increase(DA_RESPONSE_PERIOD);
      await expect(f.da.slashUnanswered(1n))
        .to.emit(f.staking, "StakeUnlocked")
        .withArgs(f.node.address, daLocked, 0n)
        .and.to.emit(f.da, "DemandSlashed")
        .withArgs(1n, batch.batchId, f.node.address, f.challenger2.address, 0n, DA_BOND, false);
      expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(0n);
      expect(await f.staking.slashableStakeOf(f.node.address)).to.equal(0n);
    });

    it("a bondless router dispute fixes its amount at risk at opening, whatever is locked", async function () {
      const f = await loadFixture(deployCrossFixture);
      await f.manager.connect(f.admin).grantRole(await f.manager.ROUTER_ROLE(), f.admin.address);
      const [own, wrong] = [await f.h.attestReceipt(), await f.h.attestReceipt()];
      await challengeBy(f, own, f.node.account);
      await challengeBy(f, await f.h.attestReceipt(), f.node.account);
      await f.manager.connect(f.admin).openRouterDispute(wrong, ethers.ZeroHash, [], randomHash());
      const d = await f.manager.getDispute(await f.manager.disputeCount());
      expect([d.bond, d.amountAtRisk]).to.deep.equal([0n, AT_RISK]);
    });
  });

  describe("whitewashing by expiry", function () {
    it("an accomplice's dispute that nobody draws, votes on or arbitrates never upholds: the receipt is challengeable again with its window extended", async function () {
      const f = await loadFixture(deployCrossFixture);
      const wrong = await f.h.attestReceipt();
      const hash = hashReceipt(wrong);
      const { windowEnd } = await f.attestation.getReceipt(wrong);
      const id = await challengeBy(f, wrong, f.node.account);
      const { challengedAt } = await f.manager.getDispute(id);
      await toExpiry(f, id);
      // Nobody even resolves: the receipt is frozen, never final.
      expect(await f.attestation.isReceiptFinal(wrong)).to.equal(false);
      const resolvedAt = BigInt(await time.latest()) + 100n;
      await time.setNextBlockTimestamp(resolvedAt);
      await f.manager.resolve(id);
      const extended = windowEnd + (resolvedAt - challengedAt);
      expect(await f.attestation.receiptState(hash)).to.equal(ReceiptState.None);
      expect((await f.attestation.getReceipt(wrong)).windowEnd).to.equal(extended);
      expect(await f.attestation.isReceiptFinal(wrong)).to.equal(false);

      // An honest challenger, long after the original window, challenges again and the node is found wrong.
      await time.setNextBlockTimestamp(extended - 1n);
      const again = await challengeBy(f, wrong);
      expect((await f.manager.getDispute(again)).amountAtRisk).to.equal(AT_RISK);
      await toArbitration(f, again);
      await f.manager.connect(f.arbitrator).arbitrate(again, true);
      expect(await f.attestation.receiptState(hash)).to.equal(ReceiptState.Rejected);
      expect(await f.attestation.isReceiptFinal(wrong)).to.equal(false);
    });

    it("extends the window by the time frozen again on each expiry, and closes it exactly at the extended end", async function () {
      const f = await loadFixture(deployCrossFixture);
      const receipt = await f.h.attestReceipt();
      let end = (await f.attestation.getReceipt(receipt)).windowEnd;
      for (let round = 0; round < 2; ++round) {
        const id = await challengeBy(f, receipt, f.node.account);
        const { challengedAt } = await f.manager.getDispute(id);
        await toExpiry(f, id);
        const at = BigInt(await time.latest()) + 1n;
        await time.setNextBlockTimestamp(at);
        await expect(f.manager.resolve(id))
          .to.emit(f.attestation, "ReceiptDisputeExpired")
          .withArgs(hashReceipt(receipt), end + (at - challengedAt));
        end += at - challengedAt;
      }
      await time.setNextBlockTimestamp(end);
      await expect(challengeBy(f, receipt))
        .to.be.revertedWithCustomError(f.attestation, "AttestationWindowClosed")
        .withArgs(hashReceipt(receipt), end, end);
      expect(await f.attestation.isReceiptFinal(receipt)).to.equal(true);
    });

    it("nobody acting (no draw, no votes, no arbitration) is never a verdict for the accused, and its stake stays", async function () {
      const f = await loadFixture(deployCrossFixture);
      const wrong = await f.h.attestReceipt();
      const id = await challengeBy(f, wrong, f.node.account);
      await f.staking.connect(f.node.account).requestUnstakeAll();
      await toExpiry(f, id);
      await expect(f.manager.connect(f.arbitrator).arbitrate(id, false))
        .to.be.revertedWithCustomError(f.manager, "DisputeUnexpectedState")
        .withArgs(id, DisputeState.Expired, stateBitmap(DisputeState.Arbitration));
      await time.increase(7n * 24n * 3_600n);
      // Still locked: the dispute is open until someone resolves it.
      await expect(f.staking.connect(f.node.account).withdraw()).to.be.revertedWithCustomError(
        f.staking,
        "StakingStakeLocked",
      );
      await f.manager.resolve(id);
      expect(await f.attestation.receiptState(hashReceipt(wrong))).to.equal(ReceiptState.None);
      // Its stake stays until the extended window has closed, so a new challenge still finds it.
      const until = await f.staking.slashableUntil(f.node.address);
      await expect(f.staking.connect(f.node.account).withdraw())
        .to.be.revertedWithCustomError(f.staking, "StakingWithdrawalHeld")
        .withArgs(f.node.address, until);
      const again = await challengeBy(f, wrong);
      expect((await f.manager.getDispute(again)).amountAtRisk).to.equal(AT_RISK);
    });
  });

  describe("stake leaving while a receipt is inside its window", function () {
    it("with unbondingPeriod ≥ challengeWindow, stake unstaked right after attesting is still there for a challenge at the window's last second", async function () {
      const f = await loadFixture(deployCrossFixture);
      await f.staking.connect(f.admin).setUnbondingPeriod(CHALLENGE_WINDOW);
      const wrong = await f.h.attestReceipt();
      const { windowEnd } = await f.attestation.getReceipt(wrong);
      await f.staking.connect(f.node.account).requestUnstakeAll();
      const [request] = await f.staking.unbondingRequestsOf(f.node.address);
      expect(request.releaseAt).to.be.at.least(windowEnd);
      await time.setNextBlockTimestamp(windowEnd - 1n);
      const id = await challengeBy(f, wrong);
      expect((await f.manager.getDispute(id)).amountAtRisk).to.equal(AT_RISK);
      await time.increaseTo(request.releaseAt);
      await expect(f.staking.connect(f.node.account).withdraw()).to.be.revertedWithCustomError(
        f.staking,
        "StakingStakeLocked",
      );
    });

    it("after an expired dispute, the stake is held until the extended window closes (a short unbonding can't beat it)", async function () {
      const f = await loadFixture(deployCrossFixture);
      await f.staking.connect(f.admin).setUnbondingPeriod(CHALLENGE_WINDOW);
      const wrong = await f.h.attestReceipt();
      await f.staking.connect(f.node.account).requestUnstakeAll();
      const id = await challengeBy(f, wrong, f.node.account);
      await toExpiry(f, id);
      await f.manager.resolve(id);
      const extended = (await f.attestation.getReceipt(wrong)).windowEnd;
      expect(await f.staking.slashableUntil(f.node.address)).to.equal(extended);
      await time.setNextBlockTimestamp(extended - 1n);
      await expect(f.staking.connect(f.node.account).withdraw())
        .to.be.revertedWithCustomError(f.staking, "StakingWithdrawalHeld")
        .withArgs(f.node.address, extended);
      await time.setNextBlockTimestamp(extended);
      await expect(f.staking.connect(f.node.account).withdraw()).to.emit(f.staking, "Withdrawn");
    });
  });

  describe("taking the honest challenger's place", function () {
    async function accompliceFirst() {
      const f = await loadFixture(deployCrossFixture);
      const wrong = await f.h.attestReceipt();
      // The node's accomplice challenges first and names the node as beneficiary.
      const id = await challengeBy(f, wrong, f.challenger2, f.node.address);
      const committee = await f.h.draw(id);
      return { ...f, wrong, id, committee };
    }

    it("a joiner reads the bond it will post on chain (joinBondOf), the dispute's own, as the join takes it", async function () {
      const f = await accompliceFirst();
      const byShare = (AT_RISK * DEFAULT_PARAMETERS.bondBps) / BPS;
      const expected = byShare > DEFAULT_PARAMETERS.bondFloor ? byShare : DEFAULT_PARAMETERS.bondFloor;
      expect(await f.manager.joinBondOf(f.id))
        .to.equal(expected)
        .and.to.equal((await f.manager.getDispute(f.id)).bond);
      expect(await f.manager.joinBondOf(99n)).to.equal(0n);
      const bond = await f.manager.joinBondOf(f.id);
      await expect(f.manager.connect(f.challenger).joinChallenge(f.id, f.challenger.address, bond))
        .to.emit(f.manager, "ChallengeJoined")
        .withArgs(f.id, f.challenger.address, f.challenger.address, bond, bond);
    });

    it("an honest second challenger can't open a second dispute, but joins with its own bond and keeps its share of the reward", async function () {
      const f = await accompliceFirst();
      await expect(challengeBy(f, f.wrong))
        .to.be.revertedWithCustomError(f.attestation, "AttestationUnexpectedReceiptState")
        .withArgs(hashReceipt(f.wrong), ReceiptState.Disputed, ReceiptState.None);
      const join = f.manager.connect(f.challenger).joinChallenge(f.id, f.challenger.address, BOND);
      await expect(join)
        .to.emit(f.manager, "ChallengeJoined")
        .withArgs(f.id, f.challenger.address, f.challenger.address, BOND, BOND);
      await expect(join).to.changeTokenBalances(f.token, [f.challenger, f.manager], [-BOND, BOND]);
      expect(await f.manager.totalBonds()).to.equal(2n * BOND);

      await f.h.vote(f.id, [Verdict.NodeWrong, Verdict.NodeWrong, Verdict.NodeWrong]);
      const resolve = f.manager.resolve(f.id);
      const reward = (AT_RISK * DEFAULT_PARAMETERS.challengerRewardBps) / BPS;
      const pot = 2n * BOND + reward;
      // The accomplice's beneficiary (the node) is credited only its own half, at once.
      await expect(resolve)
        .to.emit(f.manager, "RewardCredited")
        .withArgs(f.id, f.node.address, pot / 2n);
      expect(await f.manager.totalChallengerShares()).to.equal(pot - pot / 2n);
      await expect(f.manager.connect(f.stranger).creditChallenger(f.id, f.challenger.address))
        .to.emit(f.manager, "RewardCredited")
        .withArgs(f.id, f.challenger.address, pot - pot / 2n);
      expect(await f.manager.claimableOf(f.challenger.address)).to.equal(BOND + reward / 2n);
      expect(await f.manager.totalChallengerShares()).to.equal(0n);
      await expect(f.manager.creditChallenger(f.id, f.challenger.address))
        .to.be.revertedWithCustomError(f.manager, "DisputeNoChallengerShare")
        .withArgs(f.id, f.challenger.address);
      expect(await f.attestation.receiptState(hashReceipt(f.wrong))).to.equal(ReceiptState.Rejected);
    });

    it("shares pro rata to bond: a beneficiary that joins twice gets two shares, the last one takes the rounding rest", async function () {
      const f = await accompliceFirst();
      await f.manager.connect(f.challenger).joinChallenge(f.id, f.challenger.address, BOND);
      await expect(f.manager.connect(f.stranger).joinChallenge(f.id, f.challenger.address, BOND))
        .to.emit(f.manager, "ChallengeJoined")
        .withArgs(f.id, f.stranger.address, f.challenger.address, BOND, 2n * BOND);
      expect(await f.manager.challengeBondOf(f.id, f.challenger.address)).to.equal(2n * BOND);
      await toArbitration(f, f.id);
      await f.manager.connect(f.arbitrator).arbitrate(f.id, true);
      const pot = 3n * BOND + (AT_RISK * DEFAULT_PARAMETERS.challengerRewardBps) / BPS;
      const first = pot / 3n;
      expect(await f.manager.claimableOf(f.node.address)).to.equal(first);
      await f.manager.creditChallenger(f.id, f.challenger.address);
      expect(await f.manager.claimableOf(f.challenger.address)).to.equal(pot - first);
      expect((await f.manager.getDispute(f.id)).challengerPot).to.equal(0n);
    });

    it("returns every challenger's bond when the dispute expires, and forfeits them all when the node is right", async function () {
      const f = await accompliceFirst();
      await f.manager.connect(f.challenger).joinChallenge(f.id, f.challenger.address, BOND);
      await toExpiry(f, f.id);
      await f.manager.resolve(f.id);
      await f.manager.creditChallenger(f.id, f.challenger.address);
      expect(await f.manager.claimableOf(f.challenger.address)).to.equal(BOND);
      expect(await f.manager.claimableOf(f.node.address)).to.equal(BOND);

      const right = await f.h.attestReceipt(f.nodeB);
      const id = await challengeBy(f, right, f.challenger2);
      await f.h.draw(id);
      await f.manager.connect(f.challenger).joinChallenge(id, f.challenger.address, BOND);
      await toArbitration(f, id);
      await expect(f.manager.connect(f.arbitrator).arbitrate(id, false))
        .to.emit(f.manager, "RewardCredited")
        .withArgs(id, f.nodeB.address, 2n * BOND);
      await expect(f.manager.creditChallenger(id, f.challenger.address))
        .to.be.revertedWithCustomError(f.manager, "DisputeNoChallengerShare")
        .withArgs(id, f.challenger.address);
    });

    it("caps the challenger reward at half of the slash, so self-challenge is never free", async function () {
      const f = await loadFixture(deployCrossFixture);
      expect(await f.manager.MAX_CHALLENGER_REWARD_BPS()).to.equal(5_000n);
      await expect(f.manager.connect(f.admin).setParameters({ ...DEFAULT_PARAMETERS, challengerRewardBps: BPS }))
        .to.be.revertedWithCustomError(f.manager, "ParameterOutOfBounds")
        .withArgs(ethers.encodeBytes32String("challengerRewardBps"), BPS, 0n, 5_000n);
    });

    describe("reverts a join", function () {
      it("for a zero beneficiary", async function () {
        const f = await accompliceFirst();
        await expect(
          f.manager.connect(f.challenger).joinChallenge(f.id, ethers.ZeroAddress, BOND),
        ).to.be.revertedWithCustomError(f.manager, "DisputeZeroAddress");
      });

      it("above the caller's maximum bond", async function () {
        const f = await accompliceFirst();
        await expect(f.manager.connect(f.challenger).joinChallenge(f.id, f.challenger.address, BOND - 1n))
          .to.be.revertedWithCustomError(f.manager, "DisputeBondAboveMaximum")
          .withArgs(BOND, BOND - 1n);
      });

      it("before the committee is drawn: a joiner could sit on its own jury, and excluding it would let the seed's reader strike verifiers off", async function () {
        const f = await loadFixture(deployCrossFixture);
        const wrong = await f.h.attestReceipt();
        const id = await challengeBy(f, wrong, f.challenger2, f.node.address);
        // A verifier who would join before the draw (as itself, or naming another verifier as beneficiary).
        const verifier = f.verifiers[0]!;
        await f.token.connect(f.admin).mint(verifier.address, BOND);
        await f.token.connect(verifier.account).approve(await f.manager.getAddress(), BOND);
        const expected = stateBitmap(DisputeState.Committing);
        await expect(f.manager.connect(verifier.account).joinChallenge(id, verifier.address, BOND))
          .to.be.revertedWithCustomError(f.manager, "DisputeUnexpectedState")
          .withArgs(id, DisputeState.Drawing, expected);
        await expect(f.manager.connect(f.challenger).joinChallenge(id, f.verifiers[1]!.address, BOND))
          .to.be.revertedWithCustomError(f.manager, "DisputeUnexpectedState")
          .withArgs(id, DisputeState.Drawing, expected);
        // Once drawn, a verifier left off the committee joins like anyone else.
        const committee = await f.h.draw(id);
        const outsider = f.verifiers.find((v) => !committee.includes(v.address))!;
        await f.token.connect(f.admin).mint(outsider.address, BOND);
        await f.token.connect(outsider.account).approve(await f.manager.getAddress(), BOND);
        await expect(f.manager.connect(outsider.account).joinChallenge(id, outsider.address, BOND))
          .to.emit(f.manager, "ChallengeJoined")
          .withArgs(id, outsider.address, outsider.address, BOND, BOND);
      });

      it("once votes can be revealed, and on an unknown or settled dispute", async function () {
        const f = await accompliceFirst();
        const committee = f.committee;
        await f.h.toReveal(f.id);
        const expected = stateBitmap(DisputeState.Committing);
        await expect(f.manager.connect(f.challenger).joinChallenge(f.id, f.challenger.address, BOND))
          .to.be.revertedWithCustomError(f.manager, "DisputeUnexpectedState")
          .withArgs(f.id, DisputeState.Revealing, expected);
        await expect(f.manager.connect(f.challenger).joinChallenge(99n, f.challenger.address, BOND))
          .to.be.revertedWithCustomError(f.manager, "DisputeUnexpectedState")
          .withArgs(99n, DisputeState.None, expected);
        expect(committee).to.have.length(3);
      });

      it("by a committee member, as caller or as beneficiary", async function () {
        const f = await accompliceFirst();
        const [member] = f.committee;
        await expect(f.manager.connect(f.challenger).joinChallenge(f.id, member, BOND))
          .to.be.revertedWithCustomError(f.manager, "DisputeCommitteeMemberJoining")
          .withArgs(f.id, member);
        const account = f.h.member(member).account;
        await expect(f.manager.connect(account).joinChallenge(f.id, f.challenger.address, BOND))
          .to.be.revertedWithCustomError(f.manager, "DisputeCommitteeMemberJoining")
          .withArgs(f.id, member);
      });

      it("while paused, and a credit before settlement", async function () {
        const f = await accompliceFirst();
        await expect(f.manager.creditChallenger(f.id, f.node.address))
          .to.be.revertedWithCustomError(f.manager, "DisputeUnexpectedState")
          .withArgs(f.id, DisputeState.Committing, stateBitmap(DisputeState.Resolved));
        await f.manager.connect(f.pauser).pause();
        await expect(
          f.manager.connect(f.challenger).joinChallenge(f.id, f.challenger.address, BOND),
        ).to.be.revertedWithCustomError(f.manager, "EnforcedPause");
        await mine(1);
      });
    });
  });
});
