import { loadFixture, mine, setBalance } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet } from "ethers";
import { deployRouterFixture, NARROW_MODEL_ID, NODE_STAKE } from "../fixtures/router";
import { RouterHelper } from "../helpers/router";

async function routerFixture() {
  const f = await deployRouterFixture();
  return { ...f, h: new RouterHelper(f) };
}

describe("InferenceRouter assignment", function () {
  describe("steering the assignment once the seed is known", function () {
    it("a node that stakes into a model in the request's own block is never assigned: weights are the previous block's", async function () {
      const { router, nodes, staking, token, admin, consumer, routerNodes, h } = await loadFixture(routerFixture);
      const [nodeA, nodeB] = routerNodes;
      // The seed (prevrandao and the previous block's hash) is known to whoever builds the request's block: an
      // accomplice node joins the model with a stake that would outweigh everyone, in that block, before the request.
      const newcomer = Wallet.createRandom().connect(ethers.provider);
      await setBalance(newcomer.address, ethers.parseEther("10"));
      const huge = ethers.parseEther("1000000");
      await token.connect(admin).mint(newcomer.address, huge);
      await token.connect(newcomer).approve(await staking.getAddress(), huge);
      const params = await h.params({ modelId: NARROW_MODEL_ID, redundancy: 2n, fee: ethers.parseEther("1") });
      const id = await h.nextId(consumer.address);

      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        const gasLimit = 3_000_000n;
        await nodes
          .connect(newcomer)
          .registerNode(Wallet.createRandom().address, "https://newcomer.example", 0, [NARROW_MODEL_ID], { gasLimit });
        await staking.connect(newcomer).stake(huge, { gasLimit });
        await router.connect(consumer).request(params, { gasLimit });
        await mine(1);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }

      const block = await ethers.provider.getBlockNumber();
      expect(await nodes.sortitionWeightOf(newcomer.address)).to.equal(huge);
      expect(await nodes.totalModelWeightAt(NARROW_MODEL_ID, block - 1)).to.equal(
        (await nodes.sortitionWeightOf(nodeA.address)) + (await nodes.sortitionWeightOf(nodeB.address)),
      );
      const assigned = (await router.getAssignments(id)).map((a) => a.node);
      expect(assigned).to.have.members([nodeA.address, nodeB.address]);
      expect(assigned).to.not.include(newcomer.address);
    });
  });

  describe("jailed nodes (the jail writes no model tree; their weight is cleared lazily)", function () {
    async function jailedFixture() {
      const f = await routerFixture();
      await f.nodes.connect(f.admin).grantRole(await f.nodes.DISPUTE_ROLE(), f.admin.address);
      return f;
    }

    it("a jailed node whose weight nobody cleared is never assigned; a model left with only such weight can't be requested", async function () {
      const { router, nodes, admin, consumer, routerNodes, h } = await loadFixture(jailedFixture);
      const [nodeA, nodeB] = routerNodes;
      await nodes.connect(admin).jail(nodeA!.address);
      await mine(1);
      expect(await nodes.totalModelWeight(NARROW_MODEL_ID)).to.equal(NODE_STAKE * 2n);
      for (let i = 0; i < 12; i++) {
        const { id } = await h.request({ modelId: NARROW_MODEL_ID });
        expect((await router.getAssignments(id)).map((a) => a.node)).to.deep.equal([nodeB!.address]);
      }
      const two = await h.params({ modelId: NARROW_MODEL_ID, redundancy: 2n });
      await expect(router.connect(consumer).request(two))
        .to.be.revertedWithCustomError(router, "RouterNotEnoughNodes")
        .withArgs(NARROW_MODEL_ID, 2n, 1n);

      // Every node of the model jailed, nobody cleared: the tree still has weight, every draw lands on nobody, and
      // the request fails within its bounded attempts with the outcome of a model without nodes.
      await nodes.connect(admin).jail(nodeB!.address);
      await mine(1);
      expect(await nodes.totalModelWeight(NARROW_MODEL_ID)).to.equal(NODE_STAKE * 2n);
      const one = await h.params({ modelId: NARROW_MODEL_ID });
      await expect(router.connect(consumer).request(one))
        .to.be.revertedWithCustomError(router, "RouterNotEnoughNodes")
        .withArgs(NARROW_MODEL_ID, 1n, 0n);
      for (const node of [nodeA!, nodeB!]) await nodes.clearJailedWeight(node.address, NARROW_MODEL_ID);
      expect(await nodes.totalModelWeight(NARROW_MODEL_ID)).to.equal(0n);
      await expect(router.connect(consumer).request(one))
        .to.be.revertedWithCustomError(router, "RouterNotEnoughNodes")
        .withArgs(NARROW_MODEL_ID, 1n, 0n);
    });

    it("a request whose nodes are all jailed, uncleared, is closed at reassignment", async function () {
      const { router, nodes, admin, routerNodes, h } = await loadFixture(jailedFixture);
      const { id } = await h.request({ modelId: NARROW_MODEL_ID });
      for (const node of routerNodes.slice(0, 2)) await nodes.connect(admin).jail(node.address);
      await h.passDeadline(id);
      await expect(router.reassign(id)).to.emit(router, "RequestClosed").withArgs(id, 0n);
    });
  });
});
