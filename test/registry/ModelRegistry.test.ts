import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployRegistryFixture, Mode, modelRegistration } from "../fixtures/registry";

describe("ModelRegistry", function () {
  describe("registerModel", function () {
    it("stores every field and emits ModelRegistered", async function () {
      const { modelRegistry, modelOwner } = await loadFixture(deployRegistryFixture);
      const registration = modelRegistration("fresh", { mode: Mode.TOLERANCE, tolerance: 5n });
      await expect(modelRegistry.connect(modelOwner).registerModel(registration))
        .to.emit(modelRegistry, "ModelRegistered")
        .withArgs(
          registration.id,
          modelOwner.address,
          registration.runtimeId,
          Mode.TOLERANCE,
          5n,
          registration.weightsRoot,
          ethers.ZeroHash,
          registration.metadataURI,
        );
      const model = await modelRegistry.getModel(registration.id);
      expect(model.owner).to.equal(modelOwner.address);
      expect(model.mode).to.equal(Mode.TOLERANCE);
      expect(model.status).to.equal(1);
      expect(model.registeredAt).to.equal(await time.latest());
      expect(model.tolerance).to.equal(5n);
      expect(model.runtimeId).to.equal(registration.runtimeId);
      expect(model.weightsRoot).to.equal(registration.weightsRoot);
      expect(model.metadataURI).to.equal(registration.metadataURI);
      expect(await modelRegistry.isActive(registration.id)).to.equal(true);
      expect(await modelRegistry.policyOf(registration.id)).to.deep.equal([BigInt(Mode.TOLERANCE), 5n]);
    });

    it("links a new version to a previous one of the same owner", async function () {
      const { modelRegistry, modelOwner, modelA } = await loadFixture(deployRegistryFixture);
      const next = modelRegistration("model-a-v2", { previous: modelA.id });
      await expect(modelRegistry.connect(modelOwner).registerModel(next))
        .to.emit(modelRegistry, "ModelRegistered")
        .withArgs(
          next.id,
          modelOwner.address,
          next.runtimeId,
          Mode.EXACT,
          0n,
          next.weightsRoot,
          modelA.id,
          next.metadataURI,
        );
      expect((await modelRegistry.getModel(next.id)).previous).to.equal(modelA.id);
      expect(await modelRegistry.successorOf(modelA.id)).to.equal(next.id);
      expect(await modelRegistry.successorOf(next.id)).to.equal(ethers.ZeroHash);
    });

    it("accepts a deprecated model as the previous version", async function () {
      const { modelRegistry, modelOwner, modelA } = await loadFixture(deployRegistryFixture);
      await modelRegistry.connect(modelOwner).deprecateModel(modelA.id);
      const next = modelRegistration("model-a-v2", { previous: modelA.id });
      await expect(modelRegistry.connect(modelOwner).registerModel(next)).to.emit(modelRegistry, "ModelRegistered");
      expect(await modelRegistry.isActive(next.id)).to.equal(true);
    });

    it("lets a new owner, and only them, add the next version", async function () {
      const { modelRegistry, modelOwner, modelA, other } = await loadFixture(deployRegistryFixture);
      await modelRegistry.connect(modelOwner).transferModel(modelA.id, other.address);
      await expect(modelRegistry.connect(modelOwner).registerModel(modelRegistration("v2", { previous: modelA.id })))
        .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryNotOwner")
        .withArgs(modelA.id, modelOwner.address, other.address);
      await modelRegistry.connect(other).registerModel(modelRegistration("v2", { previous: modelA.id }));
      expect((await modelRegistry.getModel(ethers.id("v2"))).owner).to.equal(other.address);
    });

    it("accepts the smallest tolerance", async function () {
      const { modelRegistry, modelOwner } = await loadFixture(deployRegistryFixture);
      const registration = modelRegistration("min", { mode: Mode.TOLERANCE, tolerance: 1n });
      await modelRegistry.connect(modelOwner).registerModel(registration);
      expect(await modelRegistry.policyOf(registration.id)).to.deep.equal([BigInt(Mode.TOLERANCE), 1n]);
    });

    it("accepts the largest tolerance and no more", async function () {
      const { modelRegistry, modelOwner } = await loadFixture(deployRegistryFixture);
      const max = await modelRegistry.MAX_TOLERANCE();
      await modelRegistry
        .connect(modelOwner)
        .registerModel(modelRegistration("max", { mode: Mode.TOLERANCE, tolerance: max }));
      await expect(
        modelRegistry
          .connect(modelOwner)
          .registerModel(modelRegistration("over", { mode: Mode.TOLERANCE, tolerance: max + 1n })),
      )
        .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryInvalidTolerance")
        .withArgs(Mode.TOLERANCE, max + 1n);
    });

    describe("reverts", function () {
      it("for a zero id", async function () {
        const { modelRegistry } = await loadFixture(deployRegistryFixture);
        await expect(modelRegistry.registerModel(modelRegistration("x", { id: ethers.ZeroHash })))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryZeroId")
          .withArgs();
      });

      it("for a zero runtime", async function () {
        const { modelRegistry } = await loadFixture(deployRegistryFixture);
        await expect(modelRegistry.registerModel(modelRegistration("x", { runtimeId: ethers.ZeroHash })))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryZeroRuntime")
          .withArgs();
      });

      it("for an empty metadata URI", async function () {
        const { modelRegistry } = await loadFixture(deployRegistryFixture);
        await expect(modelRegistry.registerModel(modelRegistration("x", { metadataURI: "" })))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryEmptyURI")
          .withArgs();
      });

      it("for a metadata URI over MAX_METADATA_URI_LENGTH bytes, and accepts one of exactly that length", async function () {
        const { modelRegistry } = await loadFixture(deployRegistryFixture);
        const max = Number(await modelRegistry.MAX_METADATA_URI_LENGTH());
        expect(max).to.equal(512);
        await expect(modelRegistry.registerModel(modelRegistration("long", { metadataURI: "u".repeat(max + 1) })))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryMetadataURITooLong")
          .withArgs(max + 1, max);
        await modelRegistry.registerModel(modelRegistration("long", { metadataURI: "u".repeat(max) }));
      });

      it("for a duplicate id, by anyone, and never overwrites", async function () {
        const { modelRegistry, modelA, other, modelOwner } = await loadFixture(deployRegistryFixture);
        await expect(modelRegistry.connect(other).registerModel({ ...modelA, metadataURI: "ipfs://evil" }))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryAlreadyRegistered")
          .withArgs(modelA.id);
        const stored = await modelRegistry.getModel(modelA.id);
        expect(stored.owner).to.equal(modelOwner.address);
        expect(stored.metadataURI).to.equal(modelA.metadataURI);
      });

      for (const [name, mode] of [
        ["TEE", Mode.TEE],
        ["ZK", Mode.ZK],
      ] as const) {
        it(`for the unsupported mode ${name}`, async function () {
          const { modelRegistry } = await loadFixture(deployRegistryFixture);
          await expect(modelRegistry.registerModel(modelRegistration("x", { mode })))
            .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryModeNotSupported")
            .withArgs(mode);
        });
      }

      it("for EXACT with a tolerance and TOLERANCE without one", async function () {
        const { modelRegistry } = await loadFixture(deployRegistryFixture);
        await expect(modelRegistry.registerModel(modelRegistration("x", { mode: Mode.EXACT, tolerance: 1n })))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryInvalidTolerance")
          .withArgs(Mode.EXACT, 1n);
        await expect(modelRegistry.registerModel(modelRegistration("y", { mode: Mode.TOLERANCE, tolerance: 0n })))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryInvalidTolerance")
          .withArgs(Mode.TOLERANCE, 0n);
      });

      it("for an unknown previous version", async function () {
        const { modelRegistry } = await loadFixture(deployRegistryFixture);
        const missing = ethers.id("missing");
        await expect(modelRegistry.registerModel(modelRegistration("x", { previous: missing })))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryUnknownModel")
          .withArgs(missing);
      });

      it("for a previous version owned by someone else", async function () {
        const { modelRegistry, modelA, other, modelOwner } = await loadFixture(deployRegistryFixture);
        await expect(modelRegistry.connect(other).registerModel(modelRegistration("x", { previous: modelA.id })))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryNotOwner")
          .withArgs(modelA.id, other.address, modelOwner.address);
      });

      it("for a second successor of the same version (a reused version)", async function () {
        const { modelRegistry, modelOwner, modelA } = await loadFixture(deployRegistryFixture);
        const first = modelRegistration("v2", { previous: modelA.id });
        await modelRegistry.connect(modelOwner).registerModel(first);
        await expect(
          modelRegistry.connect(modelOwner).registerModel(modelRegistration("v2-fork", { previous: modelA.id })),
        )
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryAlreadySuperseded")
          .withArgs(modelA.id, first.id);
        expect(await modelRegistry.successorOf(modelA.id)).to.equal(first.id);
        expect((await modelRegistry.getModel(ethers.id("v2-fork"))).status).to.equal(0);
      });

      it("for a model naming itself as previous", async function () {
        const { modelRegistry } = await loadFixture(deployRegistryFixture);
        const id = ethers.id("self");
        await expect(modelRegistry.registerModel(modelRegistration("self", { previous: id })))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistrySelfReference")
          .withArgs(id);
      });
    });
  });

  describe("deprecateModel", function () {
    it("deprecates and emits ModelDeprecated", async function () {
      const { modelRegistry, modelOwner, modelA } = await loadFixture(deployRegistryFixture);
      await expect(modelRegistry.connect(modelOwner).deprecateModel(modelA.id))
        .to.emit(modelRegistry, "ModelDeprecated")
        .withArgs(modelA.id);
      expect(await modelRegistry.isActive(modelA.id)).to.equal(false);
      expect((await modelRegistry.getModel(modelA.id)).status).to.equal(2);
      expect(await modelRegistry.policyOf(modelA.id)).to.deep.equal([BigInt(Mode.EXACT), 0n]);
    });

    describe("reverts", function () {
      it("for a non-owner", async function () {
        const { modelRegistry, other, modelOwner, modelA } = await loadFixture(deployRegistryFixture);
        await expect(modelRegistry.connect(other).deprecateModel(modelA.id))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryNotOwner")
          .withArgs(modelA.id, other.address, modelOwner.address);
      });

      it("for an unknown model", async function () {
        const { modelRegistry } = await loadFixture(deployRegistryFixture);
        const missing = ethers.id("missing");
        await expect(modelRegistry.deprecateModel(missing))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryUnknownModel")
          .withArgs(missing);
        await expect(modelRegistry.policyOf(missing))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryUnknownModel")
          .withArgs(missing);
      });

      it("when already deprecated", async function () {
        const { modelRegistry, modelOwner, modelA } = await loadFixture(deployRegistryFixture);
        await modelRegistry.connect(modelOwner).deprecateModel(modelA.id);
        await expect(modelRegistry.connect(modelOwner).deprecateModel(modelA.id))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryAlreadyDeprecated")
          .withArgs(modelA.id);
      });
    });
  });

  describe("views", function () {
    it("report an unknown model as all zeros, inactive, without successor", async function () {
      const { modelRegistry } = await loadFixture(deployRegistryFixture);
      const missing = ethers.id("missing");
      const model = await modelRegistry.getModel(missing);
      expect(model.owner).to.equal(ethers.ZeroAddress);
      expect(model.status).to.equal(0);
      expect(model.registeredAt).to.equal(0n);
      expect(model.metadataURI).to.equal("");
      expect(await modelRegistry.isActive(missing)).to.equal(false);
      expect(await modelRegistry.successorOf(missing)).to.equal(ethers.ZeroHash);
    });
  });

  describe("transferModel", function () {
    it("hands the model over; the old owner loses control", async function () {
      const { modelRegistry, modelOwner, modelA, other } = await loadFixture(deployRegistryFixture);
      await expect(modelRegistry.connect(modelOwner).transferModel(modelA.id, other.address))
        .to.emit(modelRegistry, "ModelOwnershipTransferred")
        .withArgs(modelA.id, modelOwner.address, other.address);
      expect((await modelRegistry.getModel(modelA.id)).owner).to.equal(other.address);
      await expect(modelRegistry.connect(modelOwner).deprecateModel(modelA.id))
        .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryNotOwner")
        .withArgs(modelA.id, modelOwner.address, other.address);
      await modelRegistry.connect(other).deprecateModel(modelA.id);
    });

    describe("reverts", function () {
      it("for a non-owner", async function () {
        const { modelRegistry, modelA, other, modelOwner } = await loadFixture(deployRegistryFixture);
        await expect(modelRegistry.connect(other).transferModel(modelA.id, other.address))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryNotOwner")
          .withArgs(modelA.id, other.address, modelOwner.address);
      });

      it("for an unknown model", async function () {
        const { modelRegistry, other } = await loadFixture(deployRegistryFixture);
        const missing = ethers.id("missing");
        await expect(modelRegistry.transferModel(missing, other.address))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryUnknownModel")
          .withArgs(missing);
      });

      it("for the zero address", async function () {
        const { modelRegistry, modelOwner, modelA } = await loadFixture(deployRegistryFixture);
        await expect(modelRegistry.connect(modelOwner).transferModel(modelA.id, ethers.ZeroAddress))
          .to.be.revertedWithCustomError(modelRegistry, "ModelRegistryZeroOwner")
          .withArgs();
      });
    });
  });
});
