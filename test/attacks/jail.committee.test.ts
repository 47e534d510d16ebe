import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import {
  DEFAULT_PARAMETERS,
  DisputeHelper,
  NODE_STAKE,
  Outcome,
  Verdict,
  deployDisputeFixture,
} from "../fixtures/dispute";
import type { DisputeSystem } from "../fixtures/dispute";

const BPS = 10_000n;
const LOCKED = (NODE_STAKE * DEFAULT_PARAMETERS.slashBps) / BPS;
const BOND = (LOCKED * DEFAULT_PARAMETERS.bondBps) / BPS;

/** The dispute system; its admin also holds the registry's dispute role (standing in for another slasher's jail). */
async function jailerFixture() {
  const f = await deployDisputeFixture();
  await f.nodeRegistry.connect(f.admin).grantRole(await f.nodeRegistry.DISPUTE_ROLE(), f.admin.address);
  return f;
}

async function setup() {
  const f = await loadFixture(jailerFixture);
  return { ...f, h: new DisputeHelper(f) };
}

/** Pro-rata credits of the members who revealed `verdict` (as the manager splits `pot`), and their sum. */
async function shares(f: DisputeSystem, id: bigint, committee: string[], verdict: Verdict, pot: bigint) {
  const votes = await Promise.all(committee.map((m) => f.manager.getVote(id, m)));
  const total = votes.reduce((acc, v) => (v.revealed && Number(v.verdict) === verdict ? acc + v.weight : acc), 0n);
  const each = votes.map((v) => (v.revealed && Number(v.verdict) === verdict ? (pot * v.weight) / total : 0n));
  return { each, sum: each.reduce((a, b) => a + b, 0n) };
}

describe("Attack: jails around an open committee", function () {
  it("a verifier jailed after it was seated keeps the vote weight of the challenge block: the verdict, the node's jail-before-slash and every credit are exact", async function () {
    const f = await setup();
    const { manager, nodeRegistry, staking, admin, node, challenger, modelId } = f;
    const receipt = await f.h.attestReceipt();
    const id = await f.h.challenge(receipt);
    const committee = await f.h.draw(id);
    const { challengeBlock } = await manager.getDispute(id);
    const seatedWeight = await nodeRegistry.verifierWeightAt(committee[0]!, challengeBlock);
    expect(seatedWeight).to.be.greaterThan(0n);

    // Seated, then jailed (by another judgment): its tree weight is zero from now on, its seat is not.
    await nodeRegistry.connect(admin).jail(committee[0]!);
    expect(await nodeRegistry.totalVerifierWeight()).to.equal(
      (await nodeRegistry.totalVerifierWeightAt(challengeBlock)) - seatedWeight,
    );
    await f.h.vote(id, [Verdict.NodeWrong, Verdict.NodeWrong, Verdict.NodeRight]);
    expect((await manager.getVote(id, committee[0]!)).weight).to.equal(seatedWeight);

    const challengerReward = (LOCKED * DEFAULT_PARAMETERS.challengerRewardBps) / BPS;
    const pot =
      (LOCKED * (DEFAULT_PARAMETERS.challengerRewardBps + DEFAULT_PARAMETERS.voterRewardBps)) / BPS - challengerReward;
    const expected = await shares(f, id, committee, Verdict.NodeWrong, pot);
    const nodeWeight = await nodeRegistry.sortitionWeightOf(node.address);
    expect(nodeWeight).to.equal(NODE_STAKE);

    await expect(manager.resolve(id))
      .to.emit(manager, "DisputeResolved")
      .withArgs(
        id,
        Outcome.NodeWrong,
        LOCKED,
        challengerReward,
        expected.sum,
        LOCKED - challengerReward - expected.sum,
      );
    for (let i = 0; i < 3; i++) expect(await manager.claimableOf(committee[i]!)).to.equal(expected.each[i]);
    expect(expected.each[0]).to.be.greaterThan(0n);
    expect(await manager.claimableOf(challenger.address)).to.equal(BOND + challengerReward);
    // The accused node: jailed, then slashed; its model tree keeps its pre-jail weight, stale, and draws skip it.
    expect(await staking.slashableStakeOf(node.address)).to.equal(NODE_STAKE - LOCKED);
    expect(await nodeRegistry.sortitionWeightOf(node.address)).to.equal(0n);
    expect(await nodeRegistry.modelWeightOf(node.address, modelId)).to.equal(nodeWeight);
    const block = await ethers.provider.getBlockNumber();
    await mine(1);
    for (let i = 0; i < 16; i++) {
      expect(await nodeRegistry.drawNodeAt(modelId, ethers.id(`c${i}`), block)).to.not.equal(node.address);
    }
    // The jailed verifier claims its exact credit.
    const member = f.h.member(committee[0]!);
    await expect(manager.connect(member.account).claim(member.address)).to.changeTokenBalance(
      f.token,
      member.account,
      expected.each[0]!,
    );
  });

  it("a verifier jailed before a challenge is never seated", async function () {
    const f = await setup();
    const { nodeRegistry, admin, verifiers } = f;
    const jailed = verifiers[5]!.address;
    await nodeRegistry.connect(admin).jail(jailed);
    for (let i = 0; i < 4; i++) {
      const id = await f.h.challenge(await f.h.attestReceipt());
      const committee = await f.h.draw(id);
      expect(committee).to.have.length(3);
      expect(committee).to.not.include(jailed);
    }
  });
});
