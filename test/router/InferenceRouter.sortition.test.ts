import { loadFixture, mine, setBalance } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet } from "ethers";
import { deployRouterFixture, NARROW_MODEL_ID } from "../fixtures/router";
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
});
