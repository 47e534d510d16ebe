import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import {
  BOND_FLOOR,
  DA_SLASH_BPS,
  DEMANDER_REWARD_BPS,
  DISPUTE_ROLE,
  MINIMUM_STAKE,
  NODE_STAKE,
  RESPONSE_PERIOD,
  UNBONDING_PERIOD,
  deployEvidenceFixture,
  deployFeeOnTransferEvidenceFixture,
  deployHookedEvidenceFixture,
} from "../fixtures/evidence";
import type { EvidenceFixture, NodeUnderTest } from "../fixtures/evidence";
import { hashReceipt, makeReceipt, proofOf, randomHash, randomWallet, signReceiptEthers } from "../helpers/receipts";
import type { Receipt } from "../helpers/receipts";
import { DemandState, Outcome, bySignature, ceilBps, floorBps } from "./helpers";
import { propertyRuns } from "../helpers/propertyRuns";
import { shouldBehaveLikeBoundedParameter } from "../helpers/boundedParameter.behavior";
import { modelRegistration } from "../fixtures/registry";
import type { ModelRegistry, NodeRegistry } from "../../typechain-types";

const MIN_BOND_FLOOR = 1n;
const MAX_BOND_FLOOR = 10n ** 24n;
const MIN_RESPONSE_PERIOD = 600n;
const MAX_RESPONSE_PERIOD = 7n * 24n * 3600n;
const MIN_SLASH_BPS = 100n;
const MAX_SLASH_BPS = 10_000n;
const MAX_DEMANDER_REWARD_BPS = 5_000n;
const BATCH_SIZE = 3;
const LOCK = ceilBps(NODE_STAKE, DA_SLASH_BPS);

/** Node A's batch of three receipts, and a demander holding tokens approved to the manager. */
async function withBatch(f: EvidenceFixture) {
  const receipts: Receipt[] = Array.from({ length: BATCH_SIZE }, () => makeReceipt(f.nodeA.address, f.exactModel));
  const { tree, batchId } = await f.submitBatch(f.nodeA, receipts);
  const { windowEnd } = await f.attestation.getBatch(batchId);
  const funds = 100n * BOND_FLOOR;
  for (const who of [f.demander, f.stranger]) {
    await (f.token as unknown as { mint(to: string, v: bigint): Promise<unknown> }).mint(who.address, funds);
    await f.token.connect(who).approve(await f.manager.getAddress(), ethers.MaxUint256);
  }
  const proof = (r: Receipt) => proofOf(tree, r);
  return { ...f, receipts, tree, batchId, windowEnd, proof };
}

async function deployBatchFixture() {
  return withBatch(await deployEvidenceFixture());
}

async function deployHookedBatchFixture() {
  const f = await deployHookedEvidenceFixture();
  return { ...(await withBatch(f)), hookedToken: f.hookedToken };
}

type BatchFixture = Awaited<ReturnType<typeof deployBatchFixture>>;

/** Makes a demand at a known timestamp; returns its id and deadline. */
async function demandNow(f: BatchFixture, bond = BOND_FLOOR, demander = f.demander) {
  const at = BigInt(await time.latest()) + 1n;
  await time.setNextBlockTimestamp(at);
  const id = await f.manager.nextDemandId();
  await f.manager.connect(demander).demand(f.batchId, bond);
  return { id, deadline: at + RESPONSE_PERIOD };
}

describe("DataAvailabilityManager", function () {
  describe("on deployment", function () {
    it("sets the parameters and the bond token, and emits the parameters", async function () {
      const { manager, staking, admin } = await loadFixture(deployEvidenceFixture);
      expect(await manager.token()).to.equal(await staking.token());
      expect(await manager.bondFloor()).to.equal(BOND_FLOOR);
      expect(await manager.responsePeriod()).to.equal(RESPONSE_PERIOD);
      expect(await manager.slashBps()).to.equal(DA_SLASH_BPS);
      expect(await manager.demanderRewardBps()).to.equal(DEMANDER_REWARD_BPS);
      expect(await manager.nextDemandId()).to.equal(1n);
      expect(await manager.hasRole(await manager.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      expect([
        await manager.MIN_BOND_FLOOR(),
        await manager.MAX_BOND_FLOOR(),
        await manager.MIN_RESPONSE_PERIOD(),
        await manager.MAX_RESPONSE_PERIOD(),
        await manager.MIN_SLASH_BPS(),
        await manager.MAX_SLASH_BPS(),
        await manager.MIN_DEMANDER_REWARD_BPS(),
        await manager.MAX_DEMANDER_REWARD_BPS(),
      ]).to.deep.equal([
        MIN_BOND_FLOOR,
        MAX_BOND_FLOOR,
        MIN_RESPONSE_PERIOD,
        MAX_RESPONSE_PERIOD,
        MIN_SLASH_BPS,
        MAX_SLASH_BPS,
        0n,
        MAX_DEMANDER_REWARD_BPS,
      ]);
      const announced: [string, bigint][] = [
        ["bondFloor", BOND_FLOOR],
        ["responsePeriod", RESPONSE_PERIOD],
        ["slashBps", DA_SLASH_BPS],
        ["demanderRewardBps", DEMANDER_REWARD_BPS],
      ];
      for (const [name, value] of announced) {
        await expect(manager.deploymentTransaction())
          .to.emit(manager, "ParameterSet")
          .withArgs(ethers.encodeBytes32String(name), value);
      }
    });

    describe("reverts", function () {
      const parameters = {
        bondFloor: BOND_FLOOR,
        responsePeriod: RESPONSE_PERIOD,
        slashBps: DA_SLASH_BPS,
        demanderRewardBps: DEMANDER_REWARD_BPS,
      };

      it("when any dependency or the admin is the zero address", async function () {
        const { manager, attestation, staking, nodes, admin } = await loadFixture(deployEvidenceFixture);
        const good = [await attestation.getAddress(), await staking.getAddress(), await nodes.getAddress()];
        const factory = await ethers.getContractFactory("DataAvailabilityManager");
        for (let i = 0; i <= good.length; i++) {
          const deps = good.map((a, j) => (j === i ? ethers.ZeroAddress : a));
          const owner = i === good.length ? ethers.ZeroAddress : admin.address;
          await expect(factory.deploy(deps[0]!, deps[1]!, deps[2]!, parameters, owner)).to.be.revertedWithCustomError(
            manager,
            "DataAvailabilityZeroAddress",
          );
        }
      });

      it("when an initial parameter is out of bounds", async function () {
        const { manager, attestation, staking, nodes, admin } = await loadFixture(deployEvidenceFixture);
        const factory = await ethers.getContractFactory("DataAvailabilityManager");
        const deps = [await attestation.getAddress(), await staking.getAddress(), await nodes.getAddress()] as const;
        for (const [name, value, min, max] of [
          ["bondFloor", 0n, MIN_BOND_FLOOR, MAX_BOND_FLOOR],
          ["responsePeriod", MAX_RESPONSE_PERIOD + 1n, MIN_RESPONSE_PERIOD, MAX_RESPONSE_PERIOD],
          ["slashBps", MIN_SLASH_BPS - 1n, MIN_SLASH_BPS, MAX_SLASH_BPS],
          ["demanderRewardBps", MAX_DEMANDER_REWARD_BPS + 1n, 0n, MAX_DEMANDER_REWARD_BPS],
        ] as const) {
          await expect(factory.deploy(...deps, { ...parameters, [name]: value }, admin.address))
            .to.be.revertedWithCustomError(manager, "ParameterOutOfBounds")
            .withArgs(ethers.encodeBytes32String(name), value, min, max);
        }
      });
    });
  });

  describe("on demand", function () {
    it("takes the bond, locks the share of the node's stake it would slash, and opens the demand", async function () {
      const f = await loadFixture(deployBatchFixture);
      const at = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(at);
      const tx = f.manager.connect(f.demander).demand(f.batchId, BOND_FLOOR);
      await expect(tx)
        .to.emit(f.manager, "DataDemanded")
        .withArgs(1n, f.batchId, f.nodeA.address, f.demander.address, BOND_FLOOR, at + RESPONSE_PERIOD, LOCK, LOCK)
        .and.to.emit(f.staking, "StakeLocked")
        .withArgs(f.nodeA.address, LOCK, LOCK);
      await expect(tx).to.changeTokenBalances(f.token, [f.demander, f.manager], [-BOND_FLOOR, BOND_FLOOR]);
      const demand = await f.manager.getDemand(1n);
      expect(demand.demander).to.equal(f.demander.address);
      expect(demand.deadline).to.equal(at + RESPONSE_PERIOD);
      expect(demand.rewardBps).to.equal(DEMANDER_REWARD_BPS);
      expect(demand.outcome).to.equal(Outcome.Pending);
      expect(demand.node).to.equal(f.nodeA.address);
      expect(demand.batchId).to.equal(f.batchId);
      expect(demand.bond).to.equal(BOND_FLOOR);
      expect(demand.slashAmount).to.equal(LOCK);
      expect(demand.locked).to.equal(LOCK);
      expect(await f.manager.state(1n)).to.equal(DemandState.Open);
      expect(await f.manager.demandCount(f.batchId)).to.equal(1n);
      expect(await f.manager.nextDemandId()).to.equal(2n);
      expect(await f.staking.lockedStakeOf(f.nodeA.address)).to.equal(LOCK);
    });

    it("returns the new id", async function () {
      const f = await loadFixture(deployBatchFixture);
      expect(await f.manager.connect(f.demander).demand.staticCall(f.batchId, BOND_FLOOR)).to.equal(1n);
    });

    it("accepts a bond above the floor and keeps it whole", async function () {
      const f = await loadFixture(deployBatchFixture);
      await expect(f.manager.connect(f.demander).demand(f.batchId, 3n * BOND_FLOOR)).to.changeTokenBalances(
        f.token,
        [f.demander, f.manager],
        [-3n * BOND_FLOOR, 3n * BOND_FLOOR],
      );
      expect((await f.manager.getDemand(1n)).bond).to.equal(3n * BOND_FLOOR);
    });

    it("rounds the amount at stake up, against the node", async function () {
      const f = await loadFixture(deployBatchFixture);
      const operator = f.unregistered;
      const node: NodeUnderTest = { operator, address: operator.address, signer: randomWallet() };
      const odd = MINIMUM_STAKE + 1n;
      await f.system.registerNode(operator, node.signer.address, odd);
      const { batchId } = await f.submitBatch(node, [makeReceipt(node.address, f.exactModel)]);
      await f.manager.connect(f.demander).demand(batchId, BOND_FLOOR);
      const amount = ceilBps(odd, DA_SLASH_BPS);
      expect(amount * 10_000n).to.be.greaterThan(odd * DA_SLASH_BPS);
      expect((await f.manager.getDemand(1n)).slashAmount).to.equal(amount);
    });

    it("locks the full share whatever is locked already: a lock never shrinks another judgment's amount at risk", async function () {
      const f = await loadFixture(deployBatchFixture);
      await f.manager.connect(f.admin).setSlashBps(MAX_SLASH_BPS);
      await f.manager.connect(f.demander).demand(f.batchId, BOND_FLOOR);
      const at = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(at);
      await expect(f.manager.connect(f.stranger).demand(f.batchId, BOND_FLOOR))
        .to.emit(f.manager, "DataDemanded")
        .withArgs(
          2n,
          f.batchId,
          f.nodeA.address,
          f.stranger.address,
          BOND_FLOOR,
          at + RESPONSE_PERIOD,
          NODE_STAKE,
          NODE_STAKE,
        );
      expect(await f.staking.lockedStakeOf(f.nodeA.address)).to.equal(2n * NODE_STAKE);
    });

    it("puts nothing at stake and locks nothing when the node has no stake left", async function () {
      const f = await loadFixture(deployEvidenceFixture);
      await f.attestation.connect(f.admin).setChallengeWindow(30n * 24n * 3600n);
      const g = await withBatch(f);
      await g.staking.connect(g.nodeA.operator).requestUnstake(NODE_STAKE);
      await time.increase(UNBONDING_PERIOD);
      await g.staking.connect(g.nodeA.operator).withdraw();
      const tx = g.manager.connect(g.demander).demand(g.batchId, BOND_FLOOR);
      await expect(tx).to.emit(g.manager, "DataDemanded");
      await expect(tx).to.not.emit(g.staking, "StakeLocked");
      const demand = await g.manager.getDemand(1n);
      expect([demand.slashAmount, demand.locked]).to.deep.equal([0n, 0n]);
    });

    it("is accepted one second before the batch's challenge window closes", async function () {
      const f = await loadFixture(deployBatchFixture);
      await time.setNextBlockTimestamp(f.windowEnd - 1n);
      await expect(f.manager.connect(f.demander).demand(f.batchId, BOND_FLOOR)).to.emit(f.manager, "DataDemanded");
    });

    it("blocks the node's withdrawal while open (stake unbonding stays at stake)", async function () {
      const f = await loadFixture(deployBatchFixture);
      await f.staking.connect(f.nodeA.operator).requestUnstake(NODE_STAKE);
      const { id } = await demandNow(f);
      await time.increase(UNBONDING_PERIOD);
      await expect(f.staking.connect(f.nodeA.operator).withdraw())
        .to.be.revertedWithCustomError(f.staking, "StakingStakeLocked")
        .withArgs(f.nodeA.address, LOCK);
      await f.manager.connect(f.stranger).slashUnanswered(id);
      await expect(f.staking.connect(f.nodeA.operator).withdraw()).to.changeTokenBalance(
        f.token,
        f.nodeA.operator,
        NODE_STAKE - LOCK,
      );
    });

    describe("reverts", function () {
      it("when the batch is unknown", async function () {
        const f = await loadFixture(deployBatchFixture);
        const unknown = randomHash();
        await expect(f.manager.connect(f.demander).demand(unknown, BOND_FLOOR))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityUnknownBatch")
          .withArgs(unknown);
      });

      it("when the batch's challenge window has closed (at its exact end)", async function () {
        const f = await loadFixture(deployBatchFixture);
        await time.setNextBlockTimestamp(f.windowEnd);
        await expect(f.manager.connect(f.demander).demand(f.batchId, BOND_FLOOR))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityWindowClosed")
          .withArgs(f.batchId, f.windowEnd, f.windowEnd);
      });

      it("when the batch already took `count` demands", async function () {
        const f = await loadFixture(deployBatchFixture);
        for (let i = 0; i < BATCH_SIZE; i++) await f.manager.connect(f.demander).demand(f.batchId, BOND_FLOOR);
        expect(await f.manager.demandCount(f.batchId)).to.equal(BigInt(BATCH_SIZE));
        await expect(f.manager.connect(f.stranger).demand(f.batchId, BOND_FLOOR))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityTooManyDemands")
          .withArgs(f.batchId, BATCH_SIZE);
      });

      it("when the bond is below the floor", async function () {
        const f = await loadFixture(deployBatchFixture);
        await expect(f.manager.connect(f.demander).demand(f.batchId, BOND_FLOOR - 1n))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityBondTooLow")
          .withArgs(BOND_FLOOR - 1n, BOND_FLOOR);
      });

      it("when the bond is not approved (the token's error)", async function () {
        const f = await loadFixture(deployBatchFixture);
        await f.token.connect(f.demander).approve(await f.manager.getAddress(), 0n);
        await expect(f.manager.connect(f.demander).demand(f.batchId, BOND_FLOOR))
          .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
          .withArgs(await f.manager.getAddress(), 0n, BOND_FLOOR);
      });

      it("when the token takes a fee on transfer (balance delta check)", async function () {
        const f = await loadFixture(deployFeeOnTransferEvidenceFixture);
        const g = await withBatch(f);
        const bond = 2n * BOND_FLOOR;
        await expect(g.manager.connect(g.demander).demand(g.batchId, bond))
          .to.be.revertedWithCustomError(g.manager, "DataAvailabilityTransferAmountMismatch")
          .withArgs(bond, bond - floorBps(bond, 100n));
      });

      it("when the token reenters the manager while taking the bond", async function () {
        const f = await loadFixture(deployHookedBatchFixture);
        const { id } = await demandNow(f);
        const reenter = f.manager.interface.encodeFunctionData("answer", [id, f.receipts[0]!, f.proof(f.receipts[0]!)]);
        await f.hookedToken.setHook(await f.manager.getAddress(), reenter);
        await expect(f.manager.connect(f.stranger).demand(f.batchId, BOND_FLOOR)).to.be.revertedWithCustomError(
          f.manager,
          "ReentrancyGuardReentrantCall",
        );
      });

      it("when the manager lacks the staking contract's DISPUTE_ROLE", async function () {
        const f = await loadFixture(deployBatchFixture);
        await f.staking.connect(f.admin).revokeRole(DISPUTE_ROLE, await f.manager.getAddress());
        await expect(f.manager.connect(f.demander).demand(f.batchId, BOND_FLOOR))
          .to.be.revertedWithCustomError(f.staking, "AccessControlUnauthorizedAccount")
          .withArgs(await f.manager.getAddress(), DISPUTE_ROLE);
      });
    });
  });

  describe("on answer", function () {
    it("reveals the receipt, credits the bond to the node and unlocks its stake", async function () {
      const f = await loadFixture(deployBatchFixture);
      const { id } = await demandNow(f);
      const receipt = f.receipts[1]!;
      const tx = f.manager.connect(f.nodeA.operator).answer(id, receipt, f.proof(receipt));
      await expect(tx)
        .to.emit(f.manager, "DemandAnswered")
        .withArgs(id, f.batchId, f.nodeA.address, hashReceipt(receipt), Object.values(receipt))
        .and.to.emit(f.staking, "StakeUnlocked")
        .withArgs(f.nodeA.address, LOCK, 0n);
      await expect(tx).to.emit(f.manager, "Credited").withArgs(f.nodeA.address, BOND_FLOOR);
      await expect(tx).to.changeTokenBalances(f.token, [f.nodeA.operator, f.manager], [0n, 0n]);
      expect(await f.manager.claimableOf(f.nodeA.address)).to.equal(BOND_FLOOR);
      await expect(f.manager.connect(f.nodeA.operator).claim(f.nodeA.address))
        .to.emit(f.manager, "CreditClaimed")
        .withArgs(f.nodeA.address, f.nodeA.address, BOND_FLOOR);
      expect(await f.manager.claimableOf(f.nodeA.address)).to.equal(0n);
      expect(await f.manager.state(id)).to.equal(DemandState.Answered);
      expect((await f.manager.getDemand(id)).outcome).to.equal(Outcome.Answered);
      expect(await f.manager.revealedBy(f.batchId, hashReceipt(receipt))).to.equal(id);
      expect(await f.staking.lockedStakeOf(f.nodeA.address)).to.equal(0n);
    });

    it("works the same for a batch whose node signed with viem's signTypedData", async function () {
      const f = await loadFixture(deployBatchFixture);
      const receipts = [makeReceipt(f.nodeA.address, f.exactModel), makeReceipt(f.nodeA.address, f.exactModel)];
      const { tree, batchId } = await f.submitBatch(f.nodeA, receipts, "viem");
      await f.manager.connect(f.demander).demand(batchId, BOND_FLOOR);
      await expect(f.manager.connect(f.nodeA.operator).answer(1n, receipts[1]!, proofOf(tree, receipts[1]!)))
        .to.emit(f.manager, "DemandAnswered")
        .withArgs(1n, batchId, f.nodeA.address, hashReceipt(receipts[1]!), Object.values(receipts[1]!));
    });

    it("may come from anyone holding the data (a mirror); the bond still goes to the node", async function () {
      const f = await loadFixture(deployBatchFixture);
      const { id } = await demandNow(f);
      const receipt = f.receipts[0]!;
      await f.manager.connect(f.stranger).answer(id, receipt, f.proof(receipt));
      expect(await f.manager.claimableOf(f.nodeA.address)).to.equal(BOND_FLOOR);
      expect(await f.manager.claimableOf(f.stranger.address)).to.equal(0n);
    });

    it("is accepted one second before the deadline", async function () {
      const f = await loadFixture(deployBatchFixture);
      const { id, deadline } = await demandNow(f);
      await time.setNextBlockTimestamp(deadline - 1n);
      await expect(f.manager.connect(f.nodeA.operator).answer(id, f.receipts[0]!, f.proof(f.receipts[0]!))).to.emit(
        f.manager,
        "DemandAnswered",
      );
    });

    it("forces the whole batch out: `count` demands need `count` distinct leaves", async function () {
      const f = await loadFixture(deployBatchFixture);
      const ids: bigint[] = [];
      for (let i = 0; i < BATCH_SIZE; i++) ids.push((await demandNow(f)).id);
      for (const [i, id] of ids.entries()) {
        await f.manager.connect(f.nodeA.operator).answer(id, f.receipts[i]!, f.proof(f.receipts[i]!));
      }
      for (const [i, receipt] of f.receipts.entries()) {
        expect(await f.manager.revealedBy(f.batchId, hashReceipt(receipt))).to.equal(ids[i]);
      }
      await expect(f.manager.connect(f.demander).demand(f.batchId, BOND_FLOOR))
        .to.be.revertedWithCustomError(f.manager, "DataAvailabilityTooManyDemands")
        .withArgs(f.batchId, BATCH_SIZE);
    });

    it("releases exactly its own lock after a slash elsewhere took the whole stake (slashes never touch locks)", async function () {
      const f = await loadFixture(deployBatchFixture);
      const { id } = await demandNow(f);
      const locked = (await f.manager.getDemand(id)).locked;
      // An equivocation proof slashes 100%; the demand's lock stays its own.
      await f.slasher.connect(f.admin).setSlashBps(10_000);
      const a = makeReceipt(f.nodeA.address, f.exactModel);
      const b = { ...a, outputHash: randomHash() };
      await f.slasher
        .connect(f.stranger)
        .proveEquivocation(
          bySignature(a, await signReceiptEthers(f.nodeA.signer, f.domain, a)),
          bySignature(b, await signReceiptEthers(f.nodeA.signer, f.domain, b)),
        );
      expect(await f.staking.slashableStakeOf(f.nodeA.address)).to.equal(0n);
      expect(await f.staking.lockedStakeOf(f.nodeA.address)).to.equal(locked);
      const tx = f.manager.connect(f.nodeA.operator).answer(id, f.receipts[0]!, f.proof(f.receipts[0]!));
      await expect(tx).to.emit(f.manager, "DemandAnswered");
      await expect(tx).to.emit(f.staking, "StakeUnlocked").withArgs(f.nodeA.address, locked, 0n);
    });

    describe("reverts", function () {
      it("when the demand does not exist", async function () {
        const f = await loadFixture(deployBatchFixture);
        await expect(f.manager.answer(7n, f.receipts[0]!, f.proof(f.receipts[0]!)))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityUnexpectedState")
          .withArgs(7n, DemandState.None, DemandState.Open);
      });

      it("at the deadline: too late (pinned: the answer must come strictly before it)", async function () {
        const f = await loadFixture(deployBatchFixture);
        const { id, deadline } = await demandNow(f);
        await time.setNextBlockTimestamp(deadline);
        await expect(f.manager.connect(f.nodeA.operator).answer(id, f.receipts[0]!, f.proof(f.receipts[0]!)))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityUnexpectedState")
          .withArgs(id, DemandState.Expired, DemandState.Open);
      });

      it("when the demand was answered already", async function () {
        const f = await loadFixture(deployBatchFixture);
        const { id } = await demandNow(f);
        await f.manager.connect(f.nodeA.operator).answer(id, f.receipts[0]!, f.proof(f.receipts[0]!));
        await expect(f.manager.connect(f.nodeA.operator).answer(id, f.receipts[1]!, f.proof(f.receipts[1]!)))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityUnexpectedState")
          .withArgs(id, DemandState.Answered, DemandState.Open);
      });

      it("when the proof does not place the receipt in the batch", async function () {
        const f = await loadFixture(deployBatchFixture);
        const { id } = await demandNow(f);
        const receipt = f.receipts[0]!;
        await expect(f.manager.connect(f.nodeA.operator).answer(id, receipt, f.proof(f.receipts[1]!)))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityNotIncluded")
          .withArgs(id, hashReceipt(receipt), f.batchId);
      });

      it("when the receipt belongs to another batch of the node", async function () {
        const f = await loadFixture(deployBatchFixture);
        const { id } = await demandNow(f);
        const other = [makeReceipt(f.nodeA.address, f.exactModel), makeReceipt(f.nodeA.address, f.exactModel)];
        const second = await f.submitBatch(f.nodeA, other);
        await expect(f.manager.connect(f.nodeA.operator).answer(id, other[0]!, proofOf(second.tree, other[0]!)))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityNotIncluded")
          .withArgs(id, hashReceipt(other[0]!), f.batchId);
      });

      it("when the receipt in the tree names another node", async function () {
        const f = await loadFixture(deployBatchFixture);
        const foreign = makeReceipt(f.nodeB.address, f.exactModel);
        const mixed = await f.submitBatch(f.nodeA, [makeReceipt(f.nodeA.address, f.exactModel), foreign]);
        await f.manager.connect(f.demander).demand(mixed.batchId, BOND_FLOOR);
        await expect(f.manager.connect(f.nodeA.operator).answer(1n, foreign, proofOf(mixed.tree, foreign)))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityNotIncluded")
          .withArgs(1n, hashReceipt(foreign), mixed.batchId);
      });

      it("when the leaf was revealed by an earlier answer", async function () {
        const f = await loadFixture(deployBatchFixture);
        const first = await demandNow(f);
        const second = await demandNow(f);
        const receipt = f.receipts[0]!;
        await f.manager.connect(f.nodeA.operator).answer(first.id, receipt, f.proof(receipt));
        await expect(f.manager.connect(f.nodeA.operator).answer(second.id, receipt, f.proof(receipt)))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityLeafRevealed")
          .withArgs(f.batchId, hashReceipt(receipt), first.id);
      });

      it("when the token reenters the manager while a claim pays the node its bond", async function () {
        const f = await loadFixture(deployHookedBatchFixture);
        const { id } = await demandNow(f);
        await f.manager.connect(f.nodeA.operator).answer(id, f.receipts[0]!, f.proof(f.receipts[0]!));
        const reenter = f.manager.interface.encodeFunctionData("demand", [f.batchId, BOND_FLOOR]);
        await f.hookedToken.setHook(await f.manager.getAddress(), reenter);
        await expect(f.manager.connect(f.nodeA.operator).claim(f.nodeA.address)).to.be.revertedWithCustomError(
          f.manager,
          "ReentrancyGuardReentrantCall",
        );
      });
    });
  });

  describe("on slashUnanswered", function () {
    it("costs the same whether the node serves 2 models or 32: it jails before it slashes, and the jail writes no tree", async function () {
      const measure = async (models: number) => {
        const f = await loadFixture(deployBatchFixture);
        const nodes = f.nodes as unknown as NodeRegistry;
        const ids = [f.exactModel, f.toleranceModel];
        for (let i = ids.length; i < models; i++) {
          const model = modelRegistration(`da-gas/model-${i}`);
          await (f.models as unknown as ModelRegistry).connect(f.stranger).registerModel(model);
          ids.push(model.id);
        }
        // Writing 32 trees: the node's gas estimate overshoots the per-transaction cap.
        await nodes.connect(f.nodeA.operator).updateModels(ids, { gasLimit: 15_000_000n });
        const { id, deadline } = await demandNow(f);
        await time.setNextBlockTimestamp(deadline);
        const receipt = await (await f.manager.connect(f.stranger).slashUnanswered(id)).wait();
        expect(await nodes.isActive(f.nodeA.address)).to.equal(false);
        return receipt!.gasUsed;
      };
      const two = await measure(2);
      const many = await measure(32);
      if (process.env.VERITY_GAS_LOG) console.log(`      slashUnanswered: 2 models ${two}, 32 models ${many}`);
      // Measured: 262,922 for both. Slashing first, with a jail that zeroed every tree, cost 500,875 at 2 models and
      // 3,666,195 at 32 (the slash rewrote the node's weight in each tree, then the jail zeroed each).
      expect(many).to.equal(two);
      // Absolute bounds hold for the real bytecode only (coverage instruments it).
      if (!process.env.VERITY_COVERAGE) expect(two).to.be.below(300_000n);
    });

    it("at the deadline slashes the node, credits the bond back with the demander's share, and jails the node", async function () {
      const f = await loadFixture(deployBatchFixture);
      const { id, deadline } = await demandNow(f);
      await time.setNextBlockTimestamp(deadline);
      const reward = floorBps(LOCK, DEMANDER_REWARD_BPS);
      const tx = f.manager.connect(f.stranger).slashUnanswered(id);
      await expect(tx)
        .to.emit(f.manager, "DemandSlashed")
        .withArgs(id, f.batchId, f.nodeA.address, f.demander.address, LOCK, BOND_FLOOR, true)
        .and.to.emit(f.staking, "StakeUnlocked")
        .withArgs(f.nodeA.address, LOCK, 0n)
        .and.to.emit(f.staking, "Slashed")
        .withArgs(f.nodeA.address, LOCK, LOCK, LOCK - reward)
        .and.to.emit(f.staking, "SlashPaid")
        .withArgs(f.nodeA.address, await f.manager.getAddress(), reward)
        .and.to.emit(f.nodes, "NodeJailed")
        .withArgs(f.nodeA.address);
      await expect(tx)
        .to.emit(f.manager, "Credited")
        .withArgs(f.demander.address, BOND_FLOOR + reward);
      await expect(tx).to.changeTokenBalances(
        f.token,
        [f.demander, f.treasury, f.manager, f.staking, f.stranger],
        [0n, LOCK - reward, reward, -LOCK, 0n],
      );
      expect(await f.manager.claimableOf(f.demander.address)).to.equal(BOND_FLOOR + reward);
      await expect(f.manager.connect(f.demander).claim(f.demander.address)).to.changeTokenBalances(
        f.token,
        [f.demander, f.manager],
        [BOND_FLOOR + reward, -(BOND_FLOOR + reward)],
      );
      expect(await f.manager.state(id)).to.equal(DemandState.Slashed);
      expect((await f.manager.getDemand(id)).outcome).to.equal(Outcome.Slashed);
      expect(await f.staking.lockedStakeOf(f.nodeA.address)).to.equal(0n);
      expect(await f.staking.slashableStakeOf(f.nodeA.address)).to.equal(NODE_STAKE - LOCK);
      expect(await f.system.isJailed(f.nodeA.address)).to.equal(true);
    });

    it("returns what was slashed", async function () {
      const f = await loadFixture(deployBatchFixture);
      const { id, deadline } = await demandNow(f);
      await time.increaseTo(deadline);
      expect(await f.manager.slashUnanswered.staticCall(id)).to.equal(LOCK);
    });

    it("reports the lifecycle: Open until one second before the deadline, Expired from it", async function () {
      const f = await loadFixture(deployBatchFixture);
      const { id, deadline } = await demandNow(f);
      await time.increaseTo(deadline - 1n);
      expect(await f.manager.state(id)).to.equal(DemandState.Open);
      await time.increaseTo(deadline);
      expect(await f.manager.state(id)).to.equal(DemandState.Expired);
      expect(await f.manager.state(id + 1n)).to.equal(DemandState.None);
    });

    it("keeps the terms the demand was made with when governance changes the parameters", async function () {
      const f = await loadFixture(deployBatchFixture);
      const { id, deadline } = await demandNow(f);
      await f.manager.connect(f.admin).setSlashBps(MAX_SLASH_BPS);
      await f.manager.connect(f.admin).setDemanderRewardBps(0);
      await f.manager.connect(f.admin).setResponsePeriod(MAX_RESPONSE_PERIOD);
      await f.manager.connect(f.admin).setBondFloor(MAX_BOND_FLOOR);
      expect((await f.manager.getDemand(id)).deadline).to.equal(deadline);
      await time.setNextBlockTimestamp(deadline);
      const reward = floorBps(LOCK, DEMANDER_REWARD_BPS);
      await expect(f.manager.slashUnanswered(id))
        .to.emit(f.staking, "SlashPaid")
        .withArgs(f.nodeA.address, await f.manager.getAddress(), reward)
        .and.to.emit(f.manager, "DemandSlashed")
        .withArgs(id, f.batchId, f.nodeA.address, f.demander.address, LOCK, BOND_FLOOR, true);
    });

    it("caps the slash at what the node has left, and does not jail a jailed node again", async function () {
      const f = await loadFixture(deployBatchFixture);
      await f.manager.connect(f.admin).setSlashBps(MAX_SLASH_BPS);
      const first = await demandNow(f);
      const second = await demandNow(f);
      await time.increaseTo(second.deadline);
      await f.manager.slashUnanswered(first.id);
      const tx = f.manager.slashUnanswered(second.id);
      await expect(tx)
        .to.emit(f.manager, "DemandSlashed")
        .withArgs(second.id, f.batchId, f.nodeA.address, f.demander.address, 0n, BOND_FLOOR, false);
      await expect(tx).to.not.emit(f.nodes, "NodeJailed");
      await expect(tx).to.emit(f.manager, "Credited").withArgs(f.demander.address, BOND_FLOOR);
    });

    it("slashes nothing but returns the bond, and jails, when the node left before the demand", async function () {
      const f = await loadFixture(deployEvidenceFixture);
      await f.attestation.connect(f.admin).setChallengeWindow(30n * 24n * 3600n);
      const g = await withBatch(f);
      await g.system.exit(g.nodeA.operator);
      const { id, deadline } = await demandNow(g);
      await time.setNextBlockTimestamp(deadline);
      const tx = g.manager.slashUnanswered(id);
      await expect(tx)
        .to.emit(g.manager, "DemandSlashed")
        .withArgs(id, g.batchId, g.nodeA.address, g.demander.address, 0n, BOND_FLOOR, true);
      await expect(tx).to.not.emit(g.staking, "Slashed");
      await expect(tx).to.emit(g.nodes, "NodeJailed").withArgs(g.nodeA.address);
      await expect(tx).to.emit(g.manager, "Credited").withArgs(g.demander.address, BOND_FLOOR);
    });

    describe("reverts", function () {
      it("one second before the deadline (pinned: slashing starts at the deadline)", async function () {
        const f = await loadFixture(deployBatchFixture);
        const { id, deadline } = await demandNow(f);
        await time.setNextBlockTimestamp(deadline - 1n);
        await expect(f.manager.slashUnanswered(id))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityUnexpectedState")
          .withArgs(id, DemandState.Open, DemandState.Expired);
      });

      it("when the demand was answered", async function () {
        const f = await loadFixture(deployBatchFixture);
        const { id, deadline } = await demandNow(f);
        await f.manager.connect(f.nodeA.operator).answer(id, f.receipts[0]!, f.proof(f.receipts[0]!));
        await time.increaseTo(deadline);
        await expect(f.manager.slashUnanswered(id))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityUnexpectedState")
          .withArgs(id, DemandState.Answered, DemandState.Expired);
      });

      it("a second time", async function () {
        const f = await loadFixture(deployBatchFixture);
        const { id, deadline } = await demandNow(f);
        await time.increaseTo(deadline);
        await f.manager.slashUnanswered(id);
        await expect(f.manager.slashUnanswered(id))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityUnexpectedState")
          .withArgs(id, DemandState.Slashed, DemandState.Expired);
        await expect(f.manager.connect(f.nodeA.operator).answer(id, f.receipts[0]!, f.proof(f.receipts[0]!)))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityUnexpectedState")
          .withArgs(id, DemandState.Slashed, DemandState.Open);
      });

      it("when the demand does not exist", async function () {
        const f = await loadFixture(deployBatchFixture);
        await expect(f.manager.slashUnanswered(0n))
          .to.be.revertedWithCustomError(f.manager, "DataAvailabilityUnexpectedState")
          .withArgs(0n, DemandState.None, DemandState.Expired);
      });

      it("when the token reenters the manager while a claim returns the bond", async function () {
        const f = await loadFixture(deployHookedBatchFixture);
        const { id } = await demandNow(f);
        const { id: other, deadline } = await demandNow(f);
        await time.increaseTo(deadline);
        await f.manager.slashUnanswered(id);
        await f.hookedToken.setHook(
          await f.manager.getAddress(),
          f.manager.interface.encodeFunctionData("slashUnanswered", [other]),
        );
        await expect(f.manager.connect(f.demander).claim(f.demander.address)).to.be.revertedWithCustomError(
          f.manager,
          "ReentrancyGuardReentrantCall",
        );
      });

      it("when the manager lacks the node registry's DISPUTE_ROLE", async function () {
        const f = await loadFixture(deployBatchFixture);
        const { id, deadline } = await demandNow(f);
        await f.nodes.connect(f.admin).revokeRole(DISPUTE_ROLE, await f.manager.getAddress());
        await time.increaseTo(deadline);
        await expect(f.manager.slashUnanswered(id))
          .to.be.revertedWithCustomError(f.nodes, "AccessControlUnauthorizedAccount")
          .withArgs(await f.manager.getAddress(), DISPUTE_ROLE);
      });
    });

    it("pays out exactly what it slashed, for any stake and shares (property)", async function () {
      const base = await loadFixture(deployBatchFixture);
      const operator = base.unregistered;
      await fc.assert(
        fc.asyncProperty(
          fc.bigInt({ min: MINIMUM_STAKE, max: 10n ** 27n }),
          fc.bigInt({ min: MIN_SLASH_BPS, max: MAX_SLASH_BPS }),
          fc.bigInt({ min: 0n, max: MAX_DEMANDER_REWARD_BPS }),
          fc.bigInt({ min: BOND_FLOOR, max: 50n * BOND_FLOOR }),
          async (stake, slashBps, rewardBps, bond) => {
            const f = await loadFixture(deployBatchFixture);
            const node: NodeUnderTest = { operator, address: operator.address, signer: randomWallet() };
            await f.system.registerNode(operator, node.signer.address, stake);
            await f.manager.connect(f.admin).setSlashBps(slashBps);
            await f.manager.connect(f.admin).setDemanderRewardBps(rewardBps);
            const { batchId } = await f.submitBatch(node, [makeReceipt(node.address, f.exactModel)]);
            await f.manager.connect(f.demander).demand(batchId, bond);
            await time.increase(RESPONSE_PERIOD);
            const before = await Promise.all(
              [f.demander.address, f.treasury.address, await f.staking.getAddress(), await f.manager.getAddress()].map(
                (a) => f.token.balanceOf(a),
              ),
            );
            await f.manager.slashUnanswered(1n);
            const after = await Promise.all(
              [f.demander.address, f.treasury.address, await f.staking.getAddress(), await f.manager.getAddress()].map(
                (a) => f.token.balanceOf(a),
              ),
            );
            const expected = ceilBps(stake, slashBps);
            const reward = floorBps(expected, rewardBps);
            expect(after[0]! - before[0]!).to.equal(0n);
            expect(after[1]! - before[1]!).to.equal(expected - reward);
            expect(before[2]! - after[2]!).to.equal(expected);
            expect(after[3]! - before[3]!).to.equal(reward);
            expect(await f.manager.claimableOf(f.demander.address)).to.equal(bond + reward);
            expect(await f.staking.slashableStakeOf(node.address)).to.equal(stake - expected);
            expect(await f.staking.lockedStakeOf(node.address)).to.equal(0n);
          },
        ),
        { numRuns: propertyRuns(25) },
      );
    });
  });

  describe("on parameters", function () {
    for (const [name, setter, min, max] of [
      ["bondFloor", "setBondFloor", MIN_BOND_FLOOR, MAX_BOND_FLOOR],
      ["responsePeriod", "setResponsePeriod", MIN_RESPONSE_PERIOD, MAX_RESPONSE_PERIOD],
      ["slashBps", "setSlashBps", MIN_SLASH_BPS, MAX_SLASH_BPS],
      ["demanderRewardBps", "setDemanderRewardBps", 0n, MAX_DEMANDER_REWARD_BPS],
    ] as const) {
      shouldBehaveLikeBoundedParameter({ name, min, max }, async () => {
        const { manager, admin, stranger } = await loadFixture(deployEvidenceFixture);
        return {
          contract: manager,
          admin,
          stranger,
          set: (signer, value) => manager.connect(signer)[setter](value),
          get: () => manager[name](),
        };
      });
    }

    it("applies new values to demands made afterwards", async function () {
      const f = await loadFixture(deployBatchFixture);
      await f.manager.connect(f.admin).setResponsePeriod(MIN_RESPONSE_PERIOD);
      await f.manager.connect(f.admin).setSlashBps(MAX_SLASH_BPS);
      await f.manager.connect(f.admin).setDemanderRewardBps(MAX_DEMANDER_REWARD_BPS);
      await f.manager.connect(f.admin).setBondFloor(2n * BOND_FLOOR);
      await expect(f.manager.connect(f.demander).demand(f.batchId, BOND_FLOOR))
        .to.be.revertedWithCustomError(f.manager, "DataAvailabilityBondTooLow")
        .withArgs(BOND_FLOOR, 2n * BOND_FLOOR);
      const at = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(at);
      await f.manager.connect(f.demander).demand(f.batchId, 2n * BOND_FLOOR);
      const demand = await f.manager.getDemand(1n);
      expect([demand.deadline, demand.rewardBps, demand.slashAmount, demand.bond]).to.deep.equal([
        at + MIN_RESPONSE_PERIOD,
        MAX_DEMANDER_REWARD_BPS,
        NODE_STAKE,
        2n * BOND_FLOOR,
      ]);
    });
  });
});
