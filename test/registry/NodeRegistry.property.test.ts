import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployRegistryFixture, Role } from "../fixtures/registry";
import { MINIMUM_STAKE } from "../fixtures/staking";
import { propertyRuns } from "../helpers/propertyRuns";
import { Staking__factory } from "../../typechain-types";

/** Two inference nodes (models A and B) and one verifier, registered, unstaked. */
async function threeNodesFixture() {
  const fixture = await deployRegistryFixture();
  const { nodeRegistry, nodeA, nodeB, verifierA, signerA, signerB, signerC, modelA, modelB } = fixture;
  await nodeRegistry.connect(nodeA).registerNode(signerA.address, "https://a", Role.Inference, [modelA.id]);
  await nodeRegistry.connect(nodeB).registerNode(signerB.address, "https://b", Role.Inference, [modelA.id, modelB.id]);
  await nodeRegistry.connect(verifierA).registerNode(signerC.address, "https://v", Role.Verifier, [modelA.id]);
  return fixture;
}

/** Selectors of Staking's own errors: an instrumented (coverage) build may report a revert by selector only. */
const stakingErrorSelectors = (() => {
  const selectors: string[] = [];
  Staking__factory.createInterface().forEachError((error) => {
    if (error.name.startsWith("Staking")) selectors.push(error.selector);
  });
  return selectors;
})();

/** Swallows a revert by one of Staking's own rules; rethrows anything else (a revert in the registry above all). */
function ignoreStakingRule(error: unknown): void {
  const text = String(error);
  if (/reverted with custom error 'Staking[A-Za-z]+\(/.test(text)) return;
  if (stakingErrorSelectors.some((selector) => text.includes(selector))) return;
  throw error;
}

type Operation =
  | { kind: "stake"; node: number; amount: bigint }
  | { kind: "unstake"; node: number; amount: bigint }
  | { kind: "slash"; node: number; amount: bigint }
  | { kind: "jail" | "unjail"; node: number }
  | { kind: "models"; node: number; mask: number }
  | { kind: "clear"; node: number; model: number }
  | { kind: "minimum"; minimum: bigint };

const node = fc.nat({ max: 2 });
const amount = fc.bigInt({ min: 1n, max: MINIMUM_STAKE * 4n });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant("stake" as const), node, amount }),
  fc.record({ kind: fc.constant("unstake" as const), node, amount }),
  fc.record({ kind: fc.constant("slash" as const), node, amount }),
  fc.record({ kind: fc.constantFrom("jail" as const, "unjail" as const), node }),
  fc.record({ kind: fc.constant("models" as const), node: fc.nat({ max: 1 }), mask: fc.nat({ max: 3 }) }),
  fc.record({ kind: fc.constant("clear" as const), node, model: fc.nat({ max: 1 }) }),
  fc.record({ kind: fc.constant("minimum" as const), minimum: fc.bigInt({ min: 1n, max: MINIMUM_STAKE * 3n }) }),
);

describe("NodeRegistry sortition (property)", function () {
  it("every tree's total and every node's weight follow stake, jail, models and the minimum", async function () {
    // A jail writes no model tree (O(1)): the weight an inference node held stays in its trees, stale, until it is
    // cleared, the node changes its models, or it is unjailed. Its weight is zero all the same and draws skip it.
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
        const fixture = await loadFixture(threeNodesFixture);
        const { nodeRegistry, staking, disputer, nodeA, nodeB, verifierA, modelA, modelB } = fixture;
        const nodes = [nodeA, nodeB, verifierA];
        const jailed = [false, false, false];
        const models: string[][] = [[modelA.id], [modelA.id, modelB.id], [modelA.id]];
        // What each jailed inference node still holds in each model's tree.
        const stale: Map<string, bigint>[] = [new Map(), new Map(), new Map()];
        let weights: bigint[] = [0n, 0n, 0n];
        const held = (i: number, model: string) =>
          jailed[i] ? (stale[i]!.get(model) ?? 0n) : models[i]!.includes(model) ? weights[i]! : 0n;

        for (const op of operations) {
          switch (op.kind) {
            case "stake":
              // Staking's own rules (a stake below the minimum, ...) may reject the operation; the registry must then
              // stay as it was, which the checks below see because they read the stake back from Staking.
              await staking.connect(nodes[op.node]!).stake(op.amount).catch(ignoreStakingRule);
              break;
            case "unstake":
              await staking.connect(nodes[op.node]!).requestUnstake(op.amount).catch(ignoreStakingRule);
              break;
            case "slash":
              await staking
                .connect(disputer)
                .slash(nodes[op.node]!.address, op.amount, [], [])
                .catch(ignoreStakingRule);
              break;
            case "jail":
              if (!jailed[op.node]) {
                await nodeRegistry.connect(disputer).jail(nodes[op.node]!.address);
                if (op.node !== 2) stale[op.node] = new Map(models[op.node]!.map((m) => [m, weights[op.node]!]));
              }
              jailed[op.node] = true;
              break;
            case "unjail":
              if (jailed[op.node]) await nodeRegistry.connect(disputer).unjail(nodes[op.node]!.address);
              jailed[op.node] = false;
              stale[op.node] = new Map();
              break;
            case "models":
              models[op.node] = [modelA.id, modelB.id].filter((_, i) => (op.mask >> i) & 1);
              await nodeRegistry.connect(nodes[op.node]!).updateModels(models[op.node]!);
              stale[op.node] = new Map();
              break;
            case "clear": {
              const model = [modelA.id, modelB.id][op.model]!;
              const call = nodeRegistry.connect(disputer).clearJailedWeight(nodes[op.node]!.address, model);
              if (!jailed[op.node]) {
                await expect(call).to.be.revertedWithCustomError(nodeRegistry, "NodeRegistryNotJailed");
              } else {
                const held = stale[op.node]!.get(model) ?? 0n;
                if (held > 0n) {
                  await expect(call)
                    .to.emit(nodeRegistry, "JailedWeightCleared")
                    .withArgs(nodes[op.node]!.address, model, held);
                } else {
                  await expect(call).not.to.emit(nodeRegistry, "JailedWeightCleared");
                }
                stale[op.node]!.delete(model);
              }
              break;
            }
            case "minimum":
              await staking.setMinimumStake(op.minimum);
              // `syncWeight` also clears a jailed node's stale weights.
              for (const n of nodes) await nodeRegistry.syncWeight(n.address);
              for (const i of [0, 1]) stale[i] = new Map();
              break;
          }

          const minimum = await staking.minimumStake();
          weights = [];
          for (const [i, n] of nodes.entries()) {
            const active = await staking.activeStakeOf(n.address);
            const inTree = i === 2 || models[i]!.length > 0;
            const expected = !jailed[i] && active >= minimum && inTree ? active : 0n;
            weights.push(expected);
            expect(await nodeRegistry.sortitionWeightOf(n.address)).to.equal(expected);
            expect(await nodeRegistry.isActive(n.address)).to.equal(!jailed[i] && active >= minimum);
          }
          for (const i of [0, 1]) {
            for (const model of [modelA.id, modelB.id]) {
              expect(await nodeRegistry.modelWeightOf(nodes[i]!.address, model)).to.equal(held(i, model));
            }
          }
          const modelTotal = (model: string) => [0, 1].reduce((sum, i) => sum + held(i, model), 0n);
          expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(modelTotal(modelA.id));
          expect(await nodeRegistry.totalModelWeight(modelB.id)).to.equal(modelTotal(modelB.id));
          expect(await nodeRegistry.totalVerifierWeight()).to.equal(weights[2]);
        }

        // Every draw lands on a node with weight in that tree, or on a jailed node's stale weight: then it draws
        // nobody (zero), now and at the last block alike.
        const total = await nodeRegistry.totalModelWeight(modelA.id);
        if (total > 0n) {
          const last = (await ethers.provider.getBlockNumber()) - 1;
          const weightedThen = (await nodeRegistry.totalModelWeightAt(modelA.id, last)) > 0n;
          for (let k = 0; k < 4; k++) {
            const seed = ethers.id(`${operations.length}/${k}`);
            const drawn = await nodeRegistry.drawNode(modelA.id, seed);
            if (drawn === ethers.ZeroAddress) continue;
            const index = nodes.findIndex((n) => n.address === drawn);
            expect(index === 0 || index === 1).to.equal(true);
            expect(jailed[index]).to.equal(false);
            expect(await nodeRegistry.sortitionWeightOf(drawn)).to.be.greaterThan(0n);
            if (!weightedThen) continue;
            const before = await nodeRegistry.drawNodeAt(modelA.id, seed, last);
            if (before !== ethers.ZeroAddress) expect(await nodeRegistry.jailedAt(before, last)).to.equal(false);
          }
          const live = [0, 1].reduce((sum, i) => (jailed[i] ? sum : sum + held(i, modelA.id)), 0n);
          if (live === 0n) {
            for (let k = 0; k < 4; k++) {
              expect(await nodeRegistry.drawNode(modelA.id, ethers.id(`none/${k}`))).to.equal(ethers.ZeroAddress);
            }
          }
        }
      }),
      { numRuns: propertyRuns(20) },
    );
  });
});
