import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyUint, anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  CHALLENGE_WINDOW,
  DEFAULT_PARAMETERS,
  DisputeHelper,
  DisputeState,
  HOUR,
  NODE_STAKE,
  Outcome,
  ReceiptState,
  Verdict,
  deployDisputeFixture,
  deployToggleFeeDisputeFixture,
  stateBitmap,
} from "../fixtures/dispute";
import type { DisputeSystem } from "../fixtures/dispute";
import { expectParametersSetField, shouldBehaveLikeBoundedParameter } from "../helpers/boundedParameter.behavior";
import { shouldBehaveLikePullCredits } from "../helpers/pullCredits.behavior";
import { hashReceipt, randomHash } from "../helpers/receipts";

const BPS = 10_000n;
const LOCKED = (NODE_STAKE * DEFAULT_PARAMETERS.slashBps) / BPS;
const BOND = (LOCKED * DEFAULT_PARAMETERS.bondBps) / BPS;
/** What `Staking` sends the treasury when it slashes `LOCKED`: the rest after this contract's rounded-down share. */
const LOCKED_TO_TREASURY =
  LOCKED - (LOCKED * (DEFAULT_PARAMETERS.challengerRewardBps + DEFAULT_PARAMETERS.voterRewardBps)) / BPS;

async function setup() {
  const f = await loadFixture(deployDisputeFixture);
  return { ...f, h: new DisputeHelper(f) };
}

/** A receipt challenged by `challenger` with its committee drawn. */
async function drawnDispute() {
  const f = await setup();
  const receipt = await f.h.attestReceipt();
  const id = await f.h.challenge(receipt);
  const committee = await f.h.draw(id);
  return { ...f, receipt, id, committee };
}

/** Expected pro-rata credits of the members who voted `verdict`, and their sum. */
async function expectedShares(f: DisputeSystem, id: bigint, committee: string[], verdict: Verdict, pot: bigint) {
  const votes = await Promise.all(committee.map((m) => f.manager.getVote(id, m)));
  const total = votes.reduce((acc, v) => (v.revealed && Number(v.verdict) === verdict ? acc + v.weight : acc), 0n);
  const shares = votes.map((v) =>
    v.revealed && Number(v.verdict) === verdict && total > 0n ? (pot * v.weight) / total : 0n,
  );
  return { shares, sum: shares.reduce((a, b) => a + b, 0n) };
}

describe("DisputeManager", function () {
  describe("on deployment", function () {
    it("stores the parameters, roles and constants", async function () {
      const f = await setup();
      const p = await f.manager.getParameters();
      expect(p.bondFloor).to.equal(DEFAULT_PARAMETERS.bondFloor);
      expect(p.committeeSize).to.equal(DEFAULT_PARAMETERS.committeeSize);
      expect(p.arbitrationPeriod).to.equal(DEFAULT_PARAMETERS.arbitrationPeriod);
      expect(await f.manager.hasRole(await f.manager.DEFAULT_ADMIN_ROLE(), f.admin.address)).to.equal(true);
      expect(await f.manager.hasRole(await f.manager.ARBITRATOR_ROLE(), f.arbitrator.address)).to.equal(true);
      expect(await f.manager.hasRole(await f.manager.PAUSER_ROLE(), f.pauser.address)).to.equal(true);
      expect(await f.manager.MAX_COMMITTEE_SIZE()).to.equal(21n);
      expect(await f.manager.DRAW_ATTEMPTS_PER_SEAT()).to.equal(8n);
      expect(await f.manager.disputeCount()).to.equal(0n);
      expect(await f.manager.state(1n)).to.equal(DisputeState.None);
    });

    it("emits ParametersSet", async function () {
      const f = await setup();
      const manager = await ethers.deployContract("DisputeManager", [
        await f.staking.getAddress(),
        await f.nodeRegistry.getAddress(),
        await f.attestation.getAddress(),
        f.admin.address,
        DEFAULT_PARAMETERS,
      ]);
      await expect(manager.deploymentTransaction()).to.emit(manager, "ParametersSet");
    });

    describe("reverts", function () {
      for (const slot of [0, 1, 2, 3]) {
        it(`on a zero address in argument ${slot}`, async function () {
          const f = await setup();
          const args: unknown[] = [
            await f.staking.getAddress(),
            await f.nodeRegistry.getAddress(),
            await f.attestation.getAddress(),
            f.admin.address,
          ];
          args[slot] = ethers.ZeroAddress;
          const factory = await ethers.getContractFactory("DisputeManager");
          await expect(factory.deploy(...(args as [string, string, string, string]), DEFAULT_PARAMETERS))
            .to.be.revertedWithCustomError(f.manager, "DisputeZeroAddress")
            .withArgs();
        });
      }
    });
  });

  describe("challenge", function () {
    it("opens a dispute on a single receipt: fixes and locks the amount at risk, pulls the bond, marks the receipt", async function () {
      const f = await setup();
      const receipt = await f.h.attestReceipt();
      const hash = hashReceipt(receipt);
      const output = randomHash();
      const [bond, locked] = await f.manager.previewBond(f.node.address);
      expect([bond, locked]).to.deep.equal([BOND, LOCKED]);
      const tx = f.manager
        .connect(f.challenger)
        .challenge(receipt, ethers.ZeroHash, [], output, f.stranger.address, BOND);
      const drawBlock = BigInt(await ethers.provider.getBlockNumber()) + 2n;
      await expect(tx)
        .to.emit(f.manager, "DisputeOpened")
        .withArgs(
          1n,
          hash,
          f.node.address,
          ethers.ZeroHash,
          f.challenger.address,
          f.stranger.address,
          output,
          BOND,
          LOCKED,
          drawBlock,
        )
        .and.to.emit(f.staking, "StakeLocked")
        .withArgs(f.node.address, LOCKED, LOCKED)
        .and.to.emit(f.attestation, "ReceiptDisputed");
      await expect(tx).to.changeTokenBalances(f.token, [f.challenger, f.manager], [-BOND, BOND]);
      const d = await f.manager.getDispute(1n);
      expect(d.node).to.equal(f.node.address);
      expect(d.challenger).to.equal(f.challenger.address);
      expect(d.beneficiary).to.equal(f.stranger.address);
      expect(d.receiptHash).to.equal(hash);
      expect(d.bond).to.equal(BOND);
      expect(d.amountAtRisk).to.equal(LOCKED);
      expect(d.challengeBonds).to.equal(BOND);
      expect(d.challengerPot).to.equal(0n);
      expect(await f.manager.challengeBondOf(1n, f.stranger.address)).to.equal(BOND);
      expect(d.drawBlock).to.equal(drawBlock);
      expect(d.challengedAt).to.equal(await time.latest());
      expect(await f.manager.state(1n)).to.equal(DisputeState.Drawing);
      expect(await f.manager.disputeOfReceipt(hash)).to.equal(1n);
      expect(await f.manager.totalBonds()).to.equal(BOND);
      expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(LOCKED);
      expect(await f.attestation.receiptState(hash)).to.equal(ReceiptState.Disputed);
    });

    it("opens a dispute on a receipt in a batch with its proof", async function () {
      const f = await setup();
      const { receipts, batchId, proof } = await f.h.attestBatch(5);
      const receipt = receipts[3];
      await expect(
        f.manager
          .connect(f.challenger)
          .challenge(receipt, batchId, proof(receipt), randomHash(), f.challenger.address, BOND),
      )
        .to.emit(f.manager, "DisputeOpened")
        .withArgs(
          1n,
          hashReceipt(receipt),
          f.node.address,
          batchId,
          f.challenger.address,
          f.challenger.address,
          anyValue,
          BOND,
          LOCKED,
          anyUint,
        );
    });

    it("charges the floor when the stake at risk is small (many tiny challenges each cost the floor)", async function () {
      const f = await setup();
      await f.manager.connect(f.admin).setParameters({ ...DEFAULT_PARAMETERS, slashBps: 1n });
      const atRisk = NODE_STAKE / BPS;
      expect((atRisk * DEFAULT_PARAMETERS.bondBps) / BPS).to.be.lessThan(DEFAULT_PARAMETERS.bondFloor);
      const before = await f.token.balanceOf(f.challenger.address);
      for (let i = 0; i < 3; ++i) {
        const receipt = await f.h.attestReceipt();
        await f.h.challenge(receipt);
        expect((await f.manager.getDispute(BigInt(i + 1))).bond).to.equal(DEFAULT_PARAMETERS.bondFloor);
      }
      expect(before - (await f.token.balanceOf(f.challenger.address))).to.equal(3n * DEFAULT_PARAMETERS.bondFloor);
    });

    it("puts the same amount at risk in every concurrent dispute, whatever the others locked (locks may sum above the stake)", async function () {
      const f = await setup();
      for (let k = 1n; k <= 3n; ++k) {
        const [bond, atRisk] = await f.manager.previewBond(f.node.address);
        expect([bond, atRisk]).to.deep.equal([BOND, LOCKED]);
        const id = await f.h.challenge(await f.h.attestReceipt());
        expect((await f.manager.getDispute(id)).amountAtRisk).to.equal(LOCKED);
        expect((await f.manager.getDispute(id)).bond).to.equal(BOND);
        expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(k * LOCKED);
      }
      expect(await f.staking.lockedStakeOf(f.node.address)).to.be.greaterThan(NODE_STAKE);
    });

    describe("at the window boundary", function () {
      it("succeeds one second before the window ends", async function () {
        const f = await setup();
        const receipt = await f.h.attestReceipt();
        const { windowEnd } = await f.attestation.getReceipt(receipt);
        await time.setNextBlockTimestamp(windowEnd - 1n);
        await expect(f.h.challenge(receipt)).to.not.be.reverted;
        expect(await f.manager.state(1n)).to.equal(DisputeState.Drawing);
      });

      it("reverts at the exact end of the window (now == windowEnd: the receipt is final)", async function () {
        const f = await setup();
        const receipt = await f.h.attestReceipt();
        const { windowEnd } = await f.attestation.getReceipt(receipt);
        expect(windowEnd).to.equal(BigInt(await time.latest()) + CHALLENGE_WINDOW);
        await time.setNextBlockTimestamp(windowEnd);
        await expect(f.h.challenge(receipt))
          .to.be.revertedWithCustomError(f.attestation, "AttestationWindowClosed")
          .withArgs(hashReceipt(receipt), windowEnd, windowEnd);
      });

      it("reverts on a final receipt long after the window", async function () {
        const f = await setup();
        const receipt = await f.h.attestReceipt();
        const { windowEnd } = await f.attestation.getReceipt(receipt);
        await time.increaseTo(windowEnd + 100n);
        expect(await f.attestation.isReceiptFinal(receipt)).to.equal(true);
        await expect(f.h.challenge(receipt))
          .to.be.revertedWithCustomError(f.attestation, "AttestationWindowClosed")
          .withArgs(hashReceipt(receipt), windowEnd, windowEnd + 101n);
      });
    });

    describe("reverts", function () {
      it("on a zero beneficiary", async function () {
        const f = await setup();
        const receipt = await f.h.attestReceipt();
        await expect(f.h.challenge(receipt, f.challenger, ethers.ZeroAddress))
          .to.be.revertedWithCustomError(f.manager, "DisputeZeroAddress")
          .withArgs();
      });

      it("when the challenger's output equals the receipt's", async function () {
        const f = await setup();
        const receipt = await f.h.attestReceipt();
        await expect(
          f.manager
            .connect(f.challenger)
            .challenge(receipt, ethers.ZeroHash, [], receipt.outputHash, f.challenger.address, BOND),
        )
          .to.be.revertedWithCustomError(f.manager, "DisputeSameOutput")
          .withArgs(hashReceipt(receipt), receipt.outputHash);
      });

      it("when the bond exceeds the caller's maximum", async function () {
        const f = await setup();
        const receipt = await f.h.attestReceipt();
        await expect(
          f.manager
            .connect(f.challenger)
            .challenge(receipt, ethers.ZeroHash, [], randomHash(), f.challenger.address, BOND - 1n),
        )
          .to.be.revertedWithCustomError(f.manager, "DisputeBondAboveMaximum")
          .withArgs(BOND, BOND - 1n);
      });

      it("on a second challenge of the same receipt while the first is open", async function () {
        const f = await setup();
        const receipt = await f.h.attestReceipt();
        await f.h.challenge(receipt);
        await expect(f.h.challenge(receipt, f.challenger2))
          .to.be.revertedWithCustomError(f.attestation, "AttestationUnexpectedReceiptState")
          .withArgs(hashReceipt(receipt), ReceiptState.Disputed, ReceiptState.None);
      });

      it("on a receipt that was never attested, or a wrong proof", async function () {
        const f = await setup();
        const { receipts, batchId, proof } = await f.h.attestBatch(4);
        const other = { ...receipts[0], outputHash: randomHash() };
        await expect(f.h.challenge(other))
          .to.be.revertedWithCustomError(f.attestation, "AttestationReceiptNotAttested")
          .withArgs(hashReceipt(other), ethers.ZeroHash);
        await expect(
          f.manager
            .connect(f.challenger)
            .challenge(receipts[0], batchId, proof(receipts[1]), randomHash(), f.challenger.address, BOND),
        )
          .to.be.revertedWithCustomError(f.attestation, "AttestationReceiptNotAttested")
          .withArgs(hashReceipt(receipts[0]), batchId);
      });

      it("without an allowance for the bond", async function () {
        const f = await setup();
        const receipt = await f.h.attestReceipt();
        await f.token.connect(f.challenger).approve(await f.manager.getAddress(), BOND - 1n);
        await expect(f.h.challenge(receipt))
          .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
          .withArgs(await f.manager.getAddress(), BOND - 1n, BOND);
      });

      it("on a fee-on-transfer bond", async function () {
        const f = await loadFixture(deployToggleFeeDisputeFixture);
        const h = new DisputeHelper(f);
        const receipt = await h.attestReceipt();
        await f.token.setFeeBps(100n);
        await expect(h.challenge(receipt))
          .to.be.revertedWithCustomError(f.manager, "DisputeTransferAmountMismatch")
          .withArgs(BOND, BOND - BOND / 100n);
      });

      it("while paused", async function () {
        const f = await setup();
        const receipt = await f.h.attestReceipt();
        await f.manager.connect(f.pauser).pause();
        await expect(f.h.challenge(receipt)).to.be.revertedWithCustomError(f.manager, "EnforcedPause").withArgs();
      });
    });
  });

  describe("drawCommittee", function () {
    it("draws distinct, eligible verifiers with their stake as weight and opens the commit period", async function () {
      const f = await setup();
      const id = await f.h.challenge(await f.h.attestReceipt());
      await mine(1);
      const tx = f.manager.connect(f.stranger).drawCommittee(id);
      await expect(tx).to.emit(f.manager, "CommitteeDrawn");
      const committee = await f.manager.committeeOf(id);
      expect(committee.length).to.equal(3);
      expect(new Set(committee).size).to.equal(3);
      const now = BigInt(await time.latest());
      const d = await f.manager.getDispute(id);
      expect(d.commitEnd).to.equal(now + DEFAULT_PARAMETERS.commitPeriod);
      expect(d.revealEnd).to.equal(now + DEFAULT_PARAMETERS.commitPeriod + DEFAULT_PARAMETERS.revealPeriod);
      await expect(tx).to.emit(f.manager, "CommitteeDrawn").withArgs(id, d.commitEnd, d.revealEnd);
      for (const member of committee) {
        const stake = await f.staking.activeStakeOf(member);
        expect((await f.manager.getVote(id, member)).weight).to.equal(stake);
        await expect(tx).to.emit(f.manager, "CommitteeMemberDrawn").withArgs(id, member, stake);
        expect([f.node.address, f.challenger.address]).to.not.include(member);
      }
      expect(await f.manager.state(id)).to.equal(DisputeState.Committing);
    });

    it("keeps the weights drawn when the members' stake changes later", async function () {
      const { manager, id, committee, staking, h } = await drawnDispute();
      const member = h.member(committee[0]);
      const weight = (await manager.getVote(id, committee[0])).weight;
      await staking.connect(member.account).requestUnstake(weight - ethers.parseEther("100"));
      expect((await manager.getVote(id, committee[0])).weight).to.equal(weight);
    });

    it("moves the draw to the next block when the draw block's hash is gone", async function () {
      const f = await setup();
      const id = await f.h.challenge(await f.h.attestReceipt());
      await mine(300);
      const next = BigInt(await ethers.provider.getBlockNumber()) + 2n;
      await expect(f.manager.drawCommittee(id)).to.emit(f.manager, "CommitteeDrawRescheduled").withArgs(id, next);
      expect((await f.manager.getDispute(id)).drawBlock).to.equal(next);
      expect(await f.manager.state(id)).to.equal(DisputeState.Drawing);
      expect(await f.h.draw(id)).to.have.length(3);
    });

    describe("reverts", function () {
      it("in the challenge's next block, before the draw block's hash exists", async function () {
        const f = await setup();
        const id = await f.h.challenge(await f.h.attestReceipt());
        const drawBlock = (await f.manager.getDispute(id)).drawBlock;
        await expect(f.manager.drawCommittee(id))
          .to.be.revertedWithCustomError(f.manager, "DisputeDrawTooEarly")
          .withArgs(id, drawBlock, drawBlock);
      });

      it("on an unknown dispute or once drawn", async function () {
        const { manager, id } = await drawnDispute();
        await expect(manager.drawCommittee(id + 1n))
          .to.be.revertedWithCustomError(manager, "DisputeUnexpectedState")
          .withArgs(id + 1n, DisputeState.None, stateBitmap(DisputeState.Drawing));
        await expect(manager.drawCommittee(id))
          .to.be.revertedWithCustomError(manager, "DisputeUnexpectedState")
          .withArgs(id, DisputeState.Committing, stateBitmap(DisputeState.Drawing));
      });

      it("when no verifier has weight", async function () {
        const f = await setup();
        for (const v of f.verifiers)
          await f.staking.connect(v.account).requestUnstake(await f.staking.activeStakeOf(v.address));
        expect(await f.nodeRegistry.totalVerifierWeight()).to.equal(0n);
        const id = await f.h.challenge(await f.h.attestReceipt());
        await mine(1);
        await expect(f.manager.drawCommittee(id))
          .to.be.revertedWithCustomError(f.manager, "DisputeCommitteeUnavailable")
          .withArgs(id, 0n, 3n);
      });

      it("when fewer verifiers are eligible than seats (bounded attempts)", async function () {
        const f = await setup();
        await f.manager.connect(f.admin).setParameters({ ...DEFAULT_PARAMETERS, committeeSize: 7n });
        const id = await f.h.challenge(await f.h.attestReceipt());
        await mine(1);
        await expect(f.manager.drawCommittee(id))
          .to.be.revertedWithCustomError(f.manager, "DisputeCommitteeUnavailable")
          .withArgs(id, anyUint, 7n);
        expect(await f.manager.committeeOf(id)).to.have.length(0);
      });
    });
  });

  describe("commit", function () {
    it("records a member's commitment", async function () {
      const { manager, id, committee, h } = await drawnDispute();
      const commitment = await manager.commitmentOf(
        id,
        committee[0],
        Verdict.NodeWrong,
        ethers.ZeroHash,
        ethers.ZeroHash,
      );
      await expect(manager.connect(h.member(committee[0]).account).commit(id, commitment))
        .to.emit(manager, "VoteCommitted")
        .withArgs(id, committee[0], commitment);
      expect((await manager.getVote(id, committee[0])).commitment).to.equal(commitment);
    });

    it("computes commitments as keccak256(abi.encode(id, voter, verdict, outputHash, salt))", async function () {
      const { manager, id, committee } = await drawnDispute();
      const [output, salt] = [randomHash(), randomHash()];
      const expected = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(
          ["uint256", "address", "uint8", "bytes32", "bytes32"],
          [id, committee[1], Verdict.NodeRight, output, salt],
        ),
      );
      expect(await manager.commitmentOf(id, committee[1], Verdict.NodeRight, output, salt)).to.equal(expected);
    });

    describe("reverts", function () {
      it("for a non-member", async function () {
        const { manager, id, stranger } = await drawnDispute();
        await expect(manager.connect(stranger).commit(id, randomHash()))
          .to.be.revertedWithCustomError(manager, "DisputeNotMember")
          .withArgs(id, stranger.address);
      });

      it("on a zero commitment", async function () {
        const { manager, id, committee, h } = await drawnDispute();
        await expect(manager.connect(h.member(committee[0]).account).commit(id, ethers.ZeroHash))
          .to.be.revertedWithCustomError(manager, "DisputeZeroCommitment")
          .withArgs(id, committee[0]);
      });

      it("on a second commitment", async function () {
        const { manager, id, committee, h } = await drawnDispute();
        await h.commit(id, committee[0], Verdict.NodeWrong, randomHash());
        await expect(manager.connect(h.member(committee[0]).account).commit(id, randomHash()))
          .to.be.revertedWithCustomError(manager, "DisputeAlreadyCommitted")
          .withArgs(id, committee[0]);
      });

      it("after the commit period", async function () {
        const { manager, id, committee, h } = await drawnDispute();
        await h.toReveal(id);
        await expect(manager.connect(h.member(committee[0]).account).commit(id, randomHash()))
          .to.be.revertedWithCustomError(manager, "DisputeUnexpectedState")
          .withArgs(id, DisputeState.Revealing, stateBitmap(DisputeState.Committing));
      });
    });
  });

  describe("reveal", function () {
    it("counts the member's weight for its verdict", async function () {
      const { manager, id, committee, h } = await drawnDispute();
      const [salt, output] = [randomHash(), randomHash()];
      await h.commit(id, committee[0], Verdict.NodeWrong, salt, output);
      await h.toReveal(id);
      const weight = (await manager.getVote(id, committee[0])).weight;
      await expect(h.reveal(id, committee[0], Verdict.NodeWrong, salt, output))
        .to.emit(manager, "VoteRevealed")
        .withArgs(id, committee[0], Verdict.NodeWrong, output, weight);
      const d = await manager.getDispute(id);
      expect([d.revealedCount, d.wrongWeight, d.rightWeight]).to.deep.equal([1n, weight, 0n]);
      const vote = await manager.getVote(id, committee[0]);
      expect([vote.revealed, vote.verdict]).to.deep.equal([true, BigInt(Verdict.NodeWrong)]);
    });

    describe("reverts", function () {
      it("during the commit period", async function () {
        const { manager, id, committee, h } = await drawnDispute();
        const salt = randomHash();
        await h.commit(id, committee[0], Verdict.NodeWrong, salt);
        await expect(h.reveal(id, committee[0], Verdict.NodeWrong, salt))
          .to.be.revertedWithCustomError(manager, "DisputeUnexpectedState")
          .withArgs(id, DisputeState.Committing, stateBitmap(DisputeState.Revealing));
      });

      it("for a non-member, or a member who did not commit", async function () {
        const { manager, id, committee, h, stranger } = await drawnDispute();
        await h.toReveal(id);
        await expect(manager.connect(stranger).reveal(id, Verdict.NodeWrong, ethers.ZeroHash, ethers.ZeroHash))
          .to.be.revertedWithCustomError(manager, "DisputeNotMember")
          .withArgs(id, stranger.address);
        await expect(h.reveal(id, committee[0], Verdict.NodeWrong, ethers.ZeroHash))
          .to.be.revertedWithCustomError(manager, "DisputeNotCommitted")
          .withArgs(id, committee[0]);
      });

      it("when verdict, output or salt differ from the commitment", async function () {
        const { manager, id, committee, h } = await drawnDispute();
        const [salt, output] = [randomHash(), randomHash()];
        const commitment = await h.commit(id, committee[0], Verdict.NodeWrong, salt, output);
        await h.toReveal(id);
        for (const [verdict, o, s] of [
          [Verdict.NodeRight, output, salt],
          [Verdict.NodeWrong, randomHash(), salt],
          [Verdict.NodeWrong, output, randomHash()],
        ] as const) {
          const revealed = await manager.commitmentOf(id, committee[0], verdict, o, s);
          await expect(h.reveal(id, committee[0], verdict, s, o))
            .to.be.revertedWithCustomError(manager, "DisputeCommitmentMismatch")
            .withArgs(id, committee[0], commitment, revealed);
        }
      });

      it("on a second reveal", async function () {
        const { manager, id, committee, h } = await drawnDispute();
        const salt = randomHash();
        await h.commit(id, committee[0], Verdict.NodeRight, salt);
        await h.toReveal(id);
        await h.reveal(id, committee[0], Verdict.NodeRight, salt);
        await expect(h.reveal(id, committee[0], Verdict.NodeRight, salt))
          .to.be.revertedWithCustomError(manager, "DisputeAlreadyRevealed")
          .withArgs(id, committee[0]);
      });
    });
  });

  describe("resolve", function () {
    describe("when the majority finds the node wrong", function () {
      it("slashes the locked snapshot, jails the node, rejects the receipt and splits the slash", async function () {
        const f = await drawnDispute();
        const { manager, id, staking, node, receipt, treasury } = f;
        const committee = await f.h.vote(id, [Verdict.NodeWrong, Verdict.NodeWrong, Verdict.NodeRight]);
        expect(await manager.state(id)).to.equal(DisputeState.Resolvable);
        const challengerReward = (LOCKED * DEFAULT_PARAMETERS.challengerRewardBps) / BPS;
        const pot =
          (LOCKED * (DEFAULT_PARAMETERS.challengerRewardBps + DEFAULT_PARAMETERS.voterRewardBps)) / BPS -
          challengerReward;
        const { shares, sum } = await expectedShares(f, id, committee, Verdict.NodeWrong, pot);
        const toTreasury = LOCKED - challengerReward - sum;
        const treasuryBefore = await f.token.balanceOf(treasury.address);

        const tx = manager.connect(f.stranger).resolve(id);
        await expect(tx)
          .to.emit(manager, "DisputeResolved")
          .withArgs(id, Outcome.NodeWrong, LOCKED, challengerReward, sum, toTreasury)
          .and.to.emit(staking, "Slashed")
          .and.to.emit(staking, "StakeUnlocked")
          .withArgs(node.address, LOCKED, 0n)
          .and.to.emit(f.nodeRegistry, "NodeJailed")
          .withArgs(node.address)
          .and.to.emit(f.attestation, "ReceiptDisputeResolved")
          .withArgs(hashReceipt(receipt), true)
          .and.to.emit(manager, "RewardCredited")
          .withArgs(id, f.challenger.address, BOND + challengerReward);
        for (let i = 0; i < 2; ++i) {
          await expect(tx).to.emit(manager, "RewardCredited").withArgs(id, committee[i], shares[i]);
          expect(await manager.claimableOf(committee[i])).to.equal(shares[i]);
        }
        expect(await manager.claimableOf(committee[2])).to.equal(0n);
        expect(await manager.claimableOf(f.challenger.address)).to.equal(BOND + challengerReward);
        expect(await f.token.balanceOf(treasury.address)).to.equal(treasuryBefore + toTreasury);
        expect(await staking.slashableStakeOf(node.address)).to.equal(NODE_STAKE - LOCKED);
        expect(await staking.lockedStakeOf(node.address)).to.equal(0n);
        expect(await f.nodeRegistry.isActive(node.address)).to.equal(false);
        expect(await f.attestation.receiptState(hashReceipt(receipt))).to.equal(ReceiptState.Rejected);
        expect(await manager.state(id)).to.equal(DisputeState.Resolved);
        expect((await manager.getDispute(id)).outcome).to.equal(Outcome.NodeWrong);
        expect(await manager.totalBonds()).to.equal(0n);
        expect(await f.token.balanceOf(await manager.getAddress())).to.equal(await manager.totalClaimable());
      });

      it("never finalizes the rejected receipt", async function () {
        const f = await drawnDispute();
        await f.h.vote(f.id, [Verdict.NodeWrong, Verdict.NodeWrong, Verdict.NodeWrong]);
        await f.manager.resolve(f.id);
        await time.increase(30n * 24n * HOUR);
        expect(await f.attestation.isReceiptFinal(f.receipt)).to.equal(false);
      });

      it("slashes the snapshot, not stake added after the challenge", async function () {
        const f = await drawnDispute();
        await f.staking.connect(f.node.account).stake(NODE_STAKE);
        await f.h.vote(f.id, [Verdict.NodeWrong, Verdict.NodeWrong, Verdict.NodeWrong]);
        await expect(f.manager.resolve(f.id))
          .to.emit(f.staking, "Slashed")
          .withArgs(f.node.address, LOCKED, LOCKED, LOCKED_TO_TREASURY);
        expect(await f.staking.slashableStakeOf(f.node.address)).to.equal(2n * NODE_STAKE - LOCKED);
      });

      it("does not jail a node jailed already; concurrent disputes slash in the order they resolve until nothing is left", async function () {
        const f = await setup();
        const r1 = await f.h.attestReceipt();
        const r2 = await f.h.attestReceipt();
        const r3 = await f.h.attestReceipt();
        const ids = [await f.h.challenge(r1), await f.h.challenge(r2), await f.h.challenge(r3)];
        expect((await f.manager.getDispute(ids[2])).amountAtRisk).to.equal(LOCKED);
        const committees: string[][] = [];
        for (const id of ids) committees.push(await f.h.draw(id));
        const salt = randomHash();
        for (const [k, id] of ids.entries()) {
          for (const m of committees[k]) await f.h.commit(id, m, Verdict.NodeWrong, salt);
        }
        await f.h.toReveal(ids[2]);
        for (const [k, id] of ids.entries()) {
          for (const m of committees[k]) await f.h.reveal(id, m, Verdict.NodeWrong, salt);
        }
        await f.h.toRevealEnd(ids[2]);
        await expect(f.manager.resolve(ids[0]))
          .to.emit(f.nodeRegistry, "NodeJailed")
          .and.to.emit(f.staking, "Slashed")
          .withArgs(f.node.address, LOCKED, LOCKED, LOCKED_TO_TREASURY);
        const second = f.manager.resolve(ids[1]);
        await expect(second).to.not.emit(f.nodeRegistry, "NodeJailed");
        await expect(second).to.emit(f.staking, "StakeUnlocked").withArgs(f.node.address, LOCKED, LOCKED);
        // Nothing left: the third slashes nothing, still releases exactly its own lock and refunds the challenger.
        await expect(f.manager.resolve(ids[2]))
          .to.emit(f.manager, "DisputeResolved")
          .withArgs(ids[2], Outcome.NodeWrong, 0n, 0n, 0n, 0n)
          .and.to.emit(f.staking, "StakeUnlocked")
          .withArgs(f.node.address, LOCKED, 0n)
          .and.to.emit(f.manager, "RewardCredited")
          .withArgs(ids[2], f.challenger.address, BOND);
        expect(await f.staking.slashableStakeOf(f.node.address)).to.equal(0n);
        expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(0n);
      });
    });

    describe("when the majority finds the node right", function () {
      it("upholds the receipt, releases the lock and splits the bond between voters and node", async function () {
        const f = await drawnDispute();
        const { manager, id, node, receipt } = f;
        const committee = await f.h.vote(id, [Verdict.NodeRight, Verdict.NodeWrong, Verdict.NodeRight]);
        const pot = (BOND * DEFAULT_PARAMETERS.voterRewardBps) / BPS;
        const { shares, sum } = await expectedShares(f, id, committee, Verdict.NodeRight, pot);
        const tx = manager.resolve(id);
        await expect(tx)
          .to.emit(manager, "DisputeResolved")
          .withArgs(id, Outcome.NodeRight, 0n, 0n, sum, 0n)
          .and.to.emit(f.attestation, "ReceiptDisputeResolved")
          .withArgs(hashReceipt(receipt), false)
          .and.to.emit(f.staking, "StakeUnlocked")
          .withArgs(node.address, LOCKED, 0n)
          .and.to.emit(manager, "RewardCredited")
          .withArgs(id, node.address, BOND - sum)
          .and.not.to.emit(f.staking, "Slashed");
        expect(await manager.claimableOf(committee[0])).to.equal(shares[0]);
        expect(await manager.claimableOf(committee[2])).to.equal(shares[2]);
        expect(await manager.claimableOf(committee[1])).to.equal(0n);
        expect(await manager.claimableOf(f.challenger.address)).to.equal(0n);
        expect(await f.staking.slashableStakeOf(node.address)).to.equal(NODE_STAKE);
        expect(await f.nodeRegistry.isActive(node.address)).to.equal(true);
        expect(await f.attestation.receiptState(hashReceipt(receipt))).to.equal(ReceiptState.Upheld);
        await time.increase(CHALLENGE_WINDOW);
        expect(await f.attestation.isReceiptFinal(receipt)).to.equal(true);
      });
    });

    it("slashes members who did not reveal by the penalty share of their weight", async function () {
      const f = await drawnDispute();
      const committee = await f.h.vote(f.id, [Verdict.NodeWrong, Verdict.NodeWrong, undefined]);
      const weight = (await f.manager.getVote(f.id, committee[2])).weight;
      const penalty = (weight * DEFAULT_PARAMETERS.nonRevealPenaltyBps) / BPS;
      await expect(f.manager.resolve(f.id))
        .to.emit(f.manager, "NonRevealPenalized")
        .withArgs(f.id, committee[2], penalty)
        .and.to.emit(f.staking, "Slashed")
        .withArgs(committee[2], penalty, penalty, penalty);
      expect(await f.staking.slashableStakeOf(committee[2])).to.equal(weight - penalty);
    });

    it("rounds voter shares down and gives the rest of the bond to the node", async function () {
      const f = await setup();
      await f.manager.connect(f.admin).setParameters({
        ...DEFAULT_PARAMETERS,
        bondFloor: 1n,
        bondBps: 0n,
        challengerRewardBps: 0n,
        voterRewardBps: BPS,
      });
      const id = await f.h.challenge(await f.h.attestReceipt());
      expect((await f.manager.getDispute(id)).bond).to.equal(1n);
      const committee = await f.h.draw(id);
      await f.h.vote(id, [Verdict.NodeRight, Verdict.NodeRight, Verdict.NodeRight]);
      await expect(f.manager.resolve(id))
        .to.emit(f.manager, "DisputeResolved")
        .withArgs(id, Outcome.NodeRight, 0n, 0n, 0n, 0n)
        .and.to.emit(f.manager, "RewardCredited")
        .withArgs(id, f.node.address, 1n);
      for (const m of committee) expect(await f.manager.claimableOf(m)).to.equal(0n);
    });

    it("penalizes no one when the penalty is zero", async function () {
      const f = await setup();
      await f.manager.connect(f.admin).setParameters({ ...DEFAULT_PARAMETERS, nonRevealPenaltyBps: 0n });
      const id = await f.h.challenge(await f.h.attestReceipt());
      await f.h.draw(id);
      await f.h.vote(id, [Verdict.NodeRight, Verdict.NodeRight, undefined]);
      await expect(f.manager.resolve(id)).to.not.emit(f.manager, "NonRevealPenalized");
    });

    describe("without quorum or on a tie", function () {
      it("goes to arbitration, where only the arbitrator decides", async function () {
        const f = await drawnDispute();
        const committee = await f.h.vote(f.id, [Verdict.NodeWrong, undefined, undefined]);
        expect(await f.manager.state(f.id)).to.equal(DisputeState.Arbitration);
        await expect(f.manager.resolve(f.id))
          .to.be.revertedWithCustomError(f.manager, "DisputeUnexpectedState")
          .withArgs(f.id, DisputeState.Arbitration, stateBitmap(DisputeState.Resolvable, DisputeState.Expired));
        await expect(f.manager.connect(f.stranger).arbitrate(f.id, true))
          .to.be.revertedWithCustomError(f.manager, "AccessControlUnauthorizedAccount")
          .withArgs(f.stranger.address, await f.manager.ARBITRATOR_ROLE());
        const challengerReward = (LOCKED * DEFAULT_PARAMETERS.challengerRewardBps) / BPS;
        const pot = (LOCKED * DEFAULT_PARAMETERS.voterRewardBps) / BPS;
        await expect(f.manager.connect(f.arbitrator).arbitrate(f.id, true))
          .to.emit(f.manager, "DisputeArbitrated")
          .withArgs(f.id, f.arbitrator.address, true)
          .and.to.emit(f.manager, "DisputeResolved")
          .withArgs(f.id, Outcome.NodeWrong, LOCKED, challengerReward, pot, LOCKED - challengerReward - pot)
          .and.to.emit(f.manager, "RewardCredited")
          .withArgs(f.id, committee[0], pot);
        expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(0n);
      });

      it("arbitrated as node right with no voter on that side: the node gets the whole bond", async function () {
        const f = await drawnDispute();
        await f.h.vote(f.id, [Verdict.NodeWrong, undefined, undefined]);
        await expect(f.manager.connect(f.arbitrator).arbitrate(f.id, false))
          .to.emit(f.manager, "DisputeResolved")
          .withArgs(f.id, Outcome.NodeRight, 0n, 0n, 0n, 0n)
          .and.to.emit(f.manager, "RewardCredited")
          .withArgs(f.id, f.node.address, BOND);
        expect(await f.attestation.receiptState(hashReceipt(f.receipt))).to.equal(ReceiptState.Upheld);
      });

      it("treats a tie by weight as undecided", async function () {
        const f = await setup();
        await f.manager.connect(f.admin).setParameters({ ...DEFAULT_PARAMETERS, committeeSize: 2n, quorum: 2n });
        // Two verifiers of equal stake and no others with weight, so the committee is exactly them.
        for (const v of f.verifiers.slice(2))
          await f.staking.connect(v.account).requestUnstake(await f.staking.activeStakeOf(v.address));
        const gap =
          (await f.staking.activeStakeOf(f.verifiers[1].address)) -
          (await f.staking.activeStakeOf(f.verifiers[0].address));
        await f.token.connect(f.admin).mint(f.verifiers[0].address, gap);
        await f.staking.connect(f.verifiers[0].account).stake(gap);
        const id = await f.h.challenge(await f.h.attestReceipt());
        await f.h.draw(id);
        await f.h.vote(id, [Verdict.NodeWrong, Verdict.NodeRight]);
        const d = await f.manager.getDispute(id);
        expect(d.wrongWeight).to.equal(d.rightWeight);
        expect(await f.manager.state(id)).to.equal(DisputeState.Arbitration);
        await expect(f.manager.connect(f.arbitrator).arbitrate(id, false))
          .to.emit(f.manager, "DisputeResolved")
          // The one majority voter (the arbitrated side) is credited the whole voters' share of the bond.
          .withArgs(id, Outcome.NodeRight, 0n, 0n, (BOND * DEFAULT_PARAMETERS.voterRewardBps) / BPS, 0n);
      });

      it("expires after the arbitration period: bond back to the beneficiary, lock released, receipt not upheld but challengeable again", async function () {
        const f = await drawnDispute();
        await f.h.vote(f.id, [undefined, undefined, undefined]);
        const d = await f.manager.getDispute(f.id);
        await time.increaseTo(d.revealEnd + DEFAULT_PARAMETERS.arbitrationPeriod - 1n);
        expect(await f.manager.state(f.id)).to.equal(DisputeState.Arbitration);
        await time.increaseTo(d.revealEnd + DEFAULT_PARAMETERS.arbitrationPeriod);
        expect(await f.manager.state(f.id)).to.equal(DisputeState.Expired);
        await expect(f.manager.connect(f.arbitrator).arbitrate(f.id, true))
          .to.be.revertedWithCustomError(f.manager, "DisputeUnexpectedState")
          .withArgs(f.id, DisputeState.Expired, stateBitmap(DisputeState.Arbitration));
        const { windowEnd } = await f.attestation.getReceipt(f.receipt);
        const resolvedAt = BigInt(await time.latest()) + 10n;
        await time.setNextBlockTimestamp(resolvedAt);
        const tx = f.manager.resolve(f.id);
        const extended = windowEnd + (resolvedAt - d.challengedAt);
        await expect(tx)
          .to.emit(f.manager, "DisputeResolved")
          .withArgs(f.id, Outcome.Expired, 0n, 0n, 0n, 0n)
          .and.to.emit(f.manager, "RewardCredited")
          .withArgs(f.id, f.challenger.address, BOND)
          .and.to.emit(f.staking, "StakeUnlocked")
          .withArgs(f.node.address, LOCKED, 0n)
          .and.to.emit(f.attestation, "ReceiptDisputeExpired")
          .withArgs(hashReceipt(f.receipt), extended)
          .and.to.emit(f.staking, "SlashableUntilExtended")
          .withArgs(f.node.address, extended)
          .and.not.to.emit(f.attestation, "ReceiptDisputeResolved");
        await expect(tx).to.emit(f.manager, "NonRevealPenalized");
        expect(await f.attestation.receiptState(hashReceipt(f.receipt))).to.equal(ReceiptState.None);
        expect(await f.attestation.isReceiptFinal(f.receipt)).to.equal(false);
        expect(await f.manager.claimableOf(f.challenger.address)).to.equal(BOND);
        expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(0n);
      });
    });

    it("sends a dispute with no committee by the draw deadline to arbitration, then expires it", async function () {
      const f = await setup();
      const id = await f.h.challenge(await f.h.attestReceipt());
      const d = await f.manager.getDispute(id);
      const deadline = d.challengedAt + DEFAULT_PARAMETERS.commitPeriod;
      await time.increaseTo(deadline - 1n);
      expect(await f.manager.state(id)).to.equal(DisputeState.Drawing);
      await time.increase(1n);
      expect(await f.manager.state(id)).to.equal(DisputeState.Arbitration);
      await expect(f.manager.drawCommittee(id))
        .to.be.revertedWithCustomError(f.manager, "DisputeUnexpectedState")
        .withArgs(id, DisputeState.Arbitration, stateBitmap(DisputeState.Drawing));
      await time.increaseTo(deadline + DEFAULT_PARAMETERS.arbitrationPeriod - 1n);
      expect(await f.manager.state(id)).to.equal(DisputeState.Arbitration);
      await time.increase(1n);
      expect(await f.manager.state(id)).to.equal(DisputeState.Expired);
      await expect(f.manager.resolve(id))
        .to.emit(f.manager, "DisputeResolved")
        .withArgs(id, Outcome.Expired, 0n, 0n, 0n, 0n)
        .and.not.to.emit(f.manager, "NonRevealPenalized");
      expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(0n);
    });

    describe("reverts", function () {
      it("before the reveal period ends", async function () {
        const { manager, id, h } = await drawnDispute();
        await expect(manager.resolve(id))
          .to.be.revertedWithCustomError(manager, "DisputeUnexpectedState")
          .withArgs(id, DisputeState.Committing, stateBitmap(DisputeState.Resolvable, DisputeState.Expired));
        await h.toReveal(id);
        await expect(manager.resolve(id))
          .to.be.revertedWithCustomError(manager, "DisputeUnexpectedState")
          .withArgs(id, DisputeState.Revealing, stateBitmap(DisputeState.Resolvable, DisputeState.Expired));
      });

      it("on a second resolve", async function () {
        const f = await drawnDispute();
        await f.h.vote(f.id, [Verdict.NodeWrong, Verdict.NodeWrong, Verdict.NodeWrong]);
        await f.manager.resolve(f.id);
        await expect(f.manager.resolve(f.id))
          .to.be.revertedWithCustomError(f.manager, "DisputeUnexpectedState")
          .withArgs(f.id, DisputeState.Resolved, stateBitmap(DisputeState.Resolvable, DisputeState.Expired));
      });
    });
  });

  describe("claim", function () {
    it("sends the caller's credits to the address it names", async function () {
      const f = await drawnDispute();
      await f.h.vote(f.id, [Verdict.NodeWrong, Verdict.NodeWrong, Verdict.NodeWrong]);
      await f.manager.resolve(f.id);
      const amount = await f.manager.claimableOf(f.challenger.address);
      const tx = f.manager.connect(f.challenger).claim(f.stranger.address);
      await expect(tx).to.emit(f.manager, "CreditClaimed").withArgs(f.challenger.address, f.stranger.address, amount);
      await expect(tx).to.changeTokenBalances(f.token, [f.manager, f.stranger], [-amount, amount]);
      expect(await f.manager.claimableOf(f.challenger.address)).to.equal(0n);
    });

    shouldBehaveLikePullCredits(async () => {
      const f = await drawnDispute();
      await f.h.vote(f.id, [Verdict.NodeWrong, Verdict.NodeWrong, Verdict.NodeWrong]);
      await f.manager.resolve(f.id);
      return { credits: f.manager, token: f.token, creditor: f.challenger, stranger: f.stranger };
    });

    describe("reverts", function () {
      it("with nothing to claim", async function () {
        const f = await setup();
        await expect(f.manager.connect(f.stranger).claim(f.stranger.address))
          .to.be.revertedWithCustomError(f.manager, "PullCreditsNothingToClaim")
          .withArgs(f.stranger.address);
      });

      it("to the zero address", async function () {
        const f = await setup();
        await expect(f.manager.connect(f.stranger).claim(ethers.ZeroAddress))
          .to.be.revertedWithCustomError(f.manager, "PullCreditsZeroRecipient")
          .withArgs();
      });
    });
  });

  describe("setParameters", function () {
    it("applies to disputes opened afterwards; open disputes keep theirs", async function () {
      const f = await setup();
      const id = await f.h.challenge(await f.h.attestReceipt());
      const next = {
        ...DEFAULT_PARAMETERS,
        bondFloor: ethers.parseEther("1000"),
        commitPeriod: 2n * HOUR,
        committeeSize: 5n,
      };
      await expect(f.manager.connect(f.admin).setParameters(next)).to.emit(f.manager, "ParametersSet");
      expect((await f.manager.getParameters()).bondFloor).to.equal(next.bondFloor);
      await f.h.draw(id);
      const d = await f.manager.getDispute(id);
      expect(d.params.committeeSize).to.equal(3n);
      expect(await f.manager.committeeOf(id)).to.have.length(3);
      expect(d.commitEnd).to.equal(BigInt(await time.latest()) + HOUR);
      const id2 = await f.h.challenge(await f.h.attestReceipt());
      expect((await f.manager.getDispute(id2)).bond).to.equal(next.bondFloor);
    });

    describe("reverts", function () {
      // Bounds that depend on another field (the independent ones are the shared suite's, below).
      const cases: [string, Partial<Record<keyof typeof DEFAULT_PARAMETERS, bigint>>, bigint, bigint, bigint][] = [
        ["challengerRewardBps", { challengerRewardBps: BPS }, BPS, 0n, 5_000n],
        ["voterRewardBps", { challengerRewardBps: 4_000n, voterRewardBps: 6_001n }, 6_001n, 0n, 6_000n],
        ["committeeSize", { committeeSize: 0n }, 0n, 1n, 21n],
        ["committeeSize", { committeeSize: 22n }, 22n, 1n, 21n],
        ["quorum", { quorum: 0n }, 0n, 1n, 3n],
        ["quorum", { quorum: 4n }, 4n, 1n, 3n],
      ];
      for (const [name, change, value, min, max] of cases) {
        it(`on ${name} = ${value} outside [${min}, ${max}]`, async function () {
          const f = await setup();
          await expect(f.manager.connect(f.admin).setParameters({ ...DEFAULT_PARAMETERS, ...change }))
            .to.be.revertedWithCustomError(f.manager, "ParameterOutOfBounds")
            .withArgs(ethers.encodeBytes32String(name), value, min, max);
        });
      }

      it("for anyone but the admin", async function () {
        const f = await setup();
        await expect(f.manager.connect(f.arbitrator).setParameters(DEFAULT_PARAMETERS))
          .to.be.revertedWithCustomError(f.manager, "AccessControlUnauthorizedAccount")
          .withArgs(f.arbitrator.address, await f.manager.DEFAULT_ADMIN_ROLE());
      });
    });

    const MAX_PERIOD = 30n * 24n * HOUR;
    for (const [name, min, max] of [
      ["bondFloor", 1n, 10n ** 30n],
      ["bondBps", 0n, BPS],
      ["slashBps", 1n, BPS],
      ["challengerRewardBps", 0n, 5_000n],
      ["nonRevealPenaltyBps", 0n, 1_000n],
      ["commitPeriod", HOUR, MAX_PERIOD],
      ["revealPeriod", HOUR, MAX_PERIOD],
      ["arbitrationPeriod", HOUR, MAX_PERIOD],
    ] as const) {
      shouldBehaveLikeBoundedParameter({ name, min, max, expectEvent: expectParametersSetField(name) }, async () => {
        const f = await setup();
        return {
          contract: f.manager,
          admin: f.admin,
          stranger: f.arbitrator,
          set: (signer, value) => f.manager.connect(signer).setParameters({ ...DEFAULT_PARAMETERS, [name]: value }),
          get: async () => (await f.manager.getParameters())[name],
        };
      });
    }

    it("accepts the bounds themselves", async function () {
      const f = await setup();
      for (const p of [
        {
          ...DEFAULT_PARAMETERS,
          bondFloor: 1n,
          bondBps: 0n,
          slashBps: 1n,
          committeeSize: 1n,
          quorum: 1n,
          commitPeriod: HOUR,
        },
        {
          ...DEFAULT_PARAMETERS,
          bondFloor: 10n ** 30n,
          bondBps: BPS,
          slashBps: BPS,
          challengerRewardBps: 5_000n,
          voterRewardBps: 5_000n,
          nonRevealPenaltyBps: 1_000n,
          committeeSize: 21n,
          quorum: 21n,
          commitPeriod: MAX_PERIOD,
          revealPeriod: MAX_PERIOD,
          arbitrationPeriod: MAX_PERIOD,
        },
      ]) {
        await expect(f.manager.connect(f.admin).setParameters(p)).to.emit(f.manager, "ParametersSet");
      }
    });
  });

  describe("pause", function () {
    it("stops challenges only: open disputes are voted, resolved and claimed while paused", async function () {
      const f = await drawnDispute();
      await expect(f.manager.connect(f.pauser).pause()).to.emit(f.manager, "Paused").withArgs(f.pauser.address);
      await f.h.vote(f.id, [Verdict.NodeWrong, Verdict.NodeWrong, Verdict.NodeRight]);
      await expect(f.manager.resolve(f.id)).to.emit(f.manager, "DisputeResolved");
      await expect(f.manager.connect(f.challenger).claim(f.challenger.address)).to.emit(f.manager, "CreditClaimed");
      await expect(f.manager.connect(f.pauser).unpause()).to.emit(f.manager, "Unpaused").withArgs(f.pauser.address);
      const receipt = await f.h.attestReceipt(f.nodeB);
      await expect(
        f.manager
          .connect(f.challenger)
          .challenge(receipt, ethers.ZeroHash, [], randomHash(), f.challenger.address, BOND),
      ).to.emit(f.manager, "DisputeOpened");
    });

    it("lets a draw and an expiry run while paused", async function () {
      const f = await setup();
      const id = await f.h.challenge(await f.h.attestReceipt());
      await f.manager.connect(f.pauser).pause();
      await f.h.draw(id);
      await time.increaseTo((await f.manager.getDispute(id)).revealEnd + DEFAULT_PARAMETERS.arbitrationPeriod);
      await expect(f.manager.resolve(id)).to.emit(f.manager, "DisputeResolved");
    });

    describe("reverts", function () {
      it("for anyone but the pauser", async function () {
        const f = await setup();
        const role = await f.manager.PAUSER_ROLE();
        await expect(f.manager.connect(f.admin).pause())
          .to.be.revertedWithCustomError(f.manager, "AccessControlUnauthorizedAccount")
          .withArgs(f.admin.address, role);
        await f.manager.connect(f.pauser).pause();
        await expect(f.manager.connect(f.stranger).unpause())
          .to.be.revertedWithCustomError(f.manager, "AccessControlUnauthorizedAccount")
          .withArgs(f.stranger.address, role);
      });
    });
  });
});
