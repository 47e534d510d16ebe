import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyUint } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { deployRegistryFixture, modelRegistration, Role } from "../fixtures/registry";
import { MINIMUM_STAKE, UNBONDING_PERIOD } from "../fixtures/staking";

const ENDPOINT = "https://node-a.example:8443";

/** The registry fixture with nodeA registered (inference, models A and B) and staked at twice the minimum. */
async function registeredNodeFixture() {
  const fixture = await deployRegistryFixture();
  const { nodeRegistry, staking, nodeA, signerA, modelA, modelB } = fixture;
  await nodeRegistry.connect(nodeA).registerNode(signerA.address, ENDPOINT, Role.Inference, [modelA.id, modelB.id]);
  await staking.connect(nodeA).stake(MINIMUM_STAKE * 2n);
  return fixture;
}

describe("NodeRegistry", function () {
  describe("deployment", function () {
    it("reverts for zero addresses", async function () {
      const { modelRegistry, staking, admin, nodeRegistry } = await loadFixture(deployRegistryFixture);
      const factory = await ethers.getContractFactory("NodeRegistry");
      for (const args of [
        [ethers.ZeroAddress, await staking.getAddress(), admin.address],
        [await modelRegistry.getAddress(), ethers.ZeroAddress, admin.address],
        [await modelRegistry.getAddress(), await staking.getAddress(), ethers.ZeroAddress],
      ] as const) {
        await expect(factory.deploy(...args))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryZeroAddress")
          .withArgs();
      }
    });
  });

  describe("registerNode", function () {
    it("records the node, reverse-maps the signer and emits NodeRegistered", async function () {
      const { nodeRegistry, nodeA, signerA, modelA } = await loadFixture(deployRegistryFixture);
      await expect(nodeRegistry.connect(nodeA).registerNode(signerA.address, ENDPOINT, Role.Inference, [modelA.id]))
        .to.emit(nodeRegistry, "NodeRegistered")
        .withArgs(nodeA.address, signerA.address, Role.Inference, ENDPOINT, [modelA.id]);
      const node = await nodeRegistry.getNode(nodeA.address);
      expect(node.signer).to.equal(signerA.address);
      expect(node.registered).to.equal(true);
      expect(node.jailed).to.equal(false);
      expect(node.registeredAt).to.equal(await time.latest());
      expect(node.endpoint).to.equal(ENDPOINT);
      expect(node.models).to.deep.equal([modelA.id]);
      expect(await nodeRegistry.signerOf(nodeA.address)).to.equal(signerA.address);
      expect(await nodeRegistry.nodeOfSigner(signerA.address)).to.equal(nodeA.address);
      expect(await nodeRegistry.servesModel(nodeA.address, modelA.id)).to.equal(true);
    });

    it("is not active without the minimum stake, and active with it", async function () {
      const { nodeRegistry, staking, nodeA, signerA, modelA } = await loadFixture(deployRegistryFixture);
      await nodeRegistry.connect(nodeA).registerNode(signerA.address, ENDPOINT, Role.Inference, [modelA.id]);
      expect(await nodeRegistry.isActive(nodeA.address)).to.equal(false);
      await staking.connect(nodeA).stake(MINIMUM_STAKE);
      expect(await nodeRegistry.isActive(nodeA.address)).to.equal(true);
    });

    it("counts stake made before registration once the node registers", async function () {
      const { nodeRegistry, staking, nodeA, signerA, modelA } = await loadFixture(deployRegistryFixture);
      await staking.connect(nodeA).stake(MINIMUM_STAKE);
      await expect(nodeRegistry.connect(nodeA).registerNode(signerA.address, ENDPOINT, Role.Inference, [modelA.id]))
        .to.emit(nodeRegistry, "SortitionWeightChanged")
        .withArgs(nodeA.address, MINIMUM_STAKE);
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(MINIMUM_STAKE);
    });

    describe("reverts", function () {
      it("for a zero signer", async function () {
        const { nodeRegistry, nodeA, modelA } = await loadFixture(deployRegistryFixture);
        await expect(
          nodeRegistry.connect(nodeA).registerNode(ethers.ZeroAddress, ENDPOINT, Role.Inference, [modelA.id]),
        )
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryZeroSigner")
          .withArgs();
      });

      it("for an empty endpoint", async function () {
        const { nodeRegistry, nodeA, signerA, modelA } = await loadFixture(deployRegistryFixture);
        await expect(nodeRegistry.connect(nodeA).registerNode(signerA.address, "", Role.Inference, [modelA.id]))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryEmptyEndpoint")
          .withArgs();
      });

      it("for an endpoint over MAX_ENDPOINT_LENGTH bytes, and accepts one of exactly that length", async function () {
        const { nodeRegistry, nodeA, signerA, modelA } = await loadFixture(deployRegistryFixture);
        const max = Number(await nodeRegistry.MAX_ENDPOINT_LENGTH());
        expect(max).to.equal(512);
        await expect(
          nodeRegistry.connect(nodeA).registerNode(signerA.address, "x".repeat(max + 1), Role.Inference, [modelA.id]),
        )
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryEndpointTooLong")
          .withArgs(max + 1, max);
        await nodeRegistry.connect(nodeA).registerNode(signerA.address, "x".repeat(max), Role.Inference, [modelA.id]);
        await expect(nodeRegistry.connect(nodeA).updateEndpoint("y".repeat(max + 1)))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryEndpointTooLong")
          .withArgs(max + 1, max);
      });

      it("for a signer another node uses", async function () {
        const { nodeRegistry, nodeB, signerA, modelA } = await loadFixture(registeredNodeFixture);
        await expect(nodeRegistry.connect(nodeB).registerNode(signerA.address, ENDPOINT, Role.Inference, [modelA.id]))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistrySignerInUse")
          .withArgs(signerA.address);
        expect((await nodeRegistry.getNode(nodeB.address)).registered).to.equal(false);
      });

      it("for an operator already registered", async function () {
        const { nodeRegistry, nodeA, signerB, modelA } = await loadFixture(registeredNodeFixture);
        await expect(nodeRegistry.connect(nodeA).registerNode(signerB.address, ENDPOINT, Role.Inference, [modelA.id]))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryAlreadyRegistered")
          .withArgs(nodeA.address);
      });

      it("for an unknown or deprecated model", async function () {
        const { nodeRegistry, modelRegistry, modelOwner, nodeA, signerA, modelA } =
          await loadFixture(deployRegistryFixture);
        const unknown = ethers.id("unknown");
        await expect(nodeRegistry.connect(nodeA).registerNode(signerA.address, ENDPOINT, Role.Inference, [unknown]))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryModelNotActive")
          .withArgs(unknown);
        await modelRegistry.connect(modelOwner).deprecateModel(modelA.id);
        await expect(nodeRegistry.connect(nodeA).registerNode(signerA.address, ENDPOINT, Role.Inference, [modelA.id]))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryModelNotActive")
          .withArgs(modelA.id);
      });

      it("for a duplicate model", async function () {
        const { nodeRegistry, nodeA, signerA, modelA } = await loadFixture(deployRegistryFixture);
        await expect(
          nodeRegistry.connect(nodeA).registerNode(signerA.address, ENDPOINT, Role.Inference, [modelA.id, modelA.id]),
        )
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryDuplicateModel")
          .withArgs(modelA.id);
      });

      it("for more than MAX_MODELS models", async function () {
        const { nodeRegistry, modelRegistry, modelOwner, nodeA, signerA } = await loadFixture(deployRegistryFixture);
        const max = Number(await nodeRegistry.MAX_MODELS());
        const ids: string[] = [];
        for (let i = 0; i <= max; i++) {
          const registration = modelRegistration(`bulk-${i}`);
          await modelRegistry.connect(modelOwner).registerModel(registration);
          ids.push(registration.id);
        }
        await expect(nodeRegistry.connect(nodeA).registerNode(signerA.address, ENDPOINT, Role.Inference, ids))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryTooManyModels")
          .withArgs(max + 1, max);
        await nodeRegistry.connect(nodeA).registerNode(signerA.address, ENDPOINT, Role.Inference, ids.slice(0, max));
      });
    });
  });

  describe("rotateSigner", function () {
    it("switches the signer and frees the reverse mapping", async function () {
      const { nodeRegistry, nodeA, signerA, newSigner } = await loadFixture(registeredNodeFixture);
      await expect(nodeRegistry.connect(nodeA).rotateSigner(newSigner.address))
        .to.emit(nodeRegistry, "SignerRotated")
        .withArgs(nodeA.address, signerA.address, newSigner.address);
      expect(await nodeRegistry.signerOf(nodeA.address)).to.equal(newSigner.address);
      expect(await nodeRegistry.nodeOfSigner(newSigner.address)).to.equal(nodeA.address);
      expect(await nodeRegistry.nodeOfSigner(signerA.address)).to.equal(ethers.ZeroAddress);
    });

    describe("reverts", function () {
      it("for an old signer, even the node's own, after rotation", async function () {
        const { nodeRegistry, nodeA, nodeB, signerA, newSigner, modelA } = await loadFixture(registeredNodeFixture);
        await nodeRegistry.connect(nodeA).rotateSigner(newSigner.address);
        await expect(nodeRegistry.connect(nodeA).rotateSigner(signerA.address))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistrySignerInUse")
          .withArgs(signerA.address);
        await expect(nodeRegistry.connect(nodeB).registerNode(signerA.address, ENDPOINT, Role.Inference, [modelA.id]))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistrySignerInUse")
          .withArgs(signerA.address);
      });

      it("for a zero signer", async function () {
        const { nodeRegistry, nodeA } = await loadFixture(registeredNodeFixture);
        await expect(nodeRegistry.connect(nodeA).rotateSigner(ethers.ZeroAddress))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryZeroSigner")
          .withArgs();
      });

      it("for anyone but the registered operator", async function () {
        const { nodeRegistry, other, newSigner } = await loadFixture(registeredNodeFixture);
        await expect(nodeRegistry.connect(other).rotateSigner(newSigner.address))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryNotRegistered")
          .withArgs(other.address);
      });
    });
  });

  describe("updateEndpoint", function () {
    it("replaces the endpoint", async function () {
      const { nodeRegistry, nodeA } = await loadFixture(registeredNodeFixture);
      await expect(nodeRegistry.connect(nodeA).updateEndpoint("https://new.example"))
        .to.emit(nodeRegistry, "EndpointUpdated")
        .withArgs(nodeA.address, "https://new.example");
      expect((await nodeRegistry.getNode(nodeA.address)).endpoint).to.equal("https://new.example");
    });

    describe("reverts", function () {
      it("for an empty endpoint", async function () {
        const { nodeRegistry, nodeA } = await loadFixture(registeredNodeFixture);
        await expect(nodeRegistry.connect(nodeA).updateEndpoint(""))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryEmptyEndpoint")
          .withArgs();
      });

      it("for someone else", async function () {
        const { nodeRegistry, other } = await loadFixture(registeredNodeFixture);
        await expect(nodeRegistry.connect(other).updateEndpoint("https://evil.example"))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryNotRegistered")
          .withArgs(other.address);
      });
    });
  });

  describe("updateModels", function () {
    it("moves the node's weight from the old models to the new ones", async function () {
      const { nodeRegistry, modelRegistry, modelOwner, nodeA, modelA, modelB } =
        await loadFixture(registeredNodeFixture);
      const modelC = modelRegistration("model-c");
      await modelRegistry.connect(modelOwner).registerModel(modelC);
      await expect(nodeRegistry.connect(nodeA).updateModels([modelB.id, modelC.id]))
        .to.emit(nodeRegistry, "ModelsUpdated")
        .withArgs(nodeA.address, [modelB.id, modelC.id]);
      expect(await nodeRegistry.servesModel(nodeA.address, modelA.id)).to.equal(false);
      expect(await nodeRegistry.servesModel(nodeA.address, modelC.id)).to.equal(true);
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(0n);
      expect(await nodeRegistry.totalModelWeight(modelB.id)).to.equal(MINIMUM_STAKE * 2n);
      expect(await nodeRegistry.totalModelWeight(modelC.id)).to.equal(MINIMUM_STAKE * 2n);
      expect(await nodeRegistry.drawNode(modelC.id, 12345n)).to.equal(nodeA.address);
    });

    it("can empty the list", async function () {
      const { nodeRegistry, nodeA, modelA } = await loadFixture(registeredNodeFixture);
      await nodeRegistry.connect(nodeA).updateModels([]);
      expect((await nodeRegistry.getNode(nodeA.address)).models).to.deep.equal([]);
      expect(await nodeRegistry.sortitionWeightOf(nodeA.address)).to.equal(0n);
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(0n);
    });

    describe("reverts", function () {
      it("for someone else", async function () {
        const { nodeRegistry, other, modelA } = await loadFixture(registeredNodeFixture);
        await expect(nodeRegistry.connect(other).updateModels([modelA.id]))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryNotRegistered")
          .withArgs(other.address);
      });

      it("for a deprecated model", async function () {
        const { nodeRegistry, modelRegistry, modelOwner, nodeA, modelB } = await loadFixture(registeredNodeFixture);
        await modelRegistry.connect(modelOwner).deprecateModel(modelB.id);
        await expect(nodeRegistry.connect(nodeA).updateModels([modelB.id]))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryModelNotActive")
          .withArgs(modelB.id);
      });
    });
  });

  describe("deregisterNode", function () {
    it("removes a node with no stake left, which may then register again", async function () {
      const { nodeRegistry, staking, nodeA, signerA, newSigner, modelA } = await loadFixture(registeredNodeFixture);
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE * 2n);
      await time.increase(UNBONDING_PERIOD);
      await staking.connect(nodeA).withdraw();
      await expect(nodeRegistry.connect(nodeA).deregisterNode())
        .to.emit(nodeRegistry, "NodeDeregistered")
        .withArgs(nodeA.address);
      expect((await nodeRegistry.getNode(nodeA.address)).registered).to.equal(false);
      expect(await nodeRegistry.signerOf(nodeA.address)).to.equal(ethers.ZeroAddress);
      expect(await nodeRegistry.nodeOfSigner(signerA.address)).to.equal(ethers.ZeroAddress);
      expect(await nodeRegistry.servesModel(nodeA.address, modelA.id)).to.equal(false);
      await expect(nodeRegistry.connect(nodeA).registerNode(signerA.address, ENDPOINT, Role.Inference, [modelA.id]))
        .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistrySignerInUse")
        .withArgs(signerA.address);
      await nodeRegistry.connect(nodeA).registerNode(newSigner.address, ENDPOINT, Role.Verifier, [modelA.id]);
    });

    describe("reverts", function () {
      it("while stake is active", async function () {
        const { nodeRegistry, nodeA } = await loadFixture(registeredNodeFixture);
        await expect(nodeRegistry.connect(nodeA).deregisterNode())
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryStakeRemaining")
          .withArgs(nodeA.address, MINIMUM_STAKE * 2n, 0n);
      });

      it("while stake is unbonding (it stays slashable)", async function () {
        const { nodeRegistry, staking, nodeA } = await loadFixture(registeredNodeFixture);
        await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE * 2n);
        await expect(nodeRegistry.connect(nodeA).deregisterNode())
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryStakeRemaining")
          .withArgs(nodeA.address, MINIMUM_STAKE * 2n, 0n);
      });

      it("while stake is locked by a dispute", async function () {
        const { nodeRegistry, staking, disputer, nodeA } = await loadFixture(registeredNodeFixture);
        await staking.connect(disputer).lock(nodeA.address, MINIMUM_STAKE);
        await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE * 2n);
        await time.increase(UNBONDING_PERIOD);
        await expect(nodeRegistry.connect(nodeA).deregisterNode())
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryStakeRemaining")
          .withArgs(nodeA.address, MINIMUM_STAKE * 2n, MINIMUM_STAKE);
      });

      it("for an unregistered operator", async function () {
        const { nodeRegistry, other } = await loadFixture(registeredNodeFixture);
        await expect(nodeRegistry.connect(other).deregisterNode())
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryNotRegistered")
          .withArgs(other.address);
      });
    });
  });

  describe("jail and unjail", function () {
    it("jailing deactivates the node and takes it out of every draw; unjailing restores both", async function () {
      const { nodeRegistry, disputer, nodeA, modelA } = await loadFixture(registeredNodeFixture);
      await expect(nodeRegistry.connect(disputer).jail(nodeA.address))
        .to.emit(nodeRegistry, "NodeJailed")
        .withArgs(nodeA.address)
        .and.to.emit(nodeRegistry, "SortitionWeightChanged")
        .withArgs(nodeA.address, 0n);
      expect(await nodeRegistry.isActive(nodeA.address)).to.equal(false);
      expect(await nodeRegistry.sortitionWeightOf(nodeA.address)).to.equal(0n);
      // The jail writes no model tree: the stale weight stays until cleared, and draws land on nobody.
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(MINIMUM_STAKE * 2n);
      expect(await nodeRegistry.drawNode(modelA.id, 1n)).to.equal(ethers.ZeroAddress);
      await expect(nodeRegistry.connect(disputer).unjail(nodeA.address))
        .to.emit(nodeRegistry, "NodeUnjailed")
        .withArgs(nodeA.address)
        .and.to.emit(nodeRegistry, "SortitionWeightChanged")
        .withArgs(nodeA.address, MINIMUM_STAKE * 2n);
      expect(await nodeRegistry.isActive(nodeA.address)).to.equal(true);
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(MINIMUM_STAKE * 2n);
      expect(await nodeRegistry.drawNode(modelA.id, 1n)).to.equal(nodeA.address);
    });

    it("jailing a node already jailed is a no-op returning false, so slashers call it unconditionally", async function () {
      const { nodeRegistry, disputer, nodeA } = await loadFixture(registeredNodeFixture);
      expect(await nodeRegistry.connect(disputer).jail.staticCall(nodeA.address)).to.equal(true);
      await nodeRegistry.connect(disputer).jail(nodeA.address);
      expect(await nodeRegistry.connect(disputer).jail.staticCall(nodeA.address)).to.equal(false);
      await expect(nodeRegistry.connect(disputer).jail(nodeA.address)).not.to.emit(nodeRegistry, "NodeJailed");
      expect((await nodeRegistry.getNode(nodeA.address)).jailed).to.equal(true);
    });

    describe("reverts", function () {
      it("for accounts without the dispute role, the node itself included", async function () {
        const { nodeRegistry, disputer, nodeA, other } = await loadFixture(registeredNodeFixture);
        const role = await nodeRegistry.DISPUTE_ROLE();
        for (const caller of [other, nodeA]) {
          await expect(nodeRegistry.connect(caller).jail(nodeA.address))
            .to.be.revertedWithCustomError(nodeRegistry, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, role);
        }
        await nodeRegistry.connect(disputer).jail(nodeA.address);
        for (const caller of [other, nodeA]) {
          await expect(nodeRegistry.connect(caller).unjail(nodeA.address))
            .to.be.revertedWithCustomError(nodeRegistry, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, role);
        }
      });

      it("unjail, when not jailed", async function () {
        const { nodeRegistry, disputer, nodeA } = await loadFixture(registeredNodeFixture);
        await expect(nodeRegistry.connect(disputer).unjail(nodeA.address))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryNotJailed")
          .withArgs(nodeA.address);
      });

      it("for the zero address", async function () {
        const { nodeRegistry, disputer } = await loadFixture(registeredNodeFixture);
        await expect(nodeRegistry.connect(disputer).jail(ethers.ZeroAddress))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryZeroAddress")
          .withArgs();
      });

      it("for the admin, who must grant the dispute role first", async function () {
        const { nodeRegistry, admin, nodeA } = await loadFixture(registeredNodeFixture);
        const role = await nodeRegistry.DISPUTE_ROLE();
        await expect(nodeRegistry.connect(admin).jail(nodeA.address))
          .to.be.revertedWithCustomError(nodeRegistry, "AccessControlUnauthorizedAccount")
          .withArgs(admin.address, role);
        await nodeRegistry.connect(admin).grantRole(role, admin.address);
        await expect(nodeRegistry.connect(admin).jail(nodeA.address)).to.emit(nodeRegistry, "NodeJailed");
      });

      it("for a non-admin granting the dispute role", async function () {
        const { nodeRegistry, other } = await loadFixture(registeredNodeFixture);
        const role = await nodeRegistry.DISPUTE_ROLE();
        await expect(nodeRegistry.connect(other).grantRole(role, other.address))
          .to.be.revertedWithCustomError(nodeRegistry, "AccessControlUnauthorizedAccount")
          .withArgs(other.address, await nodeRegistry.DEFAULT_ADMIN_ROLE());
      });
    });
  });

  describe("sortition", function () {
    it("weights follow stake changes pushed by Staking", async function () {
      const { nodeRegistry, staking, nodeA, modelA } = await loadFixture(registeredNodeFixture);
      await expect(staking.connect(nodeA).stake(MINIMUM_STAKE))
        .to.emit(nodeRegistry, "SortitionWeightChanged")
        .withArgs(nodeA.address, MINIMUM_STAKE * 3n);
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE * 2n);
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(MINIMUM_STAKE);
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE);
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(0n);
    });

    it("a slash below the minimum takes the node out of sortition", async function () {
      const { nodeRegistry, staking, disputer, nodeA, modelB } = await loadFixture(registeredNodeFixture);
      await staking.connect(disputer).slash(nodeA.address, MINIMUM_STAKE + 1n, [], []);
      expect(await nodeRegistry.isActive(nodeA.address)).to.equal(false);
      expect(await nodeRegistry.totalModelWeight(modelB.id)).to.equal(0n);
    });

    it("draws verifiers by stake, excluding inference nodes", async function () {
      const { nodeRegistry, staking, verifierA, verifierB, signerB, signerC, modelA } =
        await loadFixture(registeredNodeFixture);
      await nodeRegistry.connect(verifierA).registerNode(signerB.address, ENDPOINT, Role.Verifier, [modelA.id]);
      await nodeRegistry.connect(verifierB).registerNode(signerC.address, ENDPOINT, Role.Verifier, [modelA.id]);
      await staking.connect(verifierA).stake(MINIMUM_STAKE);
      await staking.connect(verifierB).stake(MINIMUM_STAKE * 3n);
      expect(await nodeRegistry.totalVerifierWeight()).to.equal(MINIMUM_STAKE * 4n);
      expect(await nodeRegistry.sortitionWeightOf(verifierB.address)).to.equal(MINIMUM_STAKE * 3n);
      expect(await nodeRegistry.drawVerifier(0n)).to.equal(verifierA.address);
      expect(await nodeRegistry.drawVerifier(MINIMUM_STAKE - 1n)).to.equal(verifierA.address);
      expect(await nodeRegistry.drawVerifier(MINIMUM_STAKE)).to.equal(verifierB.address);
      expect(await nodeRegistry.drawVerifier(MINIMUM_STAKE * 4n)).to.equal(verifierA.address);
    });

    it("syncWeight applies a raised minimum stake; it needs a registered node", async function () {
      const { nodeRegistry, staking, nodeA, other, modelA } = await loadFixture(registeredNodeFixture);
      await staking.setMinimumStake(MINIMUM_STAKE * 3n);
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(MINIMUM_STAKE * 2n);
      await expect(nodeRegistry.connect(other).syncWeight(nodeA.address))
        .to.emit(nodeRegistry, "SortitionWeightChanged")
        .withArgs(nodeA.address, 0n);
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(0n);
      await expect(nodeRegistry.syncWeight(other.address))
        .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryNotRegistered")
        .withArgs(other.address);
    });

    it("stake changes of unregistered accounts are ignored", async function () {
      const { staking, nodeB, nodeRegistry } = await loadFixture(registeredNodeFixture);
      await expect(staking.connect(nodeB).stake(MINIMUM_STAKE)).not.to.emit(nodeRegistry, "SortitionWeightChanged");
    });

    it("reverts stakeChanged from anyone but Staking", async function () {
      const { nodeRegistry, nodeA, other } = await loadFixture(registeredNodeFixture);
      await expect(nodeRegistry.connect(other).stakeChanged(nodeA.address))
        .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryOnlyStaking")
        .withArgs(other.address);
    });

    it("reverts draws when nobody has weight", async function () {
      const { nodeRegistry, modelA } = await loadFixture(deployRegistryFixture);
      await expect(nodeRegistry.drawVerifier(1n))
        .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryNoWeight")
        .withArgs();
      await expect(nodeRegistry.drawNode(modelA.id, 1n))
        .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryNoWeight")
        .withArgs();
    });
  });
  describe("history", function () {
    it("reads weights, totals and draws as of the end of a past block, whatever changed since", async function () {
      const { nodeRegistry, staking, nodeA, verifierA, verifierB, signerB, signerC, modelA } =
        await loadFixture(registeredNodeFixture);
      await nodeRegistry.connect(verifierA).registerNode(signerB.address, ENDPOINT, Role.Verifier, [modelA.id]);
      await nodeRegistry.connect(verifierB).registerNode(signerC.address, ENDPOINT, Role.Verifier, [modelA.id]);
      await staking.connect(verifierA).stake(MINIMUM_STAKE);
      await staking.connect(verifierB).stake(MINIMUM_STAKE * 3n);
      const fixed = await ethers.provider.getBlockNumber();
      await staking.connect(verifierA).stake(MINIMUM_STAKE * 10n);
      await staking.connect(verifierB).requestUnstake(MINIMUM_STAKE * 3n);
      expect(await nodeRegistry.totalVerifierWeight()).to.equal(MINIMUM_STAKE * 11n);
      expect(await nodeRegistry.totalVerifierWeightAt(fixed)).to.equal(MINIMUM_STAKE * 4n);
      expect(await nodeRegistry.verifierWeightAt(verifierA.address, fixed)).to.equal(MINIMUM_STAKE);
      expect(await nodeRegistry.verifierWeightAt(verifierB.address, fixed)).to.equal(MINIMUM_STAKE * 3n);
      expect(await nodeRegistry.drawVerifierAt(MINIMUM_STAKE, fixed)).to.equal(verifierB.address);
      expect(await nodeRegistry.drawVerifier(MINIMUM_STAKE)).to.equal(verifierA.address);
      expect(await nodeRegistry.totalModelWeightAt(modelA.id, fixed)).to.equal(MINIMUM_STAKE * 2n);
      expect(await nodeRegistry.drawNodeAt(modelA.id, 5n, fixed)).to.equal(nodeA.address);
    });

    it("keeps each node's signer by block: registration, rotation and deregistration", async function () {
      const { nodeRegistry, staking, nodeA, signerA, newSigner } = await loadFixture(registeredNodeFixture);
      const registered = await ethers.provider.getBlockNumber();
      await nodeRegistry.connect(nodeA).rotateSigner(newSigner.address);
      const rotated = await ethers.provider.getBlockNumber();
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE * 2n);
      await time.increase(UNBONDING_PERIOD);
      await staking.connect(nodeA).withdraw();
      await nodeRegistry.connect(nodeA).deregisterNode();
      const gone = await ethers.provider.getBlockNumber();
      await ethers.provider.send("evm_mine", []);
      expect(await nodeRegistry.signerAt(nodeA.address, registered - 2)).to.equal(ethers.ZeroAddress);
      expect(await nodeRegistry.signerAt(nodeA.address, registered)).to.equal(signerA.address);
      expect(await nodeRegistry.signerAt(nodeA.address, rotated - 1)).to.equal(signerA.address);
      expect(await nodeRegistry.signerAt(nodeA.address, rotated)).to.equal(newSigner.address);
      expect(await nodeRegistry.signerAt(nodeA.address, gone)).to.equal(ethers.ZeroAddress);
    });

    it("forwards a change of the minimum stake from Staking to the node observer", async function () {
      const { nodeRegistry, staking, admin } = await loadFixture(registeredNodeFixture);
      const observer = await ethers.deployContract("NodeObserverMock");
      await nodeRegistry.connect(admin).setNodeObserver(await observer.getAddress());
      await expect(staking.setMinimumStake(MINIMUM_STAKE * 3n)).to.emit(observer, "MinimumStakeChangeObserved");
    });

    describe("reverts", function () {
      it("for a lookup at the current block or later", async function () {
        const { nodeRegistry, nodeA, modelA } = await loadFixture(registeredNodeFixture);
        const next = (await ethers.provider.getBlockNumber()) + 1;
        for (const call of [
          nodeRegistry.totalVerifierWeightAt(next),
          nodeRegistry.totalModelWeightAt(modelA.id, next),
          nodeRegistry.verifierWeightAt(nodeA.address, next),
          nodeRegistry.drawVerifierAt(0n, next),
          nodeRegistry.drawNodeAt(modelA.id, 0n, next),
          nodeRegistry.signerAt(nodeA.address, next),
        ]) {
          // The current block of an eth_call is the node's choice (Hardhat: the latest mined one); only the queried
          // block is checked here.
          await expect(call)
            .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryFutureLookup")
            .withArgs(next, anyUint);
        }
      });

      it("for a draw at a block when nobody had weight", async function () {
        const { nodeRegistry, modelA } = await loadFixture(deployRegistryFixture);
        const past = (await ethers.provider.getBlockNumber()) - 1;
        await expect(nodeRegistry.drawVerifierAt(1n, past))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryNoWeight")
          .withArgs();
        await expect(nodeRegistry.drawNodeAt(modelA.id, 1n, past))
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryNoWeight")
          .withArgs();
      });

      it("minimumStakeChanged from anyone but Staking", async function () {
        const { nodeRegistry, other } = await loadFixture(registeredNodeFixture);
        await expect(nodeRegistry.connect(other).minimumStakeChanged())
          .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryOnlyStaking")
          .withArgs(other.address);
      });
    });
  });

  describe("views", function () {
    it("report an unknown node as empty and inactive", async function () {
      const { nodeRegistry, other, modelA } = await loadFixture(deployRegistryFixture);
      const node = await nodeRegistry.getNode(other.address);
      expect(node.signer).to.equal(ethers.ZeroAddress);
      expect(node.registered).to.equal(false);
      expect(node.endpoint).to.equal("");
      expect(node.models).to.deep.equal([]);
      expect(await nodeRegistry.isActive(other.address)).to.equal(false);
      expect(await nodeRegistry.servesModel(other.address, modelA.id)).to.equal(false);
      expect(await nodeRegistry.sortitionWeightOf(other.address)).to.equal(0n);
      expect(await nodeRegistry.MAX_MODELS()).to.equal(32n);
    });
  });

  describe("signer uniqueness", function () {
    it("rejects another node's current signer on rotation", async function () {
      const { nodeRegistry, nodeA, nodeB, signerA, signerB, modelA } = await loadFixture(registeredNodeFixture);
      await nodeRegistry.connect(nodeB).registerNode(signerB.address, ENDPOINT, Role.Inference, [modelA.id]);
      await expect(nodeRegistry.connect(nodeB).rotateSigner(signerA.address))
        .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistrySignerInUse")
        .withArgs(signerA.address);
      expect(await nodeRegistry.nodeOfSigner(signerA.address)).to.equal(nodeA.address);
    });

    it("rejects rotating to the node's own current signer", async function () {
      const { nodeRegistry, nodeA, signerA } = await loadFixture(registeredNodeFixture);
      await expect(nodeRegistry.connect(nodeA).rotateSigner(signerA.address))
        .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistrySignerInUse")
        .withArgs(signerA.address);
    });

    it("rejects a deregistered node's signer for anyone", async function () {
      const { nodeRegistry, nodeB, signerB, modelA } = await loadFixture(deployRegistryFixture);
      await nodeRegistry.connect(nodeB).registerNode(signerB.address, ENDPOINT, Role.Inference, [modelA.id]);
      await nodeRegistry.connect(nodeB).deregisterNode();
      await expect(nodeRegistry.connect(nodeB).registerNode(signerB.address, ENDPOINT, Role.Inference, [modelA.id]))
        .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistrySignerInUse")
        .withArgs(signerB.address);
    });
  });

  describe("updateModels reverts", function () {
    it("for a duplicate, an unknown model, or more than MAX_MODELS, leaving the old list in place", async function () {
      const { nodeRegistry, modelRegistry, modelOwner, nodeA, modelA, modelB } =
        await loadFixture(registeredNodeFixture);
      await expect(nodeRegistry.connect(nodeA).updateModels([modelB.id, modelB.id]))
        .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryDuplicateModel")
        .withArgs(modelB.id);
      const unknown = ethers.id("unknown");
      await expect(nodeRegistry.connect(nodeA).updateModels([unknown]))
        .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryModelNotActive")
        .withArgs(unknown);
      const ids: string[] = [];
      for (let i = 0; i < 33; i++) {
        const registration = modelRegistration(`many-${i}`);
        await modelRegistry.connect(modelOwner).registerModel(registration);
        ids.push(registration.id);
      }
      await expect(nodeRegistry.connect(nodeA).updateModels(ids))
        .to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryTooManyModels")
        .withArgs(33n, 32n);
      expect((await nodeRegistry.getNode(nodeA.address)).models).to.deep.equal([modelA.id, modelB.id]);
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(MINIMUM_STAKE * 2n);
    });
  });

  describe("jail across deregistration", function () {
    it("jails an address that is not registered, and the jail holds after it registers", async function () {
      const { nodeRegistry, staking, disputer, nodeB, signerB, modelA } = await loadFixture(deployRegistryFixture);
      await expect(nodeRegistry.connect(disputer).jail(nodeB.address))
        .to.emit(nodeRegistry, "NodeJailed")
        .withArgs(nodeB.address)
        .and.not.to.emit(nodeRegistry, "SortitionWeightChanged");
      await staking.connect(nodeB).stake(MINIMUM_STAKE);
      await nodeRegistry.connect(nodeB).registerNode(signerB.address, ENDPOINT, Role.Inference, [modelA.id]);
      expect((await nodeRegistry.getNode(nodeB.address)).jailed).to.equal(true);
      expect(await nodeRegistry.isActive(nodeB.address)).to.equal(false);
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(0n);
      await expect(nodeRegistry.connect(disputer).unjail(nodeB.address))
        .to.emit(nodeRegistry, "SortitionWeightChanged")
        .withArgs(nodeB.address, MINIMUM_STAKE);
    });

    it("a jailed node can't shed the jail by deregistering and registering again", async function () {
      const { nodeRegistry, staking, disputer, nodeA, newSigner, modelA } = await loadFixture(registeredNodeFixture);
      await nodeRegistry.connect(disputer).jail(nodeA.address);
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE * 2n);
      await time.increase(UNBONDING_PERIOD);
      await staking.connect(nodeA).withdraw();
      await nodeRegistry.connect(nodeA).deregisterNode();
      expect((await nodeRegistry.getNode(nodeA.address)).jailed).to.equal(true);
      await nodeRegistry.connect(nodeA).registerNode(newSigner.address, ENDPOINT, Role.Inference, [modelA.id]);
      await staking.connect(nodeA).stake(MINIMUM_STAKE);
      expect(await nodeRegistry.isActive(nodeA.address)).to.equal(false);
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(0n);
    });

    it("unjails a deregistered node", async function () {
      const { nodeRegistry, disputer, nodeB, signerB, modelA } = await loadFixture(deployRegistryFixture);
      await nodeRegistry.connect(nodeB).registerNode(signerB.address, ENDPOINT, Role.Inference, [modelA.id]);
      await nodeRegistry.connect(disputer).jail(nodeB.address);
      await nodeRegistry.connect(nodeB).deregisterNode();
      await expect(nodeRegistry.connect(disputer).unjail(nodeB.address))
        .to.emit(nodeRegistry, "NodeUnjailed")
        .withArgs(nodeB.address);
      expect((await nodeRegistry.getNode(nodeB.address)).jailed).to.equal(false);
    });
  });

  describe("sortition weight events", function () {
    it("updateModels reports only a real change of the node's weight", async function () {
      const { nodeRegistry, modelRegistry, modelOwner, nodeA, modelA, modelB } =
        await loadFixture(registeredNodeFixture);
      const modelC = modelRegistration("model-c");
      await modelRegistry.connect(modelOwner).registerModel(modelC);
      await expect(nodeRegistry.connect(nodeA).updateModels([modelC.id])).not.to.emit(
        nodeRegistry,
        "SortitionWeightChanged",
      );
      await expect(nodeRegistry.connect(nodeA).updateModels([]))
        .to.emit(nodeRegistry, "SortitionWeightChanged")
        .withArgs(nodeA.address, 0n);
      expect(await nodeRegistry.totalModelWeight(modelC.id)).to.equal(0n);
      await expect(nodeRegistry.connect(nodeA).updateModels([modelA.id, modelB.id]))
        .to.emit(nodeRegistry, "SortitionWeightChanged")
        .withArgs(nodeA.address, MINIMUM_STAKE * 2n);
      expect(await nodeRegistry.totalModelWeight(modelB.id)).to.equal(MINIMUM_STAKE * 2n);
    });

    it("an inference node without models sits in no tree: stake changes report nothing", async function () {
      const { nodeRegistry, staking, nodeB, signerB } = await loadFixture(deployRegistryFixture);
      await nodeRegistry.connect(nodeB).registerNode(signerB.address, ENDPOINT, Role.Inference, []);
      await expect(staking.connect(nodeB).stake(MINIMUM_STAKE)).not.to.emit(nodeRegistry, "SortitionWeightChanged");
      expect(await nodeRegistry.isActive(nodeB.address)).to.equal(true);
      expect(await nodeRegistry.sortitionWeightOf(nodeB.address)).to.equal(0n);
    });

    it("a jailed node's stake changes keep its weight at zero and write no tree", async function () {
      const { nodeRegistry, staking, disputer, nodeA, modelA } = await loadFixture(registeredNodeFixture);
      await nodeRegistry.connect(disputer).jail(nodeA.address);
      await expect(staking.connect(nodeA).stake(MINIMUM_STAKE)).not.to.emit(nodeRegistry, "SortitionWeightChanged");
      expect(await nodeRegistry.sortitionWeightOf(nodeA.address)).to.equal(0n);
      expect(await nodeRegistry.modelWeightOf(nodeA.address, modelA.id)).to.equal(MINIMUM_STAKE * 2n);
    });

    it("deregistering clears a weight Staking never reported away (observer unset meanwhile)", async function () {
      const { nodeRegistry, staking, nodeA, modelA } = await loadFixture(registeredNodeFixture);
      await staking.setStakeObserver(ethers.ZeroAddress);
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE * 2n);
      await time.increase(UNBONDING_PERIOD);
      await staking.connect(nodeA).withdraw();
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(MINIMUM_STAKE * 2n);
      await expect(nodeRegistry.connect(nodeA).deregisterNode())
        .to.emit(nodeRegistry, "SortitionWeightChanged")
        .withArgs(nodeA.address, 0n);
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(0n);
    });

    it("syncWeight with nothing to change reports nothing", async function () {
      const { nodeRegistry, nodeA } = await loadFixture(registeredNodeFixture);
      await expect(nodeRegistry.syncWeight(nodeA.address)).not.to.emit(nodeRegistry, "SortitionWeightChanged");
    });
  });

  describe("drawNode", function () {
    it("splits a model's range between its nodes by stake, at the exact boundaries", async function () {
      const { nodeRegistry, staking, nodeA, nodeB, signerB, modelA, modelB } = await loadFixture(registeredNodeFixture);
      await nodeRegistry.connect(nodeB).registerNode(signerB.address, ENDPOINT, Role.Inference, [modelB.id]);
      await staking.connect(nodeB).stake(MINIMUM_STAKE);
      const total = MINIMUM_STAKE * 3n;
      expect(await nodeRegistry.totalModelWeight(modelB.id)).to.equal(total);
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(MINIMUM_STAKE * 2n);
      expect(await nodeRegistry.drawNode(modelB.id, MINIMUM_STAKE * 2n - 1n)).to.equal(nodeA.address);
      expect(await nodeRegistry.drawNode(modelB.id, MINIMUM_STAKE * 2n)).to.equal(nodeB.address);
      expect(await nodeRegistry.drawNode(modelB.id, total - 1n)).to.equal(nodeB.address);
      expect(await nodeRegistry.drawNode(modelB.id, total)).to.equal(nodeA.address);
      expect(await nodeRegistry.drawNode(modelB.id, ethers.MaxUint256)).to.equal(
        ethers.MaxUint256 % total < MINIMUM_STAKE * 2n ? nodeA.address : nodeB.address,
      );
      expect(await nodeRegistry.drawNode(modelA.id, MINIMUM_STAKE * 2n)).to.equal(nodeA.address);
    });

    it("keeps a deregistered verifier out of the verifier tree, and puts it back after it re-registers and stakes", async function () {
      const { nodeRegistry, staking, verifierA, signerB, signerC, modelA } = await loadFixture(deployRegistryFixture);
      await nodeRegistry.connect(verifierA).registerNode(signerB.address, ENDPOINT, Role.Verifier, [modelA.id]);
      await staking.connect(verifierA).stake(MINIMUM_STAKE);
      expect(await nodeRegistry.drawVerifier(7n)).to.equal(verifierA.address);
      await staking.connect(verifierA).requestUnstake(MINIMUM_STAKE);
      await time.increase(UNBONDING_PERIOD);
      await staking.connect(verifierA).withdraw();
      await nodeRegistry.connect(verifierA).deregisterNode();
      expect(await nodeRegistry.totalVerifierWeight()).to.equal(0n);
      await nodeRegistry.connect(verifierA).registerNode(signerC.address, ENDPOINT, Role.Verifier, []);
      await expect(staking.connect(verifierA).stake(MINIMUM_STAKE * 2n))
        .to.emit(nodeRegistry, "SortitionWeightChanged")
        .withArgs(verifierA.address, MINIMUM_STAKE * 2n);
      expect(await nodeRegistry.totalVerifierWeight()).to.equal(MINIMUM_STAKE * 2n);
    });
  });
});
