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
  | { kind: "minimum"; minimum: bigint };

const node = fc.nat({ max: 2 });
const amount = fc.bigInt({ min: 1n, max: MINIMUM_STAKE * 4n });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant("stake" as const), node, amount }),
  fc.record({ kind: fc.constant("unstake" as const), node, amount }),
  fc.record({ kind: fc.constant("slash" as const), node, amount }),
  fc.record({ kind: fc.constantFrom("jail" as const, "unjail" as const), node }),
  fc.record({ kind: fc.constant("models" as const), node: fc.nat({ max: 1 }), mask: fc.nat({ max: 3 }) }),
  fc.record({ kind: fc.constant("minimum" as const), minimum: fc.bigInt({ min: 1n, max: MINIMUM_STAKE * 3n }) }),
);

describe("NodeRegistry sortition (property)", function () {
  it("every tree's total and every node's weight follow stake, jail, models and the minimum", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
        const fixture = await loadFixture(threeNodesFixture);
        const { nodeRegistry, staking, disputer, nodeA, nodeB, verifierA, modelA, modelB } = fixture;
        const nodes = [nodeA, nodeB, verifierA];
        const jailed = [false, false, false];
        const models: string[][] = [[modelA.id], [modelA.id, modelB.id], [modelA.id]];

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
              if (!jailed[op.node]) await nodeRegistry.connect(disputer).jail(nodes[op.node]!.address);
              jailed[op.node] = true;
              break;
            case "unjail":
              if (jailed[op.node]) await nodeRegistry.connect(disputer).unjail(nodes[op.node]!.address);
              jailed[op.node] = false;
              break;
            case "models":
              models[op.node] = [modelA.id, modelB.id].filter((_, i) => (op.mask >> i) & 1);
              await nodeRegistry.connect(nodes[op.node]!).updateModels(models[op.node]!);
              break;
            case "minimum":
              await staking.setMinimumStake(op.minimum);
              for (const n of nodes) await nodeRegistry.syncWeight(n.address);
              break;
          }

          const minimum = await staking.minimumStake();
          const weights: bigint[] = [];
          for (const [i, n] of nodes.entries()) {
            const active = await staking.activeStakeOf(n.address);
            const inTree = i === 2 || models[i]!.length > 0;
            const expected = !jailed[i] && active >= minimum && inTree ? active : 0n;
            weights.push(expected);
            expect(await nodeRegistry.sortitionWeightOf(n.address)).to.equal(expected);
            expect(await nodeRegistry.isActive(n.address)).to.equal(!jailed[i] && active >= minimum);
          }
          const modelTotal = (model: string) =>
            [0, 1].reduce((sum, i) => (models[i]!.includes(model) ? sum + weights[i]! : sum), 0n);
          expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(modelTotal(modelA.id));
          expect(await nodeRegistry.totalModelWeight(modelB.id)).to.equal(modelTotal(modelB.id));
          expect(await nodeRegistry.totalVerifierWeight()).to.equal(weights[2]);
        }

        // Every draw lands on a node with weight in that tree.
        const total = await nodeRegistry.totalModelWeight(modelA.id);
        if (total > 0n) {
          const drawn = await nodeRegistry.drawNode(modelA.id, ethers.id(JSON.stringify(operations.length)));
          const index = nodes.findIndex((n) => n.address === drawn);
          expect(index === 0 || index === 1).to.equal(true);
          expect(await nodeRegistry.sortitionWeightOf(drawn)).to.be.greaterThan(0n);
        }
      }),
      { numRuns: propertyRuns(20) },
    );
  });
});
