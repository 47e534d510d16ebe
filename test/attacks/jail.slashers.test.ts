import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  BOND_FLOOR,
  DA_SLASH_BPS,
  DEMANDER_REWARD_BPS,
  RESPONSE_PERIOD,
  EQUIVOCATION_SLASH_BPS,
  NODE_STAKE,
  PROVER_REWARD_BPS,
  UNBONDING_PERIOD,
  deployEvidenceFixture,
} from "../fixtures/evidence";
import type { EvidenceFixture, NodeUnderTest } from "../fixtures/evidence";
import { makeReceipt, randomHash, randomWallet, signReceiptEthers } from "../helpers/receipts";
import { bySignature, ceilBps, floorBps } from "../dispute/helpers";
import { Role } from "../fixtures/registry";
import type { NodeRegistry } from "../../typechain-types";

/** Two signed receipts of `node` for one request of the exact model that differ in their output. */
async function equivocation(f: EvidenceFixture, node: NodeUnderTest = f.nodeA) {
  const a = makeReceipt(node.address, f.exactModel);
  const b = { ...a, outputHash: randomHash(), traceRoot: randomHash(), issuedAt: a.issuedAt + 5n };
  return [
    bySignature(a, await signReceiptEthers(node.signer, f.domain, a)),
    bySignature(b, await signReceiptEthers(node.signer, f.domain, b)),
  ] as const;
}

/** Runs `transactions` (sent in order) in one block; automine is restored whatever happens. */
async function inOneBlock(transactions: () => Promise<unknown>): Promise<number> {
  await ethers.provider.send("evm_setAutomine", [false]);
  try {
    await transactions();
    await mine(1);
  } finally {
    await ethers.provider.send("evm_setAutomine", [true]);
  }
  return ethers.provider.getBlockNumber();
}

/** The fixture's registry: the real `NodeRegistry` (the evidence fixture's default). */
const registryOf = (f: EvidenceFixture) => f.nodes as NodeRegistry;

/** What `count` seeds draw from `model`'s tree at `block`. */
async function draws(f: EvidenceFixture, model: string, block: number, count = 24): Promise<string[]> {
  const drawn: string[] = [];
  for (let i = 0; i < count; i++)
    drawn.push(await registryOf(f).drawNodeAt(model, ethers.id(`jail-attack/${i}`), block));
  return drawn;
}

const GAS = { gasLimit: 2_000_000n };

describe("Attack: the accused node acts first, now that every slasher jails before it slashes", function () {
  it("unbonding everything in the proof's own block, ahead of it, dodges nothing: the full share is slashed from unbonding", async function () {
    const f = await loadFixture(deployEvidenceFixture);
    const { staking, slasher, token, treasury, prover, nodeA } = f;
    const nodes = registryOf(f);
    const [evidenceA, evidenceB] = await equivocation(f);
    const amount = ceilBps(NODE_STAKE, EQUIVOCATION_SLASH_BPS);
    const reward = floorBps(amount, PROVER_REWARD_BPS);
    const proverBefore = await token.balanceOf(prover.address);
    const treasuryBefore = await token.balanceOf(treasury.address);

    await inOneBlock(async () => {
      await staking.connect(nodeA.operator).requestUnstakeAll(GAS);
      await slasher.connect(prover).proveEquivocation(evidenceA, evidenceB, GAS);
    });

    expect(await nodes.isActive(nodeA.address)).to.equal(false);
    expect((await nodes.getNode(nodeA.address)).jailed).to.equal(true);
    expect(await staking.activeStakeOf(nodeA.address)).to.equal(0n);
    expect(await staking.unbondingStakeOf(nodeA.address)).to.equal(NODE_STAKE - amount);
    expect(await token.balanceOf(prover.address)).to.equal(proverBefore + reward);
    expect(await token.balanceOf(treasury.address)).to.equal(treasuryBefore + amount - reward);
    // The unstake zeroed its weight before the jail: nothing stale anywhere.
    for (const model of [f.exactModel, f.toleranceModel]) {
      expect(await nodes.modelWeightOf(nodeA.address, model)).to.equal(0n);
      expect(await nodes.totalModelWeight(model)).to.equal(NODE_STAKE);
    }
    // After unbonding, it withdraws exactly what is left, not a wei more.
    await time.increase(UNBONDING_PERIOD);
    await expect(staking.connect(nodeA.operator).withdraw()).to.changeTokenBalance(
      token,
      nodeA.operator,
      NODE_STAKE - amount,
    );
  });

  it("moving its weight to a model ahead of the proof, in its block, leaves stale weight there that no draw from that block on lands on", async function () {
    const f = await loadFixture(deployEvidenceFixture);
    const { staking, slasher, prover, nodeA, nodeB } = f;
    const nodes = registryOf(f);
    const [evidenceA, evidenceB] = await equivocation(f);
    const amount = ceilBps(NODE_STAKE, EQUIVOCATION_SLASH_BPS);
    // More stake too, so that the stale weight would outweigh nodeB three to one.
    await f.token.mint(nodeA.address, NODE_STAKE * 2n);
    await f.token.connect(nodeA.operator).approve(await staking.getAddress(), NODE_STAKE * 2n);

    const block = await inOneBlock(async () => {
      await nodes.connect(nodeA.operator).updateModels([f.toleranceModel], GAS);
      await staking.connect(nodeA.operator).stake(NODE_STAKE * 2n, GAS);
      await slasher.connect(prover).proveEquivocation(evidenceA, evidenceB, GAS);
    });
    await mine(1);

    // Slashed from everything it had at the proof, the stake of its own block included.
    expect(await staking.activeStakeOf(nodeA.address)).to.equal(
      NODE_STAKE * 3n - ceilBps(NODE_STAKE * 3n, EQUIVOCATION_SLASH_BPS),
    );
    expect(ceilBps(NODE_STAKE * 3n, EQUIVOCATION_SLASH_BPS)).to.be.greaterThan(amount);
    // The tree it moved to holds its pre-jail weight, stale; the tree it left holds nothing of it.
    expect(await nodes.modelWeightOf(nodeA.address, f.exactModel)).to.equal(0n);
    expect(await nodes.modelWeightOf(nodeA.address, f.toleranceModel)).to.equal(NODE_STAKE * 3n);
    expect(await nodes.sortitionWeightOf(nodeA.address)).to.equal(0n);
    const drawn = await draws(f, f.toleranceModel, block);
    expect(drawn).to.not.include(nodeA.address);
    expect(drawn).to.include(nodeB.address);
    expect(new Set(drawn)).to.deep.equal(new Set([nodeB.address, ethers.ZeroAddress]));
    // Its stake moves while jailed write no tree: the stale weight never grows.
    await staking.connect(nodeA.operator).requestUnstake(NODE_STAKE / 2n);
    expect(await nodes.modelWeightOf(nodeA.address, f.toleranceModel)).to.equal(NODE_STAKE * 3n);
    // Changing models while jailed only clears: nothing lands in the new trees.
    await nodes.connect(nodeA.operator).updateModels([f.exactModel, f.toleranceModel]);
    for (const model of [f.exactModel, f.toleranceModel]) {
      expect(await nodes.modelWeightOf(nodeA.address, model)).to.equal(0n);
      expect(await nodes.totalModelWeight(model)).to.equal(NODE_STAKE);
    }
  });

  it("leaving and registering again, same address with a fresh signer and fresh stake, does not shed the jail", async function () {
    const f = await loadFixture(deployEvidenceFixture);
    const { staking, slasher, prover, nodeA, nodeB, attestation } = f;
    const nodes = registryOf(f);
    const [evidenceA, evidenceB] = await equivocation(f);
    await slasher.connect(prover).proveEquivocation(evidenceA, evidenceB);
    await f.system.exit(nodeA.operator);
    expect((await nodes.getNode(nodeA.address)).registered).to.equal(false);

    const fresh: NodeUnderTest = { ...nodeA, signer: randomWallet() };
    await f.token.mint(nodeA.address, NODE_STAKE * 10n);
    await f.token.connect(nodeA.operator).approve(await staking.getAddress(), NODE_STAKE * 10n);
    await staking.connect(nodeA.operator).stake(NODE_STAKE * 10n);
    await nodes
      .connect(nodeA.operator)
      .registerNode(fresh.signer.address, "https://again.example", Role.Inference, [f.exactModel, f.toleranceModel]);
    const block = await ethers.provider.getBlockNumber();
    await mine(1);

    const info = await nodes.getNode(nodeA.address);
    expect(info.jailed).to.equal(true);
    expect(await nodes.isActive(nodeA.address)).to.equal(false);
    expect(await nodes.sortitionWeightOf(nodeA.address)).to.equal(0n);
    expect(await nodes.jailedAt(nodeA.address, block)).to.equal(true);
    for (const model of [f.exactModel, f.toleranceModel]) {
      expect(await nodes.modelWeightOf(nodeA.address, model)).to.equal(0n);
      expect(await nodes.totalModelWeight(model)).to.equal(NODE_STAKE);
      expect(new Set(await draws(f, model, block, 12))).to.deep.equal(new Set([nodeB.address]));
    }
    // The attestation registry, told of the registration, holds it inactive: its fresh receipts attest nothing.
    expect((await attestation.getNodeRecord(nodeA.address)).active).to.equal(false);
    // A new equivocation under the fresh key is slashed again; the jail is not written twice.
    const [againA, againB] = await equivocation(f, fresh);
    const amount = ceilBps(NODE_STAKE * 10n, EQUIVOCATION_SLASH_BPS);
    const tx = await slasher.connect(prover).proveEquivocation(againA, againB);
    await expect(tx)
      .to.emit(staking, "Slashed")
      .withArgs(nodeA.address, amount, amount, amount - floorBps(amount, PROVER_REWARD_BPS));
    await expect(tx).not.to.emit(nodes, "NodeJailed");
  });

  it("a data-availability demand left unanswered: unbonding everything and moving models in the slash's block dodge nothing", async function () {
    const f = await loadFixture(deployEvidenceFixture);
    const { staking, manager, token, treasury, demander, nodeA, nodeB } = f;
    const nodes = registryOf(f);
    const { batchId } = await f.submitBatch(nodeA, [makeReceipt(nodeA.address, f.exactModel)]);
    await f.token.mint(demander.address, BOND_FLOOR);
    await token.connect(demander).approve(await manager.getAddress(), BOND_FLOOR);
    const id = await manager.nextDemandId();
    await manager.connect(demander).demand(batchId, BOND_FLOOR);
    const { deadline } = await manager.getDemand(id);
    expect(deadline).to.equal(BigInt(await time.latest()) + RESPONSE_PERIOD);
    const lock = ceilBps(NODE_STAKE, DA_SLASH_BPS);
    const reward = floorBps(lock, DEMANDER_REWARD_BPS);
    const treasuryBefore = await token.balanceOf(treasury.address);

    await time.setNextBlockTimestamp(deadline);
    const block = await inOneBlock(async () => {
      await staking.connect(nodeA.operator).requestUnstake(NODE_STAKE / 2n, GAS);
      await nodes.connect(nodeA.operator).updateModels([f.toleranceModel], GAS);
      await manager.connect(f.stranger).slashUnanswered(id, GAS);
    });
    await mine(1);

    expect((await nodes.getNode(nodeA.address)).jailed).to.equal(true);
    expect(await staking.slashableStakeOf(nodeA.address)).to.equal(NODE_STAKE - lock);
    expect(await staking.lockedStakeOf(nodeA.address)).to.equal(0n);
    expect(await token.balanceOf(treasury.address)).to.equal(treasuryBefore + lock - reward);
    expect(await manager.claimableOf(demander.address)).to.equal(BOND_FLOOR + reward);
    // Its pre-jail weight (half unstaked) sits stale in the one tree it moved to; no draw lands on it.
    expect(await nodes.modelWeightOf(nodeA.address, f.exactModel)).to.equal(0n);
    expect(await nodes.modelWeightOf(nodeA.address, f.toleranceModel)).to.equal(NODE_STAKE / 2n);
    expect(new Set(await draws(f, f.toleranceModel, block))).to.deep.equal(
      new Set([nodeB.address, ethers.ZeroAddress]),
    );
  });
});
