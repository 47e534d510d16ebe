import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

async function deployHarnessFixture() {
  const harness = await ethers.deployContract("SortitionTreeHarness");
  return { harness };
}

const key = (i: number) => ethers.getAddress(`0x${(i + 1).toString(16).padStart(40, "0")}`);

/** The key whose cumulative range contains `value`, computed naively from the weights. */
function expectedDraw(weights: bigint[], value: bigint): string {
  let cumulative = 0n;
  for (const [i, weight] of weights.entries()) {
    cumulative += weight;
    if (value < cumulative) return key(i);
  }
  throw new Error("value out of range");
}

describe("SortitionTree", function () {
  it("draws each key over exactly its cumulative range", async function () {
    const { harness } = await loadFixture(deployHarnessFixture);
    await harness.setMany([key(0), key(1), key(2)], [5n, 0n, 3n]);
    expect(await harness.total()).to.equal(8n);
    for (let value = 0n; value < 8n; value++) {
      expect(await harness.draw(value)).to.equal(value < 5n ? key(0) : key(2));
    }
  });

  it("follows weight increases, decreases and removal", async function () {
    const { harness } = await loadFixture(deployHarnessFixture);
    await harness.setMany([key(0), key(1), key(2)], [5n, 2n, 3n]);
    await harness.set(key(0), 1n);
    await harness.set(key(1), 4n);
    await harness.set(key(2), 0n);
    await harness.set(key(1), 4n);
    expect(await harness.total()).to.equal(5n);
    expect(await harness.weightOf(key(2))).to.equal(0n);
    expect(await harness.draw(0n)).to.equal(key(0));
    expect(await harness.draw(4n)).to.equal(key(1));
  });

  describe("reverts", function () {
    it("for a draw at or above the total", async function () {
      const { harness } = await loadFixture(deployHarnessFixture);
      await expect(harness.draw(0n))
        .to.be.revertedWithCustomError(harness, "SortitionTreeDrawOutOfRange")
        .withArgs(0n, 0n);
      await harness.set(key(0), 7n);
      await expect(harness.draw(7n))
        .to.be.revertedWithCustomError(harness, "SortitionTreeDrawOutOfRange")
        .withArgs(7n, 7n);
    });
  });

  it("agrees with a naive cumulative scan for random weights, updates and draws (property)", async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 24n }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.bigInt({ min: 0n, max: 10n ** 24n })), { maxLength: 10 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 8 }),
        async (initial, updates, fractions) => {
          const { harness } = await loadFixture(deployHarnessFixture);
          const weights = [...initial];
          await harness.setMany(
            weights.map((_, i) => key(i)),
            weights,
          );
          for (const [index, weight] of updates) {
            const i = index % weights.length;
            weights[i] = weight;
            await harness.set(key(i), weight);
          }
          const total = weights.reduce((a, b) => a + b, 0n);
          expect(await harness.total()).to.equal(total);
          if (total === 0n) return;
          const values = [0n, total - 1n, ...fractions.map((f) => (total * BigInt(Math.floor(f * 1e9))) / 10n ** 9n)];
          for (const value of values) expect(await harness.draw(value)).to.equal(expectedDraw(weights, value));
        },
      ),
      { numRuns: 25 },
    );
  });
});
