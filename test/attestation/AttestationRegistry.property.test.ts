import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { deployAttestationFixture } from "../fixtures/attestation";
import {
  buildTree,
  batchIdOf,
  hashReceipt,
  makeReceipt,
  proofOf,
  randomHash,
  signBatchEthers,
  signReceiptEthers,
} from "../helpers/receipts";
import type { Batch } from "../helpers/receipts";
import { propertyRuns } from "../helpers/propertyRuns";

const RUNS = 20;

/** Mirrors `IAttestationRegistry.ReceiptState`. */
enum State {
  None,
  Disputed,
  Upheld,
  Rejected,
}

type Op = { kind: "advance"; seconds: number } | { kind: "open" | "resolve" | "expire"; target: 0 | 1; wrong: boolean };

async function disputeLifecycleFixture() {
  const f = await deployAttestationFixture();
  const single = makeReceipt(f.nodeA.address, f.modelId);
  await f.registry.submitReceipt(single, await signReceiptEthers(f.nodeA.signer, f.domain, single));
  const receipts = [makeReceipt(f.nodeA.address, f.modelId), makeReceipt(f.nodeA.address, f.modelId)];
  const tree = buildTree(receipts);
  const batch: Batch = { node: f.nodeA.address, sequence: 1n, root: tree.root, count: 2n, dataHash: randomHash() };
  await f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, f.domain, batch));
  const targets = [
    { receipt: single, batchId: ethers.ZeroHash, proof: [] as string[] },
    { receipt: receipts[0], batchId: batchIdOf(batch.node, batch.root), proof: proofOf(tree, receipts[0]) },
  ];
  const windowEnds: bigint[] = [];
  for (const t of targets) {
    const status = await f.registry.getReceipt(t.receipt);
    windowEnds.push(
      t.batchId === ethers.ZeroHash ? status.windowEnd : (await f.registry.getBatch(t.batchId)).windowEnd,
    );
  }
  return { ...f, targets, windowEnds };
}

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
        const id = batchIdOf(batch.node, batch.root);
        expect(await f.registry.verifyInclusion(a, id, proofOf(tree, a))).to.equal(true);
        expect(await f.registry.verifyInclusion(a, id, proofOf(tree, b))).to.equal(a === b);
        const outsider = makeReceipt(f.nodeA.address, f.modelId);
        expect(await f.registry.verifyInclusion(outsider, id, proofOf(tree, a))).to.equal(false);
      }),
      { numRuns: propertyRuns(RUNS) },
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
      { numRuns: propertyRuns(RUNS) },
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
      { numRuns: propertyRuns(RUNS) },
    );
  });

  it("never finalizes a receipt under an open dispute or found wrong, opens disputes only inside the window, and extends the window by every undecided dispute", async function () {
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant("advance" as const), seconds: fc.integer({ min: 1, max: 1_500 }) }),
      fc.record({
        kind: fc.constantFrom("open" as const, "resolve" as const, "expire" as const),
        target: fc.constantFrom(0 as const, 1 as const),
        wrong: fc.boolean(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const { registry, disputer, targets, windowEnds: attested } = await loadFixture(disputeLifecycleFixture);
        const windowEnds = [...attested];
        const disputedAt = [0n, 0n];
        const states = [State.None, State.None];
        let now = BigInt(await time.latest());
        for (const op of ops) {
          if (op.kind === "advance") {
            now += BigInt(op.seconds);
            await time.increaseTo(now);
          } else {
            const { receipt, batchId, proof } = targets[op.target];
            const receiptHash = hashReceipt(receipt);
            const at = now + 1n;
            await time.setNextBlockTimestamp(at);
            if (op.kind === "open") {
              const sent = registry.connect(disputer).openDispute(receipt, batchId, proof);
              if (at >= windowEnds[op.target]) {
                await expect(sent)
                  .to.be.revertedWithCustomError(registry, "AttestationWindowClosed")
                  .withArgs(receiptHash, windowEnds[op.target], at);
              } else if (states[op.target] !== State.None) {
                await expect(sent)
                  .to.be.revertedWithCustomError(registry, "AttestationUnexpectedReceiptState")
                  .withArgs(receiptHash, states[op.target], State.None);
              } else {
                await expect(sent).to.emit(registry, "ReceiptDisputed");
                states[op.target] = State.Disputed;
                disputedAt[op.target] = at;
                now = at;
              }
            } else if (op.kind === "expire") {
              const sent = registry.connect(disputer).expireDispute(receiptHash);
              if (states[op.target] !== State.Disputed) {
                await expect(sent)
                  .to.be.revertedWithCustomError(registry, "AttestationUnexpectedReceiptState")
                  .withArgs(receiptHash, states[op.target], State.Disputed);
              } else {
                // Undecided: challengeable again, the window moved by the time it was frozen.
                windowEnds[op.target] += at - disputedAt[op.target];
                await expect(sent)
                  .to.emit(registry, "ReceiptDisputeExpired")
                  .withArgs(receiptHash, windowEnds[op.target]);
                states[op.target] = State.None;
                now = at;
              }
            } else {
              const sent = registry.connect(disputer).resolveDispute(receiptHash, op.wrong);
              if (states[op.target] !== State.Disputed) {
                await expect(sent)
                  .to.be.revertedWithCustomError(registry, "AttestationUnexpectedReceiptState")
                  .withArgs(receiptHash, states[op.target], State.Disputed);
              } else {
                await expect(sent).to.emit(registry, "ReceiptDisputeResolved").withArgs(receiptHash, op.wrong);
                states[op.target] = op.wrong ? State.Rejected : State.Upheld;
                now = at;
              }
            }
          }
          now = BigInt(await time.latest());
          for (const i of [0, 1]) {
            const { receipt, batchId, proof } = targets[i];
            const final = now >= windowEnds[i] && (states[i] === State.None || states[i] === State.Upheld);
            expect(await registry.isFinal(receipt, batchId, proof)).to.equal(final);
            expect(await registry.receiptState(hashReceipt(receipt))).to.equal(BigInt(states[i]));
          }
        }
      }),
      { numRuns: propertyRuns(25) },
    );
  });
});
