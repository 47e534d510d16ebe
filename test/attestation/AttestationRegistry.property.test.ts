import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployAttestationFixture } from "../fixtures/attestation";
import { buildTree, makeReceipt, proofOf, randomHash, signBatchEthers, signReceiptEthers } from "../helpers/receipts";
import type { Batch } from "../helpers/receipts";

const RUNS = 20;

describe("AttestationRegistry properties", function () {
  it("a batch proves exactly its own leaves, each at its own proof", async function () {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), async (count, i, j) => {
        const f = await loadFixture(deployAttestationFixture);
        const receipts = Array.from({ length: count }, () => makeReceipt(f.nodeA.address, f.modelId));
        const tree = buildTree(receipts);
        const batch: Batch = {
          node: f.nodeA.address,
          sequence: 1n,
          root: tree.root,
          count: BigInt(count),
          dataHash: randomHash(),
        };
        await f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, f.domain, batch));
        const a = receipts[i % count];
        const b = receipts[j % count];
        expect(await f.registry.verifyInclusion(a, batch.root, proofOf(tree, a))).to.equal(true);
        expect(await f.registry.verifyInclusion(a, batch.root, proofOf(tree, b))).to.equal(a === b);
        const outsider = makeReceipt(f.nodeA.address, f.modelId);
        expect(await f.registry.verifyInclusion(outsider, batch.root, proofOf(tree, a))).to.equal(false);
      }),
      { numRuns: RUNS },
    );
  });

  it("accepts a node's batch sequences exactly in order, from 1, and never moves them back", async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 6 })), { minLength: 1, maxLength: 12 }),
        async (attempts) => {
          const f = await loadFixture(deployAttestationFixture);
          const expected = new Map<string, bigint>([
            [f.nodeA.address, 1n],
            [f.nodeB.address, 1n],
          ]);
          for (const [first, sequence] of attempts) {
            const node = first ? f.nodeA : f.nodeB;
            const batch: Batch = {
              node: node.address,
              sequence: BigInt(sequence),
              root: randomHash(),
              count: 1n,
              dataHash: randomHash(),
            };
            const sent = f.registry.submitBatch(batch, await signBatchEthers(node.signer, f.domain, batch));
            const next = expected.get(node.address) ?? 1n;
            if (batch.sequence === next) {
              await expect(sent).to.emit(f.registry, "BatchSubmitted");
              expected.set(node.address, next + 1n);
            } else {
              await expect(sent)
                .to.be.revertedWithCustomError(f.registry, "AttestationUnexpectedSequence")
                .withArgs(node.address, batch.sequence, next);
            }
            expect(await f.registry.nextSequence(node.address)).to.equal(expected.get(node.address));
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("accepts each (node, requestId) single receipt at most once", async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 10 }),
        async (attempts) => {
          const f = await loadFixture(deployAttestationFixture);
          const requestIds = [randomHash(), randomHash(), randomHash(), randomHash()];
          const seen = new Set<string>();
          for (const [first, r] of attempts) {
            const node = first ? f.nodeA : f.nodeB;
            const receipt = makeReceipt(node.address, f.modelId, { requestId: requestIds[r] });
            const sent = f.registry.submitReceipt(receipt, await signReceiptEthers(node.signer, f.domain, receipt));
            const key = `${node.address}:${receipt.requestId}`;
            if (seen.has(key)) {
              await expect(sent)
                .to.be.revertedWithCustomError(f.registry, "AttestationReceiptExists")
                .withArgs(node.address, receipt.requestId);
            } else {
              await expect(sent).to.emit(f.registry, "ReceiptSubmitted");
              seen.add(key);
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
