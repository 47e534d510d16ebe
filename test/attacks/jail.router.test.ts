import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { deployRouterFixture, MIN_FEE_PER_NODE, MODEL_ID, NARROW_MODEL_ID, NODE_STAKE } from "../fixtures/router";
import { RequestState, RouterHelper } from "../helpers/router";

/** How many extra `NODE_STAKE`s the whale stakes: it then holds 15/16 of `NARROW_MODEL_ID`'s weight. */
const WHALE_EXTRA = 14n;
/** Requests made while the whale's stale weight sits in the tree. */
const TRIES = 48;

/**
 * The router fixture where `nodeA` (one of the two nodes of `NARROW_MODEL_ID`) is a whale holding 15/16 of the model's
 * weight, and the fixture's admin holds the registry's dispute role (it stands in for a slasher's jail).
 */
async function whaleFixture() {
  const f = await deployRouterFixture();
  const [nodeA] = f.routerNodes;
  await f.staking.connect(nodeA!.operator).stake(NODE_STAKE * WHALE_EXTRA);
  await f.nodes.connect(f.admin).grantRole(await f.nodes.DISPUTE_ROLE(), f.admin.address);
  return { ...f, h: new RouterHelper(f) };
}

/** Makes one redundancy-1 request of `modelId` (the narrow model by default); true when it was assigned, false on `RouterNotEnoughNodes`. */
async function tryRequest(f: Awaited<ReturnType<typeof whaleFixture>>, modelId = NARROW_MODEL_ID): Promise<boolean> {
  const params = await f.h.params({ modelId });
  try {
    await f.router.connect(f.consumer).request(params);
    return true;
  } catch (error) {
    if (!String(error).includes("RouterNotEnoughNodes")) throw error;
    return false;
  }
}

describe("Attack: a jailed node's uncleared weight vs the router (nobody clears)", function () {
  it("starves assignment: with 15/16 of a model's weight jailed and uncleared, ~36% of requests fail; one syncWeight by anyone ends it", async function () {
    const f = await loadFixture(whaleFixture);
    const { router, nodes, token, admin, consumer, stranger, routerNodes } = f;
    const [nodeA, nodeB] = routerNodes;
    await nodes.connect(admin).jail(nodeA!.address);
    await mine(1);
    const stale = NODE_STAKE * (WHALE_EXTRA + 1n);
    expect(await nodes.modelWeightOf(nodeA!.address, NARROW_MODEL_ID)).to.equal(stale);
    expect(await nodes.totalModelWeight(NARROW_MODEL_ID)).to.equal(stale + NODE_STAKE);

    // One slot, DRAW_ATTEMPTS_PER_SLOT (16) draws, each lands on the stale weight with p = 15/16: the request fails with
    // probability p^16 = 0.356 although an honest, active node serves the model.
    const attempts = Number(await router.DRAW_ATTEMPTS_PER_SLOT());
    const failureChance = Math.pow(15 / 16, attempts);
    expect(failureChance).to.be.closeTo(0.3561, 0.0001);
    const before = await token.balanceOf(consumer.address);
    let failed = 0;
    for (let i = 0; i < TRIES; i++) if (!(await tryRequest(f))) failed++;
    // Binomial(48, 0.356): mean 17.1, sd 3.3; both bounds are more than 4.2 sd away. Zero failures has chance 7e-10.
    expect(failed).to.be.within(3, 32);
    // A failed request reverts whole: the consumer paid exactly the fees of the assigned ones, nothing else.
    const assigned = BigInt(TRIES - failed);
    expect(await token.balanceOf(consumer.address)).to.equal(before - assigned * MIN_FEE_PER_NODE);
    expect(await router.nonceOf(consumer.address)).to.equal(assigned);

    // The fix is public and cheap: anyone clears the stale weight; from the next block on no request fails.
    await expect(nodes.connect(stranger).syncWeight(nodeA!.address))
      .to.emit(nodes, "JailedWeightCleared")
      .withArgs(nodeA!.address, NARROW_MODEL_ID, stale);
    await mine(1);
    for (let i = 0; i < 12; i++) {
      const { id } = await f.h.request({ modelId: NARROW_MODEL_ID });
      expect((await router.getAssignments(id)).map((a) => a.node)).to.deep.equal([nodeB!.address]);
    }
  });

  it("a stale-weight failure draws the jailed node never, and leaves no assignment to it", async function () {
    const f = await loadFixture(whaleFixture);
    const { router, nodes, admin, consumer, routerNodes } = f;
    const [nodeA, nodeB] = routerNodes;
    await nodes.connect(admin).jail(nodeA!.address);
    await mine(1);
    for (let i = 0; i < 16; i++) {
      const id = await f.h.nextId(consumer.address);
      if (!(await tryRequest(f))) continue;
      expect((await router.getAssignments(id)).map((a) => a.node)).to.deep.equal([nodeB!.address]);
    }
  });

  it("the jail's own block: a request in the block after the jail never draws the node, whatever the tree holds", async function () {
    const f = await loadFixture(whaleFixture);
    const { router, nodes, admin, consumer, routerNodes } = f;
    const [nodeA, nodeB] = routerNodes;
    // Jail and request in one block: the request draws with the previous block's weights and jails, so the whale may
    // still be drawn there (it was not jailed then), exactly as before the lazy jail. From the next block on, never.
    await ethers.provider.send("evm_setAutomine", [false]);
    const id = await f.h.nextId(consumer.address);
    try {
      await nodes.connect(admin).jail(nodeA!.address, { gasLimit: 1_000_000n });
      await router.connect(consumer).request(await f.h.params({ modelId: NARROW_MODEL_ID }), { gasLimit: 3_000_000n });
      await mine(1);
    } finally {
      await ethers.provider.send("evm_setAutomine", [true]);
    }
    const jailBlock = await ethers.provider.getBlockNumber();
    const sameBlock = (await router.getAssignments(id)).map((a) => a.node);
    expect(sameBlock).to.have.length(1);
    expect([nodeA!.address, nodeB!.address]).to.include(sameBlock[0]);
    expect(await nodes.jailedAt(nodeA!.address, jailBlock - 1)).to.equal(false);
    await mine(1);
    expect(await nodes.jailedAt(nodeA!.address, jailBlock)).to.equal(true);
    for (let i = 0; i < 16; i++) {
      const next = await f.h.nextId(consumer.address);
      if (!(await tryRequest(f))) continue;
      expect((await router.getAssignments(next)).map((a) => a.node)).to.deep.equal([nodeB!.address]);
    }
  });

  it("reassignment: with 95% of a model's weight jailed and uncleared, about half the reassignments close the request although four honest nodes are left; the consumer gets its fee back exactly", async function () {
    const f = await loadFixture(whaleFixture);
    const { router, nodes, staking, admin, consumer, routerNodes } = f;
    const [nodeA] = routerNodes;
    // nodeA: 95 of the model's 100 weight units (the five others hold one each).
    await staking.connect(nodeA!.operator).stake(NODE_STAKE * (94n - WHALE_EXTRA));
    await nodes.connect(admin).jail(nodeA!.address);
    await mine(1);
    expect(await nodes.totalModelWeight(MODEL_ID)).to.equal(NODE_STAKE * 100n);
    // Per draw: 95 stale + 1 excluded (the absent node) out of 100 → 0.96^16 = 0.520 that all 16 fail.
    const rounds = 16;
    let closed = 0;
    for (let i = 0; i < rounds; i++) {
      // Creation itself fails 0.95^16 = 44% of the time (reverting whole): the consumer retries.
      for (let retry = 0; !(await tryRequest(f, MODEL_ID)); retry++) expect(retry).to.be.below(20);
      const id = await router.computeRequestId(consumer.address, (await router.nonceOf(consumer.address)) - 1n);
      const [absent] = (await router.getAssignments(id)).map((a) => a.node);
      expect(absent).to.not.equal(nodeA!.address);
      await f.h.passDeadline(id);
      const tx = await router.reassign(id);
      const receipt = (await tx.wait())!;
      const names = receipt.logs.map((log) => router.interface.parseLog(log)?.name);
      if (names.includes("RequestClosed")) {
        closed++;
        expect(await router.state(id)).to.equal(RequestState.Unservable);
        await expect(router.refund(id))
          .to.emit(router, "RequestRefunded")
          .withArgs(id, consumer.address, MIN_FEE_PER_NODE);
      } else {
        const [next] = (await router.getAssignments(id)).map((a) => a.node);
        expect([nodeA!.address, absent]).to.not.include(next);
      }
    }
    // Binomial(16, 0.52): mean 8.3; 0 or 16 closures have chances 8e-6 and 3e-5.
    expect(closed).to.be.within(1, 15);
    expect(await router.claimableOf(consumer.address)).to.equal(BigInt(closed) * MIN_FEE_PER_NODE);
  });
});
