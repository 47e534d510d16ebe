import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { deployFraudGameFixture, getFraudGameWiring } from "../fixtures/fraudGame";
import { expectParametersSetField, shouldBehaveLikeBoundedParameter } from "../helpers/boundedParameter.behavior";

/** The fraud game's guards: its wiring, its governance bounds and its pause. */
describe("FraudGame guards", function () {
  async function wiring() {
    const f = await loadFixture(deployFraudGameFixture);
    const addresses = await getFraudGameWiring(f);
    const parameters = await f.game.getParameters();
    const params = {
      bondFloor: parameters.bondFloor,
      bondBps: parameters.bondBps,
      slashBps: parameters.slashBps,
      challengerRewardBps: parameters.challengerRewardBps,
      nodeBondShareBps: parameters.nodeBondShareBps,
      movePeriod: parameters.movePeriod,
    };
    return { f, addresses, params, factory: await ethers.getContractFactory("FraudGame") };
  }

  describe("deployment", function () {
    for (const field of ["staking", "nodes", "attestation", "models", "router", "executor"] as const) {
      it(`reverts with FraudGameZeroAddress when the ${field} is the zero address`, async function () {
        const { f, addresses, params, factory } = await wiring();
        const broken = { ...addresses, [field]: ethers.ZeroAddress };
        await expect(factory.deploy(broken, f.deployer.address, params)).to.be.revertedWithCustomError(
          f.game,
          "FraudGameZeroAddress",
        );
      });
    }

    it("reverts with FraudGameZeroAddress for a zero admin", async function () {
      const { f, addresses, params, factory } = await wiring();
      await expect(factory.deploy(addresses, ethers.ZeroAddress, params)).to.be.revertedWithCustomError(
        f.game,
        "FraudGameZeroAddress",
      );
    });

    it("deploys with the deployed game's own wiring and parameters", async function () {
      const { f, addresses, params, factory } = await wiring();
      const game = await factory.deploy(addresses, f.deployer.address, params);
      expect((await game.getParameters()).movePeriod).to.equal(params.movePeriod);
    });
  });

  describe("parameters", function () {
    for (const [name, min, max] of [
      ["bondFloor", 1n, 10n ** 30n],
      ["bondBps", 0n, 10_000n],
      ["slashBps", 1n, 10_000n],
      ["challengerRewardBps", 0n, 5_000n],
      ["nodeBondShareBps", 0n, 10_000n],
      ["movePeriod", 600n, 7n * 24n * 3600n],
    ] as const) {
      shouldBehaveLikeBoundedParameter({ name, min, max, expectEvent: expectParametersSetField(name) }, async () => {
        const { f, params } = await wiring();
        return {
          contract: f.game,
          admin: f.deployer,
          stranger: f.stranger,
          set: (signer, value) => f.game.connect(signer).setParameters({ ...params, [name]: value }),
          get: async () => (await f.game.getParameters())[name],
        };
      });
    }

    it("refuses an initial parameter out of bounds with ParameterOutOfBounds naming it", async function () {
      const { f, addresses, params, factory } = await wiring();
      await expect(factory.deploy(addresses, f.deployer.address, { ...params, slashBps: 0n }))
        .to.be.revertedWithCustomError(f.game, "ParameterOutOfBounds")
        .withArgs(ethers.encodeBytes32String("slashBps"), 0n, 1n, 10_000n);
    });

    it("lets only the admin set them, and emits ParametersSet", async function () {
      const { f, params } = await wiring();
      await expect(f.game.connect(f.stranger).setParameters(params)).to.be.revertedWithCustomError(
        f.game,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.game.setParameters(params)).to.emit(f.game, "ParametersSet");
    });
  });

  describe("pause", function () {
    it("lets only the pauser pause, refuses new games while paused, and opens them again after unpause", async function () {
      const { f, addresses, params, factory } = await wiring();
      // A game of its own, whose admin (the deployer) makes itself pauser.
      const game = await factory.deploy(addresses, f.deployer.address, params);
      await game.grantRole(await game.PAUSER_ROLE(), f.deployer.address);
      await expect(game.connect(f.stranger).pause()).to.be.revertedWithCustomError(
        f.game,
        "AccessControlUnauthorizedAccount",
      );
      await game.pause();
      const receipt = {
        requestId: ethers.ZeroHash,
        modelId: ethers.ZeroHash,
        inputHash: ethers.ZeroHash,
        outputHash: ethers.ZeroHash,
        traceRoot: ethers.ZeroHash,
        node: f.nodeAccount.address,
        issuedAt: 0n,
      };
      await expect(
        game.connect(f.challenger).challenge(receipt, ethers.ZeroHash, [], f.challenger.address, 0n),
      ).to.be.revertedWithCustomError(game, "EnforcedPause");
      await expect(
        game
          .connect(f.challenger)
          .challengeFulfillment(ethers.ZeroHash, receipt, ethers.ZeroHash, [], f.challenger.address, 0n),
      ).to.be.revertedWithCustomError(game, "EnforcedPause");
      await expect(game.connect(f.stranger).unpause()).to.be.revertedWithCustomError(
        game,
        "AccessControlUnauthorizedAccount",
      );
      await game.unpause();
      // Unpaused, the same call fails on its content instead (a model the game can't decide).
      await expect(
        game.connect(f.challenger).challenge(receipt, ethers.ZeroHash, [], f.challenger.address, 0n),
      ).to.be.revertedWithCustomError(game, "FraudGameModelNotFraudProvable");
    });
  });
});
