import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { AttestationRegistry } from "../../typechain-types";
import { CHALLENGE_WINDOW, deployAttestationFixture } from "../fixtures/attestation";
import { Role, deployRegistryFixture, modelRegistration } from "../fixtures/registry";
import { MINIMUM_STAKE } from "../fixtures/staking";
import {
  buildTree,
  makeReceipt,
  randomHash,
  randomWallet,
  signBatchEthers,
  signReceiptEthers,
} from "../helpers/receipts";
import type { Batch, Domain, Receipt } from "../helpers/receipts";

/** Mirrors `IAttestationRegistry.ModelRecord`. */
enum ModelRecord {
  Unsynced,
  Inactive,
  Active,
}

type Fixture = Awaited<ReturnType<typeof deployAttestationFixture>>;

const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;

async function submitA(f: Fixture, receipt: Receipt = makeReceipt(f.nodeA.address, f.modelId)) {
  return f.registry.submitReceipt(receipt, await signReceiptEthers(f.nodeA.signer, f.domain, receipt));
}

function batchOf(node: string, modelId: string, sequence: bigint): Batch {
  const tree = buildTree([makeReceipt(node, modelId), makeReceipt(node, modelId)]);
  return { node, sequence, root: tree.root, count: 2n, dataHash: randomHash() };
}

/** A second AttestationRegistry over the same registries, which are bound to the fixture's registry, not to it. */
async function deployUnboundRegistry(f: Fixture) {
  const unbound = (await ethers.deployContract("AttestationRegistry", [
    await f.nodeRegistry.getAddress(),
    await f.modelRegistry.getAddress(),
    CHALLENGE_WINDOW,
    f.admin.address,
  ])) as unknown as AttestationRegistry;
  const domain: Domain = { ...f.domain, verifyingContract: await unbound.getAddress() };
  return { unbound, domain };
}

/**
 * Registries with a node registered before any attestation registry exists, then an AttestationRegistry bound to
 * them: the node's and the models' records start unsynced.
 */
async function deployLateBindingFixture() {
  const base = await deployRegistryFixture();
  const { admin, staking, nodeRegistry, modelRegistry, nodeA, modelA } = base;
  const signer = randomWallet();
  await staking.connect(nodeA).stake(MINIMUM_STAKE);
  await nodeRegistry.connect(nodeA).registerNode(signer.address, "https://node.example", Role.Inference, [modelA.id]);
  const registry = (await ethers.deployContract("AttestationRegistry", [
    await nodeRegistry.getAddress(),
    await modelRegistry.getAddress(),
    CHALLENGE_WINDOW,
    admin.address,
  ])) as unknown as AttestationRegistry;
  await nodeRegistry.connect(admin).setNodeObserver(await registry.getAddress());
  await modelRegistry.connect(admin).setModelObserver(await registry.getAddress());
  const { chainId } = await ethers.provider.getNetwork();
  const domain: Domain = { name: "Verity", version: "1", chainId, verifyingContract: await registry.getAddress() };
  return { ...base, registry, signer, domain };
}

describe("AttestationRegistry node and model records", function () {
  describe("binding the registries", function () {
    it("makes the attestation registry the node and model observer, announced by events", async function () {
      const base = await loadFixture(deployRegistryFixture);
      const observer = randomWallet().address;
      await expect(base.nodeRegistry.connect(base.admin).setNodeObserver(observer))
        .to.emit(base.nodeRegistry, "NodeObserverSet")
        .withArgs(observer);
      await expect(base.modelRegistry.connect(base.admin).setModelObserver(observer))
        .to.emit(base.modelRegistry, "ModelObserverSet")
        .withArgs(observer);
      expect(await base.nodeRegistry.nodeObserver()).to.equal(observer);
      expect(await base.modelRegistry.modelObserver()).to.equal(observer);
    });

    describe("reverts", function () {
      it("when the node observer is set a second time, to zero, or by a non-admin", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const bound = await f.registry.getAddress();
        await expect(f.nodeRegistry.connect(f.admin).setNodeObserver(randomWallet().address))
          .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryObserverAlreadySet")
          .withArgs(bound);
        const base = await loadFixture(deployRegistryFixture);
        await expect(
          base.nodeRegistry.connect(base.admin).setNodeObserver(ethers.ZeroAddress),
        ).to.be.revertedWithCustomError(base.nodeRegistry, "NodeRegistryZeroAddress");
        await expect(base.nodeRegistry.connect(base.nodeA).setNodeObserver(bound))
          .to.be.revertedWithCustomError(base.nodeRegistry, "AccessControlUnauthorizedAccount")
          .withArgs(base.nodeA.address, DEFAULT_ADMIN_ROLE);
      });

      it("when the model observer is set a second time, to zero, or by anyone but the deployer", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const bound = await f.registry.getAddress();
        await expect(f.modelRegistry.connect(f.admin).setModelObserver(randomWallet().address))
          .to.be.revertedWithCustomError(f.modelRegistry, "ModelRegistryObserverAlreadySet")
          .withArgs(bound);
        const base = await loadFixture(deployRegistryFixture);
        await expect(
          base.modelRegistry.connect(base.admin).setModelObserver(ethers.ZeroAddress),
        ).to.be.revertedWithCustomError(base.modelRegistry, "ModelRegistryZeroObserver");
        await expect(base.modelRegistry.connect(base.modelOwner).setModelObserver(bound))
          .to.be.revertedWithCustomError(base.modelRegistry, "ModelRegistryNotDeployer")
          .withArgs(base.modelOwner.address, base.admin.address);
      });
    });
  });

  describe("node records", function () {
    it("are made when a node registers", async function () {
      const f = await loadFixture(deployAttestationFixture);
      const signer = randomWallet();
      await f.staking.connect(f.unregistered).stake(MINIMUM_STAKE);
      await expect(
        f.nodeRegistry.connect(f.unregistered).registerNode(signer.address, "https://c.example", Role.Inference, []),
      )
        .to.emit(f.registry, "NodeRecordSynced")
        .withArgs(f.unregistered.address, signer.address, true);
      expect(await f.registry.getNodeRecord(f.unregistered.address)).to.deep.equal([
        signer.address,
        true,
        true,
        0n,
        0n,
      ]);
      expect(await f.registry.getNodeRecord(f.nodeA.address)).to.deep.equal([
        f.nodeA.signer.address,
        true,
        true,
        0n,
        0n,
      ]);
    });

    it("follow a signer rotation at once: the old key is rejected in the next block", async function () {
      const f = await loadFixture(deployAttestationFixture);
      const receipt = makeReceipt(f.nodeA.address, f.modelId);
      const oldSignature = await signReceiptEthers(f.nodeA.signer, f.domain, receipt);
      const newSigner = randomWallet();
      await expect(f.nodeRegistry.connect(f.nodeA.operator).rotateSigner(newSigner.address))
        .to.emit(f.registry, "NodeRecordSynced")
        .withArgs(f.nodeA.address, newSigner.address, true);
      await expect(f.registry.submitReceipt(receipt, oldSignature))
        .to.be.revertedWithCustomError(f.registry, "AttestationInvalidSignature")
        .withArgs(f.nodeA.address, newSigner.address);
      await expect(f.registry.submitReceipt(receipt, await signReceiptEthers(newSigner, f.domain, receipt))).to.emit(
        f.registry,
        "ReceiptSubmitted",
      );
    });

    it("follow a jail and an unjail at once", async function () {
      const f = await loadFixture(deployAttestationFixture);
      await expect(f.nodeRegistry.connect(f.disputer).jail(f.nodeA.address))
        .to.emit(f.registry, "NodeRecordSynced")
        .withArgs(f.nodeA.address, f.nodeA.signer.address, false);
      await expect(submitA(f))
        .to.be.revertedWithCustomError(f.registry, "AttestationNodeNotActive")
        .withArgs(f.nodeA.address);
      await expect(f.nodeRegistry.connect(f.disputer).unjail(f.nodeA.address))
        .to.emit(f.registry, "NodeRecordSynced")
        .withArgs(f.nodeA.address, f.nodeA.signer.address, true);
      await expect(submitA(f)).to.emit(f.registry, "ReceiptSubmitted");
    });

    it("follow the active stake falling below the minimum and rising back, through Staking", async function () {
      const f = await loadFixture(deployAttestationFixture);
      await expect(f.staking.connect(f.nodeA.operator).requestUnstake(MINIMUM_STAKE))
        .to.emit(f.registry, "NodeRecordSynced")
        .withArgs(f.nodeA.address, f.nodeA.signer.address, false);
      await expect(submitA(f))
        .to.be.revertedWithCustomError(f.registry, "AttestationNodeNotActive")
        .withArgs(f.nodeA.address);
      await expect(f.staking.connect(f.nodeA.operator).stake(MINIMUM_STAKE))
        .to.emit(f.registry, "NodeRecordSynced")
        .withArgs(f.nodeA.address, f.nodeA.signer.address, true);
      await expect(submitA(f)).to.emit(f.registry, "ReceiptSubmitted");
    });

    it("follow a slash below the minimum at once", async function () {
      const f = await loadFixture(deployAttestationFixture);
      await expect(f.staking.connect(f.disputer).slash(f.nodeA.address, 1n, [], []))
        .to.emit(f.registry, "NodeRecordSynced")
        .withArgs(f.nodeA.address, f.nodeA.signer.address, false);
      await expect(submitA(f))
        .to.be.revertedWithCustomError(f.registry, "AttestationNodeNotActive")
        .withArgs(f.nodeA.address);
    });

    it("follow a deregistration, and keep the batch sequence for a re-registration", async function () {
      const f = await loadFixture(deployAttestationFixture);
      const batch = batchOf(f.nodeA.address, f.modelId, 1n);
      await f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, f.domain, batch));
      expect((await f.registry.getNodeRecord(f.nodeA.address)).lastSequence).to.equal(1n);
      await f.staking.connect(f.nodeA.operator).requestUnstake(MINIMUM_STAKE);
      await ethers.provider.send("evm_increaseTime", [Number(7n * 24n * 3600n)]);
      await f.staking.connect(f.nodeA.operator).withdraw();
      await expect(f.nodeRegistry.connect(f.nodeA.operator).deregisterNode())
        .to.emit(f.registry, "NodeRecordSynced")
        .withArgs(f.nodeA.address, ethers.ZeroAddress, false);
      expect(await f.registry.getNodeRecord(f.nodeA.address)).to.deep.equal([ethers.ZeroAddress, false, true, 1n, 0n]);
      await expect(submitA(f))
        .to.be.revertedWithCustomError(f.registry, "AttestationNodeNotRegistered")
        .withArgs(f.nodeA.address);

      const signer = randomWallet();
      await f.system.registerNode(f.nodeA.operator, signer.address);
      expect(await f.registry.nextSequence(f.nodeA.address)).to.equal(2n);
      const replay = { ...batch, sequence: 1n, root: randomHash() };
      await expect(f.registry.submitBatch(replay, await signBatchEthers(signer, f.domain, replay)))
        .to.be.revertedWithCustomError(f.registry, "AttestationUnexpectedSequence")
        .withArgs(f.nodeA.address, 1n, 2n);
    });

    describe("after a minimum-stake change (a missed push)", function () {
      it("a node a raised minimum puts below it can't attest, though nobody called nodeChanged or syncWeight", async function () {
        const f = await loadFixture(deployAttestationFixture);
        await expect(f.staking.connect(f.admin).setMinimumStake(MINIMUM_STAKE + 1n))
          .to.emit(f.registry, "NodeRecordsInvalidated")
          .withArgs(1n);
        expect(await f.registry.parametersVersion()).to.equal(1n);
        // The stored copy still says active, but it was made under version 0: stale, read again on use.
        expect(await f.registry.getNodeRecord(f.nodeA.address)).to.deep.equal([
          f.nodeA.signer.address,
          true,
          true,
          0n,
          0n,
        ]);
        await expect(submitA(f))
          .to.be.revertedWithCustomError(f.registry, "AttestationNodeNotActive")
          .withArgs(f.nodeA.address);
        await expect(f.registry.connect(f.stranger).nodeChanged(f.nodeB.address))
          .to.emit(f.registry, "NodeRecordSynced")
          .withArgs(f.nodeB.address, f.nodeB.signer.address, false);
        expect(await f.registry.getNodeRecord(f.nodeB.address)).to.deep.equal([
          f.nodeB.signer.address,
          false,
          true,
          0n,
          1n,
        ]);
      });

      it("a node a lowered minimum lifts above it attests again without any sync", async function () {
        const f = await loadFixture(deployAttestationFixture);
        await f.staking.connect(f.admin).setMinimumStake(MINIMUM_STAKE + 1n);
        await f.nodeRegistry.connect(f.stranger).syncWeight(f.nodeA.address);
        await expect(submitA(f))
          .to.be.revertedWithCustomError(f.registry, "AttestationNodeNotActive")
          .withArgs(f.nodeA.address);
        await f.staking.connect(f.admin).setMinimumStake(MINIMUM_STAKE);
        await expect(submitA(f)).to.emit(f.registry, "ReceiptSubmitted");
        expect((await f.registry.getNodeRecord(f.nodeA.address)).parametersVersion).to.equal(2n);
      });

      it("a node still above the new minimum is re-read once and keeps attesting, with no NodeRecordSynced", async function () {
        const f = await loadFixture(deployAttestationFixture);
        await f.staking.connect(f.admin).setMinimumStake(MINIMUM_STAKE - 1n);
        const tx = submitA(f);
        await expect(tx).to.emit(f.registry, "ReceiptSubmitted");
        await expect(tx).not.to.emit(f.registry, "NodeRecordSynced");
        expect(await f.registry.getNodeRecord(f.nodeA.address)).to.deep.equal([
          f.nodeA.signer.address,
          true,
          true,
          0n,
          1n,
        ]);
      });

      it("reverts minimumStakeChanged from anyone but the node registry", async function () {
        const f = await loadFixture(deployAttestationFixture);
        await expect(f.registry.connect(f.stranger).minimumStakeChanged())
          .to.be.revertedWithCustomError(f.registry, "AttestationOnlyNodeRegistry")
          .withArgs(f.stranger.address);
      });
    });

    describe("synced by anyone through nodeChanged", function () {
      it("only ever copy the node registry's truth, and emit nothing when it is unchanged", async function () {
        const f = await loadFixture(deployAttestationFixture);
        await f.system.jail(f.nodeA.address);
        await expect(f.registry.connect(f.stranger).nodeChanged(f.nodeA.address)).not.to.emit(
          f.registry,
          "NodeRecordSynced",
        );
        expect(await f.registry.getNodeRecord(f.nodeA.address)).to.deep.equal([
          f.nodeA.signer.address,
          false,
          true,
          0n,
          0n,
        ]);
        await expect(submitA(f))
          .to.be.revertedWithCustomError(f.registry, "AttestationNodeNotActive")
          .withArgs(f.nodeA.address);
      });

      it("revert on a registry the node registry is not bound to", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const { unbound } = await deployUnboundRegistry(f);
        await expect(unbound.nodeChanged(f.nodeA.address))
          .to.be.revertedWithCustomError(unbound, "AttestationRegistryNotBound")
          .withArgs(await f.nodeRegistry.getAddress(), await f.registry.getAddress());
      });
    });

    it("are made on first use for a node registered before the binding", async function () {
      const f = await loadFixture(deployLateBindingFixture);
      expect(await f.registry.getNodeRecord(f.nodeA.address)).to.deep.equal([ethers.ZeroAddress, false, false, 0n, 0n]);
      const receipt = makeReceipt(f.nodeA.address, f.modelA.id);
      await expect(f.registry.submitReceipt(receipt, await signReceiptEthers(f.signer, f.domain, receipt)))
        .to.emit(f.registry, "NodeRecordSynced")
        .withArgs(f.nodeA.address, f.signer.address, true)
        .and.to.emit(f.registry, "ModelRecordSynced")
        .withArgs(f.modelA.id, true);
      expect(await f.registry.getNodeRecord(f.nodeA.address)).to.deep.equal([f.signer.address, true, true, 0n, 0n]);
    });

    it("are made on first use by a batch too, which then advances the sequence", async function () {
      const f = await loadFixture(deployLateBindingFixture);
      const batch = batchOf(f.nodeA.address, f.modelA.id, 1n);
      await expect(f.registry.submitBatch(batch, await signBatchEthers(f.signer, f.domain, batch)))
        .to.emit(f.registry, "NodeRecordSynced")
        .withArgs(f.nodeA.address, f.signer.address, true);
      expect(await f.registry.getNodeRecord(f.nodeA.address)).to.deep.equal([f.signer.address, true, true, 1n, 0n]);
    });
  });

  describe("model records", function () {
    it("are copied on first use for a model registered before the binding", async function () {
      const f = await loadFixture(deployAttestationFixture);
      expect(await f.registry.getModelRecord(f.otherModelId)).to.equal(BigInt(ModelRecord.Unsynced));
      const receipt = makeReceipt(f.nodeA.address, f.otherModelId);
      await expect(submitA(f, receipt)).to.emit(f.registry, "ModelRecordSynced").withArgs(f.otherModelId, true);
      expect(await f.registry.getModelRecord(f.otherModelId)).to.equal(BigInt(ModelRecord.Active));
      await expect(submitA(f, makeReceipt(f.nodeA.address, f.otherModelId))).not.to.emit(
        f.registry,
        "ModelRecordSynced",
      );
    });

    it("are made when a model registers after the binding", async function () {
      const f = await loadFixture(deployAttestationFixture);
      const model = modelRegistration("model-after-binding");
      await expect(f.modelRegistry.connect(f.modelOwner).registerModel(model))
        .to.emit(f.registry, "ModelRecordSynced")
        .withArgs(model.id, true);
      expect(await f.registry.getModelRecord(model.id)).to.equal(BigInt(ModelRecord.Active));
    });

    it("follow a deprecation at once, synced or not", async function () {
      const f = await loadFixture(deployAttestationFixture);
      await submitA(f);
      for (const id of [f.modelId, f.otherModelId]) {
        await expect(f.modelRegistry.connect(f.modelOwner).deprecateModel(id))
          .to.emit(f.registry, "ModelRecordSynced")
          .withArgs(id, false);
        expect(await f.registry.getModelRecord(id)).to.equal(BigInt(ModelRecord.Inactive));
        await expect(submitA(f, makeReceipt(f.nodeA.address, id)))
          .to.be.revertedWithCustomError(f.registry, "AttestationModelNotActive")
          .withArgs(id);
      }
    });

    it("keep an unknown model inactive once copied, until it registers", async function () {
      const f = await loadFixture(deployAttestationFixture);
      const model = modelRegistration("model-registered-later");
      await expect(f.registry.connect(f.stranger).modelChanged(model.id))
        .to.emit(f.registry, "ModelRecordSynced")
        .withArgs(model.id, false);
      await expect(submitA(f, makeReceipt(f.nodeA.address, model.id)))
        .to.be.revertedWithCustomError(f.registry, "AttestationModelNotActive")
        .withArgs(model.id);
      await f.modelRegistry.connect(f.modelOwner).registerModel(model);
      await expect(submitA(f, makeReceipt(f.nodeA.address, model.id))).to.emit(f.registry, "ReceiptSubmitted");
    });

    it("are synced by anyone through modelChanged, which emits nothing when the copy is unchanged", async function () {
      const f = await loadFixture(deployAttestationFixture);
      await expect(f.registry.connect(f.stranger).modelChanged(f.modelId))
        .to.emit(f.registry, "ModelRecordSynced")
        .withArgs(f.modelId, true);
      await expect(f.registry.connect(f.stranger).modelChanged(f.modelId)).not.to.emit(f.registry, "ModelRecordSynced");
      expect(await f.registry.getModelRecord(f.modelId)).to.equal(BigInt(ModelRecord.Active));
    });

    it("revert modelChanged on a registry the model registry is not bound to", async function () {
      const f = await loadFixture(deployAttestationFixture);
      const { unbound } = await deployUnboundRegistry(f);
      await expect(unbound.modelChanged(f.modelId))
        .to.be.revertedWithCustomError(unbound, "AttestationRegistryNotBound")
        .withArgs(await f.modelRegistry.getAddress(), await f.registry.getAddress());
    });
  });

  describe("on a registry the registries are not bound to", function () {
    it("read node and model status live on every submission and copy nothing", async function () {
      const f = await loadFixture(deployAttestationFixture);
      const { unbound, domain } = await deployUnboundRegistry(f);
      const receipt = makeReceipt(f.nodeA.address, f.modelId);
      await expect(unbound.submitReceipt(receipt, await signReceiptEthers(f.nodeA.signer, domain, receipt)))
        .to.emit(unbound, "ReceiptSubmitted")
        .and.not.to.emit(unbound, "NodeRecordSynced");
      expect(await unbound.getNodeRecord(f.nodeA.address)).to.deep.equal([ethers.ZeroAddress, false, false, 0n, 0n]);
      expect(await unbound.getModelRecord(f.modelId)).to.equal(BigInt(ModelRecord.Unsynced));

      const batch = batchOf(f.nodeA.address, f.modelId, 1n);
      await unbound.submitBatch(batch, await signBatchEthers(f.nodeA.signer, domain, batch));
      expect(await unbound.getNodeRecord(f.nodeA.address)).to.deep.equal([ethers.ZeroAddress, false, false, 1n, 0n]);

      await f.system.jail(f.nodeA.address);
      const next = makeReceipt(f.nodeA.address, f.modelId);
      await expect(unbound.submitReceipt(next, await signReceiptEthers(f.nodeA.signer, domain, next)))
        .to.be.revertedWithCustomError(unbound, "AttestationNodeNotActive")
        .withArgs(f.nodeA.address);
      await f.system.deprecateModel(f.modelId);
      const nodeB = makeReceipt(f.nodeB.address, f.modelId);
      await expect(unbound.submitReceipt(nodeB, await signReceiptEthers(f.nodeB.signer, domain, nodeB)))
        .to.be.revertedWithCustomError(unbound, "AttestationModelNotActive")
        .withArgs(f.modelId);
    });
  });
});
