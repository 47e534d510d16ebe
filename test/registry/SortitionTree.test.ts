import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { propertyRuns } from "../helpers/propertyRuns";

async function deployHarnessFixture() {
  const harness = await ethers.deployContract("SortitionTreeHarness");
  return { harness };
}

const key = (i: number) => ethers.getAddress(`0x${(i + 1).toString(16).padStart(40, "0")}`);

/**
 * A naive model of the tree: keys in slot order (a key gets its slot on its first non-zero weight and keeps it), and
 * a draw scans cumulative ranges `[sum before, sum including)` in that order.
 */
class TreeModel {
  readonly order: string[] = [];
  readonly weights = new Map<string, bigint>();

  set(k: string, weight: bigint): void {
    if (!this.order.includes(k) && weight > 0n) this.order.push(k);
    this.weights.set(k, weight);
  }

  total(): bigint {
    return [...this.weights.values()].reduce((a, b) => a + b, 0n);
  }

  /** Every key with its cumulative range, in slot order. */
  ranges(): { key: string; from: bigint; to: bigint }[] {
    let cumulative = 0n;
    return this.order.map((k) => {
      const from = cumulative;
      cumulative += this.weights.get(k) ?? 0n;
      return { key: k, from, to: cumulative };
    });
  }

  draw(value: bigint): string {
    const hit = this.ranges().find((range) => value >= range.from && value < range.to);
    if (hit === undefined) throw new Error(`value ${value} out of range`);
    return hit.key;
  }
}

describe("SortitionTree", function () {
  describe("an empty tree", function () {
    it("has zero total and zero weights", async function () {
      const { harness } = await loadFixture(deployHarnessFixture);
      expect(await harness.total()).to.equal(0n);
      expect(await harness.weightOf(key(0))).to.equal(0n);
    });

    it("ignores a zero weight for a new key", async function () {
      const { harness } = await loadFixture(deployHarnessFixture);
      await harness.set(key(0), 0n);
      await harness.set(key(1), 4n);
      expect(await harness.total()).to.equal(4n);
      expect(await harness.draw(0n)).to.equal(key(1));
    });
  });

  it("draws each key over exactly its cumulative range, and never a zero-weight key", async function () {
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
    expect(await harness.weightOf(key(0))).to.equal(1n);
    expect(await harness.weightOf(key(1))).to.equal(4n);
    expect(await harness.weightOf(key(2))).to.equal(0n);
    expect(await harness.draw(0n)).to.equal(key(0));
    expect(await harness.draw(1n)).to.equal(key(1));
    expect(await harness.draw(4n)).to.equal(key(1));
  });

  it("keeps a removed key's slot: its range comes back in place when it gets weight again", async function () {
    const { harness } = await loadFixture(deployHarnessFixture);
    await harness.setMany([key(0), key(1), key(2)], [2n, 3n, 4n]);
    await harness.set(key(1), 0n);
    await harness.set(key(3), 1n);
    await harness.set(key(1), 3n);
    // Slot order is 0, 1, 2, 3: ranges [0,2) [2,5) [5,9) [9,10).
    for (const [value, expected] of [
      [1n, key(0)],
      [2n, key(1)],
      [4n, key(1)],
      [5n, key(2)],
      [8n, key(2)],
      [9n, key(3)],
    ] as const) {
      expect(await harness.draw(value)).to.equal(expected);
    }
  });

  it("handles lengths that are and are not powers of two (1 to 33 keys)", async function () {
    const { harness } = await loadFixture(deployHarnessFixture);
    for (let n = 1; n <= 33; n++) {
      await harness.set(key(n - 1), BigInt(n));
      const total = BigInt((n * (n + 1)) / 2);
      expect(await harness.total()).to.equal(total);
      // Key i (weight i + 1) covers [i(i+1)/2, (i+1)(i+2)/2): check the first and the last value of the newest key.
      expect(await harness.draw(total - BigInt(n))).to.equal(key(n - 1));
      expect(await harness.draw(total - 1n)).to.equal(key(n - 1));
      if (n > 1) expect(await harness.draw(total - BigInt(n) - 1n)).to.equal(key(n - 2));
    }
  });

  describe("at a past block", function () {
    it("draws with the weights of the end of that block, whatever changed after", async function () {
      const { harness } = await loadFixture(deployHarnessFixture);
      await harness.setMany([key(0), key(1), key(2)], [5n, 2n, 3n]);
      const before = await ethers.provider.getBlockNumber();
      // Later: key 0 leaves, key 1 grows, and two new slots are appended.
      await harness.set(key(0), 0n);
      await harness.set(key(1), 40n);
      await harness.setMany([key(3), key(4)], [7n, 9n]);
      expect(await harness.totalAt(before)).to.equal(10n);
      expect(await harness.weightAt(key(0), before)).to.equal(5n);
      expect(await harness.weightAt(key(1), before)).to.equal(2n);
      expect(await harness.weightAt(key(3), before)).to.equal(0n);
      for (let value = 0n; value < 10n; value++) {
        expect(await harness.drawAt(value, before)).to.equal(value < 5n ? key(0) : value < 7n ? key(1) : key(2));
      }
      expect(await harness.total()).to.equal(59n);
      expect(await harness.draw(0n)).to.equal(key(1));
    });

    it("reverts for a value at or above the total of that block", async function () {
      const { harness } = await loadFixture(deployHarnessFixture);
      const empty = await ethers.provider.getBlockNumber();
      await harness.set(key(0), 3n);
      const once = await ethers.provider.getBlockNumber();
      await harness.set(key(0), 8n);
      await expect(harness.drawAt(0n, empty))
        .to.be.revertedWithCustomError(harness, "SortitionTreeDrawOutOfRange")
        .withArgs(0n, 0n);
      await expect(harness.drawAt(3n, once))
        .to.be.revertedWithCustomError(harness, "SortitionTreeDrawOutOfRange")
        .withArgs(3n, 3n);
    });
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
      await harness.set(key(0), 0n);
      await expect(harness.draw(0n))
        .to.be.revertedWithCustomError(harness, "SortitionTreeDrawOutOfRange")
        .withArgs(0n, 0n);
    });
  });

  describe("properties", function () {
    const weight = fc.oneof(
      fc.constant(0n),
      fc.bigInt({ min: 1n, max: 1000n }),
      fc.bigInt({ min: 1n, max: 10n ** 27n }),
    );
    const operations = fc.array(fc.tuple(fc.nat({ max: 39 }), weight), { minLength: 1, maxLength: 60 });

    it("total equals the sum, and draw(v) is the key whose cumulative range contains v, at every boundary and at random v", async function () {
      await fc.assert(
        fc.asyncProperty(
          operations,
          fc.array(fc.bigInt({ min: 0n, max: 2n ** 128n }), { minLength: 1, maxLength: 10 }),
          async (ops, randoms) => {
            const { harness } = await loadFixture(deployHarnessFixture);
            const model = new TreeModel();
            await harness.setMany(
              ops.map(([i]) => key(i)),
              ops.map(([, w]) => w),
            );
            for (const [i, w] of ops) model.set(key(i), w);

            const total = model.total();
            expect(await harness.total()).to.equal(total);
            for (const [k, w] of model.weights) expect(await harness.weightOf(k)).to.equal(w);
            if (total === 0n) return;

            const values = new Set<bigint>(randoms.map((r) => r % total));
            for (const range of model.ranges()) {
              if (range.to === range.from) continue;
              values.add(range.from);
              values.add(range.to - 1n);
            }
            for (const value of values) expect(await harness.draw(value)).to.equal(model.draw(value));
          },
        ),
        { numRuns: propertyRuns(30) },
      );
    });

    it("at every past block, drawAt, weightAt and totalAt agree with a model of that block", async function () {
      await fc.assert(
        fc.asyncProperty(
          fc.array(operations, { minLength: 1, maxLength: 5 }),
          fc.array(fc.bigInt({ min: 0n, max: 2n ** 128n }), { minLength: 1, maxLength: 6 }),
          async (blocks, randoms) => {
            const { harness } = await loadFixture(deployHarnessFixture);
            const model = new TreeModel();
            const snapshots: { block: number; weights: Map<string, bigint>; model: TreeModel }[] = [];
            for (const ops of blocks) {
              await harness.setMany(
                ops.map(([i]) => key(i)),
                ops.map(([, w]) => w),
              );
              for (const [i, w] of ops) model.set(key(i), w);
              const copy = new TreeModel();
              copy.order.push(...model.order);
              for (const [k, w] of model.weights) copy.weights.set(k, w);
              snapshots.push({ block: await ethers.provider.getBlockNumber(), weights: copy.weights, model: copy });
            }
            for (const snapshot of snapshots) {
              const total = snapshot.model.total();
              expect(await harness.totalAt(snapshot.block)).to.equal(total);
              for (const [k, w] of snapshot.weights) expect(await harness.weightAt(k, snapshot.block)).to.equal(w);
              if (total === 0n) continue;
              for (const r of randoms) {
                const value = r % total;
                expect(await harness.drawAt(value, snapshot.block)).to.equal(snapshot.model.draw(value));
              }
            }
          },
        ),
        { numRuns: propertyRuns(15) },
      );
    });

    it("sweeping every value draws each key exactly as often as its weight", async function () {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat({ max: 9 }), fc.bigInt({ min: 0n, max: 8n })), { minLength: 1, maxLength: 20 }),
          async (ops) => {
            const { harness } = await loadFixture(deployHarnessFixture);
            const model = new TreeModel();
            for (const [i, w] of ops) {
              await harness.set(key(i), w);
              model.set(key(i), w);
            }
            const total = await harness.total();
            const counts = new Map<string, bigint>();
            for (let value = 0n; value < total; value++) {
              const drawn = await harness.draw(value);
              counts.set(drawn, (counts.get(drawn) ?? 0n) + 1n);
            }
            for (const [k, w] of model.weights) expect(counts.get(k) ?? 0n).to.equal(w);
          },
        ),
        { numRuns: propertyRuns(15) },
      );
    });
  });
});
