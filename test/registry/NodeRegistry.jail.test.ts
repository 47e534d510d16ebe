import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { deployRegistryFixture, modelRegistration, Role } from "../fixtures/registry";
import { MINIMUM_STAKE } from "../fixtures/staking";

const STAKE = MINIMUM_STAKE * 2n;
/** Enough for a registration writing 32 sortition trees (the node's gas estimate overshoots the transaction cap). */
const GAS_LIMIT = 15_000_000n;

/**
 * The registry fixture with 32 models; `nodeA` serves all of them (`MAX_MODELS`), `nodeB` serves model A only, both
 * staked at twice the minimum; `verifierA` is a staked verifier.
 */
async function manyModelsFixture() {
  const f = await deployRegistryFixture();
  const { nodeRegistry, modelRegistry, staking, modelOwner, nodeA, nodeB, verifierA, signerA, signerB, signerC } = f;
  const max = Number(await nodeRegistry.MAX_MODELS());
  const ids = [f.modelA.id, f.modelB.id];
  for (let i = ids.length; i < max; i++) {
    const model = modelRegistration(`jail-model-${i}`);
    await modelRegistry.connect(modelOwner).registerModel(model);
    ids.push(model.id);
  }
  await staking.connect(nodeA).stake(STAKE);
  await staking.connect(nodeB).stake(STAKE);
  await staking.connect(verifierA).stake(STAKE);
  await nodeRegistry.connect(nodeA).registerNode(signerA.address, "https://a", Role.Inference, ids, {
    gasLimit: GAS_LIMIT,
  });
  await nodeRegistry.connect(nodeB).registerNode(signerB.address, "https://b", Role.Inference, [f.modelA.id]);
  await nodeRegistry.connect(verifierA).registerNode(signerC.address, "https://v", Role.Verifier, [f.modelA.id]);
  return { ...f, ids };
}

/** `count` seeds, drawn from the tree of `model` at `block`: the node each lands on (zero: a jailed node's weight). */
async function drawAll(f: Awaited<ReturnType<typeof manyModelsFixture>>, model: string, block: number, count = 48) {
  const drawn: string[] = [];
  for (let i = 0; i < count; i++) drawn.push(await f.nodeRegistry.drawNodeAt(model, ethers.id(`seed-${i}`), block));
  return drawn;
}

async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<bigint> {
  return (await (await tx).wait())!.gasUsed;
}

describe("NodeRegistry jail in O(1)", function () {
  describe("cost", function () {
    it("jailing a node that serves 32 models costs what jailing a node serving one costs, and writes no tree", async function () {
      const f = await loadFixture(manyModelsFixture);
      const { nodeRegistry, disputer, nodeA, nodeB, ids } = f;
      const totals = await Promise.all(ids.map((id) => nodeRegistry.totalModelWeight(id)));
      const jailMany = await gasOf(nodeRegistry.connect(disputer).jail(nodeA.address));
      const jailOne = await gasOf(nodeRegistry.connect(disputer).jail(nodeB.address));
      // Measured: 88,900 for both (no tree written; the jail flag and the first checkpoint of its record).
      // Absolute bounds hold for the real bytecode only (coverage instruments it).
      if (!process.env.VERITY_COVERAGE) expect(jailMany).to.be.below(100_000n);
      expect(jailMany).to.equal(jailOne);
      expect(await Promise.all(ids.map((id) => nodeRegistry.totalModelWeight(id)))).to.deep.equal(totals);
    });

    it("slashing a jailed node writes no tree either, whatever its model count", async function () {
      const f = await loadFixture(manyModelsFixture);
      const { nodeRegistry, staking, disputer, nodeA, nodeB, verifierA } = f;
      await nodeRegistry.connect(disputer).jail(nodeA.address);
      await nodeRegistry.connect(disputer).jail(nodeB.address);
      // A first slash pays for the treasury's first balance: out of the comparison.
      await staking.connect(disputer).slash(verifierA.address, 1n, [], []);
      const slashMany = await gasOf(staking.connect(disputer).slash(nodeA.address, MINIMUM_STAKE, [], []));
      const slashOne = await gasOf(staking.connect(disputer).slash(nodeB.address, MINIMUM_STAKE, [], []));
      expect(slashMany).to.equal(slashOne);
      expect(await nodeRegistry.modelWeightOf(nodeA.address, f.ids[31]!)).to.equal(STAKE);
    });
  });

  describe("draws", function () {
    it("never draw a jailed node from the block of its jail on; a draw at an earlier block is unchanged", async function () {
      const f = await loadFixture(manyModelsFixture);
      const { nodeRegistry, disputer, nodeA, nodeB, modelA } = f;
      const before = await ethers.provider.getBlockNumber();
      const drawnBefore = await drawAll(f, modelA.id, before - 1);
      expect(drawnBefore).to.include(nodeA.address);
      expect(drawnBefore).to.include(nodeB.address);

      await nodeRegistry.connect(disputer).jail(nodeA.address);
      const jailBlock = await ethers.provider.getBlockNumber();
      await mine(1);
      expect(await nodeRegistry.jailedAt(nodeA.address, jailBlock - 1)).to.equal(false);
      expect(await nodeRegistry.jailedAt(nodeA.address, jailBlock)).to.equal(true);
      // The tree still holds its weight (nobody cleared it): a draw landing there is zero, never nodeA.
      expect(await nodeRegistry.totalModelWeightAt(modelA.id, jailBlock)).to.equal(STAKE * 2n);
      const drawnAt = await drawAll(f, modelA.id, jailBlock);
      expect(drawnAt).to.not.include(nodeA.address);
      expect(drawnAt).to.include(nodeB.address);
      // Exactly the seeds that landed on nodeA now land on nobody.
      expect(drawnAt).to.deep.equal(drawnBefore.map((n) => (n === nodeA.address ? ethers.ZeroAddress : n)));
      expect(await drawAll(f, modelA.id, before - 1)).to.deep.equal(drawnBefore);
      expect(await nodeRegistry.drawNode(modelA.id, ethers.id("seed-0"))).to.not.equal(nodeA.address);
    });

    it("with nobody clearing anything, stake changes, slashes and later blocks never make it drawable", async function () {
      const f = await loadFixture(manyModelsFixture);
      const { nodeRegistry, staking, disputer, nodeA, nodeB, modelA, ids } = f;
      await nodeRegistry.connect(disputer).jail(nodeA.address);
      await staking.connect(nodeA).stake(MINIMUM_STAKE);
      await staking.connect(disputer).slash(nodeA.address, MINIMUM_STAKE / 2n, [], []);
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE / 2n);
      await mine(300);
      const block = (await ethers.provider.getBlockNumber()) - 1;
      expect(await nodeRegistry.isActive(nodeA.address)).to.equal(false);
      expect(await nodeRegistry.sortitionWeightOf(nodeA.address)).to.equal(0n);
      for (const model of [modelA.id, ids[7]!, ids[31]!]) {
        expect(await drawAll(f, model, block, 24)).to.not.include(nodeA.address);
      }
      // nodeA alone served model 31: every draw there lands on its stale weight and draws nobody.
      expect(await drawAll(f, ids[31]!, block, 8)).to.deep.equal(Array(8).fill(ethers.ZeroAddress));
      expect(await drawAll(f, modelA.id, block, 24)).to.include(nodeB.address);
    });

    it("jails, unjails and clearing after a draw's block change nothing of that draw", async function () {
      const f = await loadFixture(manyModelsFixture);
      const { nodeRegistry, disputer, thirdParty, nodeA, nodeB, modelA, modelB } = f;
      await nodeRegistry.connect(disputer).jail(nodeA.address);
      await mine(1);
      // The seed of a draw at `block` becomes known after it: everything below happens once it is public.
      const block = (await ethers.provider.getBlockNumber()) - 1;
      const drawn = await drawAll(f, modelA.id, block);
      await nodeRegistry.connect(thirdParty).clearJailedWeight(nodeA.address, modelA.id);
      await nodeRegistry.connect(disputer).jail(nodeB.address);
      await nodeRegistry.connect(disputer).unjail(nodeA.address);
      await nodeRegistry.connect(nodeA).updateModels([modelB.id]);
      await nodeRegistry.connect(thirdParty).syncWeight(nodeB.address);
      await mine(1);
      expect(await drawAll(f, modelA.id, block)).to.deep.equal(drawn);
    });

    it("a verifier's jail zeroes its one tree at once: committees are drawn as before", async function () {
      const f = await loadFixture(manyModelsFixture);
      const { nodeRegistry, disputer, verifierA } = f;
      await expect(nodeRegistry.connect(disputer).jail(verifierA.address))
        .to.emit(nodeRegistry, "SortitionWeightChanged")
        .withArgs(verifierA.address, 0n);
      const block = await ethers.provider.getBlockNumber();
      await mine(1);
      expect(await nodeRegistry.totalVerifierWeightAt(block)).to.equal(0n);
      expect(await nodeRegistry.verifierWeightAt(verifierA.address, block)).to.equal(0n);
      await expect(nodeRegistry.drawVerifierAt(1n, block)).to.be.revertedWithCustomError(
        nodeRegistry,
        "NodeRegistryNoWeight",
      );
    });
  });

  describe("clearing a jailed node's weight", function () {
    it("anyone clears it, one tree at a time; a second clear does nothing", async function () {
      const f = await loadFixture(manyModelsFixture);
      const { nodeRegistry, disputer, thirdParty, nodeA, modelA, modelB } = f;
      await nodeRegistry.connect(disputer).jail(nodeA.address);
      await expect(nodeRegistry.connect(thirdParty).clearJailedWeight(nodeA.address, modelA.id))
        .to.emit(nodeRegistry, "JailedWeightCleared")
        .withArgs(nodeA.address, modelA.id, STAKE);
      expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(STAKE);
      expect(await nodeRegistry.modelWeightOf(nodeA.address, modelA.id)).to.equal(0n);
      expect(await nodeRegistry.modelWeightOf(nodeA.address, modelB.id)).to.equal(STAKE);
      await expect(nodeRegistry.connect(thirdParty).clearJailedWeight(nodeA.address, modelA.id)).not.to.emit(
        nodeRegistry,
        "JailedWeightCleared",
      );
    });

    it("syncWeight clears every tree of a jailed node", async function () {
      const f = await loadFixture(manyModelsFixture);
      const { nodeRegistry, disputer, thirdParty, nodeA, ids } = f;
      await nodeRegistry.connect(disputer).jail(nodeA.address);
      const tx = nodeRegistry.connect(thirdParty).syncWeight(nodeA.address, { gasLimit: GAS_LIMIT });
      await expect(tx).to.emit(nodeRegistry, "JailedWeightCleared").withArgs(nodeA.address, ids[31]!, STAKE);
      for (const id of ids) expect(await nodeRegistry.modelWeightOf(nodeA.address, id)).to.equal(0n);
      expect(await nodeRegistry.totalModelWeight(ids[31]!)).to.equal(0n);
    });

    describe("reverts", function () {
      it("for a node that is not jailed", async function () {
        const f = await loadFixture(manyModelsFixture);
        await expect(f.nodeRegistry.connect(f.thirdParty).clearJailedWeight(f.nodeA.address, f.modelA.id))
          .to.be.revertedWithCustomError(f.nodeRegistry, "NodeRegistryNotJailed")
          .withArgs(f.nodeA.address);
      });

      it("jailedAt for the current block", async function () {
        const f = await loadFixture(manyModelsFixture);
        const current = (await ethers.provider.getBlockNumber()) + 1;
        await expect(f.nodeRegistry.jailedAt(f.nodeA.address, current)).to.be.revertedWithCustomError(
          f.nodeRegistry,
          "NodeRegistryFutureLookup",
        );
      });
    });
  });

  describe("unjail", function () {
    it("restores the node's current weight in every tree, whatever was cleared or slashed while it was jailed", async function () {
      const f = await loadFixture(manyModelsFixture);
      const { nodeRegistry, staking, disputer, thirdParty, nodeA, ids } = f;
      await nodeRegistry.connect(disputer).jail(nodeA.address);
      for (const id of ids.slice(0, 3)) await nodeRegistry.connect(thirdParty).clearJailedWeight(nodeA.address, id);
      await staking.connect(disputer).slash(nodeA.address, MINIMUM_STAKE / 2n, [], []);
      await staking.connect(nodeA).stake(MINIMUM_STAKE);
      const active = await staking.activeStakeOf(nodeA.address);
      expect(active).to.equal(STAKE + MINIMUM_STAKE / 2n);
      await expect(nodeRegistry.connect(disputer).unjail(nodeA.address, { gasLimit: GAS_LIMIT }))
        .to.emit(nodeRegistry, "SortitionWeightChanged")
        .withArgs(nodeA.address, active);
      for (const id of ids) expect(await nodeRegistry.modelWeightOf(nodeA.address, id)).to.equal(active);
      expect(await nodeRegistry.totalModelWeight(ids[31]!)).to.equal(active);
      expect(await nodeRegistry.totalModelWeight(f.modelA.id)).to.equal(active + STAKE);
      expect(await nodeRegistry.drawNode(ids[31]!, 1n)).to.equal(nodeA.address);
    });

    it("restores a verifier's weight", async function () {
      const f = await loadFixture(manyModelsFixture);
      const { nodeRegistry, disputer, verifierA } = f;
      await nodeRegistry.connect(disputer).jail(verifierA.address);
      await nodeRegistry.connect(disputer).unjail(verifierA.address);
      expect(await nodeRegistry.totalVerifierWeight()).to.equal(STAKE);
      expect(await nodeRegistry.drawVerifier(1n)).to.equal(verifierA.address);
    });
  });

  describe("the jailed node acting first", function () {
    it("changing models and unstaking in the jail's own block leave it undrawable, and nothing stale where it left", async function () {
      const f = await loadFixture(manyModelsFixture);
      const { nodeRegistry, staking, disputer, nodeA, modelA, modelB, ids } = f;
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        // The node sees the jail coming and front-runs it in the same block.
        await nodeRegistry.connect(nodeA).updateModels([modelB.id, ids[5]!], { gasLimit: GAS_LIMIT });
        await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE / 2n, { gasLimit: 1_000_000n });
        await nodeRegistry.connect(disputer).jail(nodeA.address, { gasLimit: 1_000_000n });
        await mine(1);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      const block = await ethers.provider.getBlockNumber();
      await mine(1);
      expect(await nodeRegistry.jailedAt(nodeA.address, block)).to.equal(true);
      expect(await nodeRegistry.modelWeightOf(nodeA.address, modelA.id)).to.equal(0n);
      for (const model of [modelB.id, ids[5]!]) {
        expect(await drawAll(f, model, block, 16)).to.deep.equal(Array(16).fill(ethers.ZeroAddress));
      }
      // Changing models while jailed clears the old trees and puts nothing in the new ones.
      await nodeRegistry.connect(nodeA).updateModels([modelA.id]);
      expect(await nodeRegistry.modelWeightOf(nodeA.address, modelB.id)).to.equal(0n);
      expect(await nodeRegistry.modelWeightOf(nodeA.address, modelA.id)).to.equal(0n);
      expect(await nodeRegistry.totalModelWeight(ids[5]!)).to.equal(0n);
      await nodeRegistry.connect(disputer).unjail(nodeA.address);
      expect(await nodeRegistry.modelWeightOf(nodeA.address, modelA.id)).to.equal(
        await staking.activeStakeOf(nodeA.address),
      );
    });
  });
});
