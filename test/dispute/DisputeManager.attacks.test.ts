import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet } from "ethers";
import type { HDNodeWallet } from "ethers";
import { anyUint } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  DEFAULT_PARAMETERS,
  DisputeHelper,
  VERIFIER_STAKES,
  DisputeState,
  NODE_STAKE,
  ReceiptState,
  Verdict,
  deployDisputeFixture,
  deployReentrantDisputeFixture,
  stateBitmap,
} from "../fixtures/dispute";
import type { DisputeSystem } from "../fixtures/dispute";
import { Role } from "../fixtures/registry";
import { hashReceipt, randomHash } from "../helpers/receipts";

const BPS = 10_000n;
const LOCKED = (NODE_STAKE * DEFAULT_PARAMETERS.slashBps) / BPS;

async function setup() {
  const f = await loadFixture(deployDisputeFixture);
  return { ...f, h: new DisputeHelper(f) };
}

/** Registers `account` as a verifier with `stake` and signer `signer`; funds it with ETH and tokens first. */
async function registerVerifier(f: DisputeSystem, account: Wallet | HDNodeWallet, signer: string, stake: bigint) {
  await setBalance(account.address, ethers.parseEther("10"));
  await f.token.connect(f.admin).mint(account.address, stake);
  await f.token.connect(account).approve(await f.staking.getAddress(), stake);
  await f.staking.connect(account).stake(stake);
  await f.nodeRegistry.connect(account).registerNode(signer, "https://verifier.example", Role.Verifier, [f.modelId]);
}

async function unstakeFixtureVerifiers(f: DisputeSystem) {
  for (const v of f.verifiers) {
    await f.staking.connect(v.account).requestUnstake(await f.staking.activeStakeOf(v.address));
  }
}

describe("DisputeManager under attack", function () {
  describe("committee capture", function () {
    it("never seats the node's own signer key run as a verifier, nor a verifier keyed by the challenger", async function () {
      const f = await setup();
      const signerAsOperator = f.node.signer.connect(ethers.provider);
      await registerVerifier(f, signerAsOperator, Wallet.createRandom().address, ethers.parseEther("1000"));
      const keyedByChallenger = Wallet.createRandom().connect(ethers.provider);
      await registerVerifier(f, keyedByChallenger, f.challenger.address, ethers.parseEther("1000"));
      for (let i = 0; i < 4; ++i) {
        const id = await f.h.challenge(await f.h.attestReceipt());
        const committee = await f.h.draw(id);
        expect(committee).to.have.length(3);
        expect(committee).to.not.include(signerAsOperator.address);
        expect(committee).to.not.include(keyedByChallenger.address);
      }
    });

    it("never seats the challenged node itself when it is a verifier", async function () {
      const f = await setup();
      const heavy = f.verifiers[5];
      for (let i = 0; i < 3; ++i) {
        const id = await f.h.challenge(await f.h.attestReceipt(heavy));
        const committee = await f.h.draw(id);
        expect(committee).to.have.length(3);
        expect(committee).to.not.include(heavy.address);
      }
    });

    it("fails clearly rather than seat an ineligible verifier when no one else is left", async function () {
      const f = await setup();
      await f.manager.connect(f.admin).setParameters({ ...DEFAULT_PARAMETERS, committeeSize: 1n, quorum: 1n });
      await registerVerifier(f, f.node.signer.connect(ethers.provider), Wallet.createRandom().address, NODE_STAKE);
      await unstakeFixtureVerifiers(f);
      const id = await f.h.challenge(await f.h.attestReceipt());
      await mine(1);
      await expect(f.manager.drawCommittee(id))
        .to.be.revertedWithCustomError(f.manager, "DisputeCommitteeUnavailable")
        .withArgs(id, 0n, 1n);
    });

    it("never seats the challenger or the beneficiary as a verifier", async function () {
      const f = await setup();
      await f.manager.connect(f.admin).setParameters({ ...DEFAULT_PARAMETERS, committeeSize: 1n, quorum: 1n });
      const challengerVerifier = Wallet.createRandom().connect(ethers.provider);
      const beneficiaryVerifier = Wallet.createRandom().connect(ethers.provider);
      for (const v of [challengerVerifier, beneficiaryVerifier]) {
        await registerVerifier(f, v, Wallet.createRandom().address, NODE_STAKE);
      }
      await unstakeFixtureVerifiers(f);
      await f.token.connect(f.admin).mint(challengerVerifier.address, NODE_STAKE);
      await f.token.connect(challengerVerifier).approve(await f.manager.getAddress(), ethers.MaxUint256);
      const id = await f.h.challenge(await f.h.attestReceipt(), challengerVerifier, beneficiaryVerifier.address);
      await mine(1);
      await expect(f.manager.drawCommittee(id))
        .to.be.revertedWithCustomError(f.manager, "DisputeCommitteeUnavailable")
        .withArgs(id, 0n, 1n);
    });
  });

  describe("steering the committee after the seed is known", function () {
    /** The committee `drawCommittee` must seat: drawn from the seed with the verifier weights of the challenge block. */
    async function committeeAtChallengeBlock(f: DisputeSystem, id: bigint) {
      const d = await f.manager.getDispute(id);
      const entropy = (await ethers.provider.getBlock(Number(d.drawBlock)))!.hash!;
      const coder = ethers.AbiCoder.defaultAbiCoder();
      const members: string[] = [];
      const weights: bigint[] = [];
      for (let attempt = 0; members.length < Number(d.params.committeeSize); ++attempt) {
        const seed = ethers.keccak256(coder.encode(["bytes32", "uint256", "uint256"], [entropy, id, attempt]));
        const member = await f.nodeRegistry.drawVerifierAt(seed, d.challengeBlock);
        if (members.includes(member)) continue;
        members.push(member);
        weights.push(await f.nodeRegistry.verifierWeightAt(member, d.challengeBlock));
      }
      return { members, weights };
    }

    it("stakes, stakeFors, unstakes and new verifiers after the seed is public change neither the committee nor the vote weights", async function () {
      const f = await setup();
      const [attacker, accomplice] = [f.verifiers[0], f.verifiers[1]];
      const id = await f.h.challenge(await f.h.attestReceipt());
      const challengeBlock = (await f.manager.getDispute(id)).challengeBlock;
      expect(challengeBlock).to.equal(BigInt(await ethers.provider.getBlockNumber()));
      // The draw block is mined: its hash, the seed, is public; the committee is not drawn yet.
      await mine(1);
      const expected = await committeeAtChallengeBlock(f, id);

      // The attacker now moves weights as it likes: tops itself up a hundredfold, has its stake topped up by
      // `stakeFor`, brings in two fresh heavy verifiers, and an accomplice leaves.
      const huge = ethers.parseEther("100000");
      await f.token.connect(f.admin).mint(attacker.address, huge);
      await f.staking.connect(attacker.account).stake(huge);
      await f.token.connect(f.admin).mint(f.stranger.address, huge);
      await f.token.connect(f.stranger).approve(await f.staking.getAddress(), huge);
      await f.staking.connect(f.stranger).stakeFor(attacker.address, huge);
      const fresh = [Wallet.createRandom().connect(ethers.provider), Wallet.createRandom().connect(ethers.provider)];
      for (const wallet of fresh) await registerVerifier(f, wallet, Wallet.createRandom().address, huge * 2n);
      await f.staking.connect(accomplice.account).requestUnstake(await f.staking.activeStakeOf(accomplice.address));
      // With today's weights the attacker's side would hold nearly all the weight.
      expect(await f.nodeRegistry.totalVerifierWeight()).to.be.greaterThan(huge * 6n);

      await f.manager.drawCommittee(id);
      const committee = await f.manager.committeeOf(id);
      expect(committee).to.deep.equal(expected.members);
      for (const wallet of fresh) expect(committee).to.not.include(wallet.address);
      for (let i = 0; i < committee.length; ++i) {
        expect((await f.manager.getVote(id, committee[i])).weight).to.equal(expected.weights[i]);
        const verifier = f.verifiers.find((v) => v.address === committee[i])!;
        expect(expected.weights[i]).to.equal(VERIFIER_STAKES[f.verifiers.indexOf(verifier)]);
      }
    });

    it("a node rotating its signer onto an honest verifier's address after the seed can't get that verifier excluded", async function () {
      const f = await setup();
      const id = await f.h.challenge(await f.h.attestReceipt());
      await mine(1);
      const expected = await committeeAtChallengeBlock(f, id);
      // Signers are compared as of the challenge block: a fresh signer equal to a drawn member's address is ignored.
      await f.nodeRegistry.connect(f.node.account).rotateSigner(expected.members[0]);
      await f.manager.drawCommittee(id);
      expect(await f.manager.committeeOf(id)).to.deep.equal(expected.members);
    });
  });

  describe("a node blocking its committee with a heavy ineligible verifier", function () {
    it("can't make the dispute expire undecided: it goes to the arbitrator, who can reject the receipt", async function () {
      const f = await setup();
      const whale = f.node.signer.connect(ethers.provider);
      await registerVerifier(f, whale, Wallet.createRandom().address, ethers.parseEther("10000000"));
      const receipt = await f.h.attestReceipt();
      const id = await f.h.challenge(receipt);
      await mine(1);
      await expect(f.manager.drawCommittee(id))
        .to.be.revertedWithCustomError(f.manager, "DisputeCommitteeUnavailable")
        .withArgs(id, anyUint, 3n);
      const d = await f.manager.getDispute(id);
      await time.increaseTo(d.challengedAt + DEFAULT_PARAMETERS.commitPeriod);
      expect(await f.manager.state(id)).to.equal(DisputeState.Arbitration);
      await expect(f.manager.connect(f.arbitrator).arbitrate(id, true))
        .to.emit(f.staking, "Slashed")
        // The treasury's part: what is left after the manager's rounded-down challenger and voter shares.
        .withArgs(
          f.node.address,
          LOCKED,
          LOCKED,
          LOCKED - (LOCKED * (DEFAULT_PARAMETERS.challengerRewardBps + DEFAULT_PARAMETERS.voterRewardBps)) / BPS,
        );
      expect(await f.attestation.receiptState(hashReceipt(receipt))).to.equal(ReceiptState.Rejected);
    });
  });

  describe("vote copying", function () {
    it("a copied commitment can't be revealed by the copier, even with the original's preimage", async function () {
      const f = await setup();
      const id = await f.h.challenge(await f.h.attestReceipt());
      const [a, b] = await f.h.draw(id);
      const [salt, output] = [randomHash(), randomHash()];
      const commitment = await f.h.commit(id, a, Verdict.NodeWrong, salt, output);
      await f.manager.connect(f.h.member(b).account).commit(id, commitment);
      await f.h.toReveal(id);
      await f.h.reveal(id, a, Verdict.NodeWrong, salt, output);
      const copied = await f.manager.commitmentOf(id, b, Verdict.NodeWrong, output, salt);
      await expect(f.h.reveal(id, b, Verdict.NodeWrong, salt, output))
        .to.be.revertedWithCustomError(f.manager, "DisputeCommitmentMismatch")
        .withArgs(id, b, commitment, copied);
    });

    it("a commitment for one dispute can't be replayed in another", async function () {
      const f = await setup();
      // Two committees of 4 out of 6 verifiers always share a member.
      await f.manager.connect(f.admin).setParameters({ ...DEFAULT_PARAMETERS, committeeSize: 4n });
      const id1 = await f.h.challenge(await f.h.attestReceipt());
      const id2 = await f.h.challenge(await f.h.attestReceipt());
      const c1 = await f.h.draw(id1);
      const c2 = await f.h.draw(id2);
      const common = c1.find((m) => c2.includes(m));
      if (common === undefined) throw new Error("committees of 4 out of 6 must intersect");
      const salt = randomHash();
      const commitment = await f.h.commit(id1, common, Verdict.NodeWrong, salt);
      await f.manager.connect(f.h.member(common).account).commit(id2, commitment);
      await f.h.toReveal(id2);
      await expect(f.h.reveal(id2, common, Verdict.NodeWrong, salt))
        .to.be.revertedWithCustomError(f.manager, "DisputeCommitmentMismatch")
        .withArgs(
          id2,
          common,
          commitment,
          await f.manager.commitmentOf(id2, common, Verdict.NodeWrong, ethers.ZeroHash, salt),
        );
    });
  });

  describe("an admin changing the parameters while a dispute is open", function () {
    it("changes nothing of that dispute: its amount at risk, bond, committee size and deadlines stay those of its opening", async function () {
      const f = await setup();
      const id = await f.h.challenge(await f.h.attestReceipt());
      const opened = await f.manager.getDispute(id);
      const bond = await f.manager.joinBondOf(id);
      await f.manager.connect(f.admin).setParameters({
        ...DEFAULT_PARAMETERS,
        slashBps: DEFAULT_PARAMETERS.slashBps / 2n,
        bondBps: DEFAULT_PARAMETERS.bondBps * 2n,
        committeeSize: 5n,
        commitPeriod: DEFAULT_PARAMETERS.commitPeriod * 2n,
      });
      const after = await f.manager.getDispute(id);
      expect(after.amountAtRisk).to.equal(opened.amountAtRisk);
      expect(await f.manager.joinBondOf(id)).to.equal(bond);
      // The draw deadline is the opening's commit period, not the doubled one.
      await time.increaseTo(opened.challengedAt + DEFAULT_PARAMETERS.commitPeriod);
      expect(await f.manager.state(id)).to.equal(DisputeState.Arbitration);
      // A dispute opened after the change follows the new parameters.
      const receipt = await f.h.attestReceipt();
      const slashable = await f.staking.slashableStakeOf(f.node.address);
      const next = await f.h.challenge(receipt);
      expect((await f.manager.getDispute(next)).amountAtRisk).to.equal(
        (slashable * (DEFAULT_PARAMETERS.slashBps / 2n)) / BPS,
      );
    });
  });

  describe("a faulty committee", function () {
    it("that finds an honest node wrong can take no more than the locked snapshot", async function () {
      const f = await setup();
      await f.manager.connect(f.admin).setParameters({ ...DEFAULT_PARAMETERS, slashBps: 2_000n });
      const id = await f.h.challenge(await f.h.attestReceipt());
      const cap = (NODE_STAKE * 2_000n) / BPS;
      await f.staking.connect(f.node.account).stake(NODE_STAKE);
      await f.h.draw(id);
      await f.h.vote(id, [Verdict.NodeWrong, Verdict.NodeWrong, Verdict.NodeWrong]);
      await expect(f.manager.resolve(id))
        .to.emit(f.staking, "Slashed")
        .withArgs(f.node.address, cap, cap, (cap * 5_000n) / BPS);
      expect(await f.staking.slashableStakeOf(f.node.address)).to.equal(2n * NODE_STAKE - cap);
      expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(0n);
    });

    it("can't take more than the node's whole stake across many disputes", async function () {
      const f = await setup();
      const ids: bigint[] = [];
      for (let i = 0; i < 4; ++i) ids.push(await f.h.challenge(await f.h.attestReceipt()));
      for (const id of ids) expect((await f.manager.getDispute(id)).amountAtRisk).to.equal(LOCKED);
      expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(4n * LOCKED);
      await time.increase(DEFAULT_PARAMETERS.commitPeriod);
      let total = 0n;
      for (const id of ids) {
        const before = await f.staking.slashableStakeOf(f.node.address);
        await f.manager.connect(f.arbitrator).arbitrate(id, true);
        total += before - (await f.staking.slashableStakeOf(f.node.address));
      }
      expect(total).to.equal(NODE_STAKE);
      expect(await f.staking.lockedStakeOf(f.node.address)).to.equal(0n);
    });
  });

  describe("bounded work", function () {
    it("draws and resolves the largest committee (21 members, all silent: 21 penalty slashes) within block limits", async function () {
      // Gas is what this measures; instrumented code (the coverage pass) has no meaningful gas.
      if (process.env.VERITY_COVERAGE) this.skip();
      const f = await setup();
      for (let i = 0; i < 24; ++i) {
        await registerVerifier(
          f,
          Wallet.createRandom().connect(ethers.provider),
          Wallet.createRandom().address,
          NODE_STAKE,
        );
      }
      await f.manager.connect(f.admin).setParameters({ ...DEFAULT_PARAMETERS, committeeSize: 21n, quorum: 11n });
      const id = await f.h.challenge(await f.h.attestReceipt());
      await mine(1);
      const drawGas = (await (await f.manager.drawCommittee(id)).wait())!.gasUsed;
      expect(await f.manager.committeeOf(id)).to.have.length(21);
      await time.increaseTo((await f.manager.getDispute(id)).revealEnd + DEFAULT_PARAMETERS.arbitrationPeriod);
      const resolveGas = (await (await f.manager.resolve(id)).wait())!.gasUsed;
      console.log(`      draw of 21: ${drawGas} gas; expiry with 21 penalties: ${resolveGas} gas`);
      expect(drawGas).to.be.lessThan(6_000_000n);
      expect(resolveGas).to.be.lessThan(6_000_000n);
    });
  });

  describe("a node growing its endpoint to make its own resolution expensive", function () {
    it("gets at most 512 bytes, and resolve reads none of it: a maximal endpoint costs no more than a short one", async function () {
      if (process.env.VERITY_COVERAGE) this.skip();
      const f = await setup();
      const max = Number(await f.nodeRegistry.MAX_ENDPOINT_LENGTH());
      await expect(f.nodeRegistry.connect(f.node.account).updateEndpoint("e".repeat(max + 1)))
        .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryEndpointTooLong")
        .withArgs(max + 1, max);
      const gas: bigint[] = [];
      // Each from the same fresh state, so only the endpoint differs.
      for (const endpoint of ["e".repeat(max), "e"]) {
        const g = await setup();
        await g.nodeRegistry.connect(g.node.account).updateEndpoint(endpoint);
        const id = await g.h.challenge(await g.h.attestReceipt());
        await g.h.draw(id);
        await g.h.vote(id, [Verdict.NodeWrong, Verdict.NodeWrong, Verdict.NodeWrong]);
        const tx = await g.manager.resolve(id);
        await expect(tx).to.emit(g.nodeRegistry, "NodeJailed").withArgs(g.node.address);
        gas.push((await tx.wait())!.gasUsed);
      }
      console.log(`      resolve gas, 512-byte endpoint: ${gas[0]}; 1-byte endpoint: ${gas[1]}`);
      // Copying 512 bytes of endpoint (17 cold slots) would cost over 35,000 gas more.
      const difference = gas[0] > gas[1] ? gas[0] - gas[1] : gas[1] - gas[0];
      expect(difference).to.be.lessThan(10_000n);
    });
  });

  describe("griefing by tiny challenges", function () {
    it("costs the bond floor per challenge and each is refunded only by its own resolution", async function () {
      const f = await setup();
      await f.manager.connect(f.admin).setParameters({ ...DEFAULT_PARAMETERS, slashBps: 1n, bondBps: 1n });
      const balance = await f.token.balanceOf(f.challenger.address);
      for (let i = 0; i < 5; ++i) await f.h.challenge(await f.h.attestReceipt());
      expect(await f.manager.totalBonds()).to.equal(5n * DEFAULT_PARAMETERS.bondFloor);
      expect(balance - (await f.token.balanceOf(f.challenger.address))).to.equal(5n * DEFAULT_PARAMETERS.bondFloor);
    });
  });

  describe("re-disputes", function () {
    it("a receipt upheld by a dispute can't be disputed again; a rejected one neither", async function () {
      const f = await setup();
      await f.attestation.connect(f.admin).setChallengeWindow(30n * 24n * 3_600n);
      for (const [verdict, state] of [
        [Verdict.NodeRight, ReceiptState.Upheld],
        [Verdict.NodeWrong, ReceiptState.Rejected],
      ] as const) {
        const receipt = await f.h.attestReceipt(verdict === Verdict.NodeRight ? f.nodeB : f.node);
        const id = await f.h.challenge(receipt);
        await f.h.draw(id);
        await f.h.vote(id, [verdict, verdict, verdict]);
        await f.manager.resolve(id);
        await expect(f.h.challenge(receipt, f.challenger2))
          .to.be.revertedWithCustomError(f.attestation, "AttestationUnexpectedReceiptState")
          .withArgs(hashReceipt(receipt), state, ReceiptState.None);
        expect(await f.attestation.receiptState(hashReceipt(receipt))).to.equal(state);
      }
    });
  });

  describe("a node's withdrawals", function () {
    it("are blocked while a dispute is open and free again once every path has released the lock", async function () {
      const f = await setup();
      const receipt = await f.h.attestReceipt();
      const id = await f.h.challenge(receipt);
      await f.staking.connect(f.node.account).requestUnstake(NODE_STAKE);
      await time.increase(8n * 24n * 3_600n);
      await expect(f.staking.connect(f.node.account).withdraw())
        .to.be.revertedWithCustomError(f.staking, "StakingStakeLocked")
        .withArgs(f.node.address, LOCKED);
      // No committee, no arbitration: the dispute still ends, by expiry.
      expect(await f.manager.state(id)).to.equal(DisputeState.Expired);
      await f.manager.resolve(id);
      // The receipt is challengeable again until its extended window ends; the stake behind it stays until then.
      const until = await f.staking.slashableUntil(f.node.address);
      expect(until).to.equal((await f.attestation.getReceiptDispute(hashReceipt(receipt))).windowEnd);
      await expect(f.staking.connect(f.node.account).withdraw())
        .to.be.revertedWithCustomError(f.staking, "StakingWithdrawalHeld")
        .withArgs(f.node.address, until);
      await time.increaseTo(until);
      await expect(f.staking.connect(f.node.account).withdraw())
        .to.emit(f.staking, "Withdrawn")
        .withArgs(f.node.address, NODE_STAKE);
    });
  });

  describe("role misuse", function () {
    it("only the dispute manager can lock, slash, jail or resolve receipts; only the arbitrator arbitrates", async function () {
      const f = await setup();
      const receipt = await f.h.attestReceipt();
      const stranger = f.stranger;
      const disputeRole = await f.staking.DISPUTE_ROLE();
      await expect(f.staking.connect(stranger).lock(f.node.address, 1n))
        .to.be.revertedWithCustomError(f.staking, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, disputeRole);
      await expect(f.staking.connect(stranger).slash(f.node.address, 1n, [], []))
        .to.be.revertedWithCustomError(f.staking, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, disputeRole);
      await expect(f.nodeRegistry.connect(stranger).jail(f.node.address))
        .to.be.revertedWithCustomError(f.nodeRegistry, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, disputeRole);
      await expect(f.attestation.connect(stranger).openDispute(receipt, ethers.ZeroHash, []))
        .to.be.revertedWithCustomError(f.attestation, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, disputeRole);
      const id = await f.h.challenge(receipt);
      await expect(f.attestation.connect(stranger).resolveDispute(hashReceipt(receipt), false))
        .to.be.revertedWithCustomError(f.attestation, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, disputeRole);
      await f.h.draw(id);
      await expect(f.manager.connect(f.arbitrator).arbitrate(id, true))
        .to.be.revertedWithCustomError(f.manager, "DisputeUnexpectedState")
        .withArgs(id, DisputeState.Committing, stateBitmap(DisputeState.Arbitration));
      await expect(f.manager.connect(f.admin).arbitrate(id, true))
        .to.be.revertedWithCustomError(f.manager, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, await f.manager.ARBITRATOR_ROLE());
    });
  });

  describe("reentrancy through a hooked token", function () {
    async function reentrantSetup() {
      const f = await loadFixture(deployReentrantDisputeFixture);
      return { ...f, h: new DisputeHelper(f) };
    }

    it("a claim that re-enters claim reverts, and the credit stays", async function () {
      const f = await reentrantSetup();
      const id = await f.h.challenge(await f.h.attestReceipt());
      await f.h.draw(id);
      await f.h.vote(id, [undefined, undefined, undefined]);
      await f.manager.connect(f.arbitrator).arbitrate(id, false);
      const managerAddress = await f.manager.getAddress();
      await f.token.setHook(managerAddress, f.manager.interface.encodeFunctionData("claim", [f.stranger.address]));
      await expect(f.manager.connect(f.node.account).claim(f.node.address))
        .to.be.revertedWithCustomError(f.manager, "ReentrancyGuardReentrantCall")
        .withArgs();
      const credit = await f.manager.claimableOf(f.node.address);
      expect(credit).to.be.greaterThan(0n);
      await f.token.setHook(ethers.ZeroAddress, "0x");
      await expect(f.manager.connect(f.node.account).claim(f.node.address))
        .to.emit(f.manager, "CreditClaimed")
        .withArgs(f.node.address, f.node.address, credit);
    });

    it("a bond transfer that re-enters resolve, claim, arbitrate or challenge reverts", async function () {
      const f = await reentrantSetup();
      const first = await f.h.challenge(await f.h.attestReceipt());
      await f.h.draw(first);
      await f.h.vote(first, [undefined, undefined, undefined]);
      await time.increase(DEFAULT_PARAMETERS.arbitrationPeriod);
      expect(await f.manager.state(first)).to.equal(DisputeState.Expired);
      const managerAddress = await f.manager.getAddress();
      // Even a hook holding the arbitrator role is stopped by the guard.
      await f.manager.connect(f.admin).grantRole(await f.manager.ARBITRATOR_ROLE(), await f.token.getAddress());
      const other = await f.h.attestReceipt(f.nodeB);
      for (const data of [
        f.manager.interface.encodeFunctionData("resolve", [first]),
        f.manager.interface.encodeFunctionData("claim", [f.stranger.address]),
        f.manager.interface.encodeFunctionData("arbitrate", [first, true]),
        f.manager.interface.encodeFunctionData("challenge", [
          other,
          ethers.ZeroHash,
          [],
          randomHash(),
          f.stranger.address,
          ethers.MaxUint256,
        ]),
      ]) {
        await f.token.setHook(managerAddress, data);
        const receipt = await f.h.attestReceipt(f.nodeB);
        await expect(f.h.challenge(receipt))
          .to.be.revertedWithCustomError(f.manager, "ReentrancyGuardReentrantCall")
          .withArgs();
      }
    });
  });
});
