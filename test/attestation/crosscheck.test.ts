import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { encodeAbiParameters, getAddress, hashStruct, hashTypedData, keccak256, toHex } from "viem";
import type { Hex } from "viem";
import { deployAttestationFixture } from "../fixtures/attestation";
import { BATCH_TYPES, RECEIPT_TYPES, signBatchEthers } from "../helpers/receipts";
import type { Batch, Receipt } from "../helpers/receipts";

const RUNS = 40;

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(toHex(b)));
const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const uint32 = fc.bigInt({ min: 0n, max: 2n ** 32n - 1n });

const receiptArb: fc.Arbitrary<Receipt> = fc.record({
  requestId: bytes32,
  modelId: bytes32,
  inputHash: bytes32,
  outputHash: bytes32,
  traceRoot: bytes32,
  node: address,
  issuedAt: uint64,
});

const batchArb: fc.Arbitrary<Batch> = fc.record({
  node: address,
  sequence: uint64,
  root: bytes32,
  count: uint32,
  dataHash: bytes32,
});

/** viem's view of a receipt (an EIP-712 implementation independent of ethers and of the contract). */
function viemReceipt(r: Receipt) {
  return {
    requestId: r.requestId as Hex,
    modelId: r.modelId as Hex,
    inputHash: r.inputHash as Hex,
    outputHash: r.outputHash as Hex,
    traceRoot: r.traceRoot as Hex,
    node: r.node as Hex,
    issuedAt: r.issuedAt,
  };
}

function viemBatch(b: Batch) {
  return {
    node: b.node as Hex,
    sequence: b.sequence,
    root: b.root as Hex,
    count: Number(b.count),
    dataHash: b.dataHash as Hex,
  };
}

function viemLeaf(structHash: Hex): Hex {
  return keccak256(keccak256(encodeAbiParameters([{ type: "bytes32" }], [structHash])));
}

describe("AttestationRegistry cross-check with TypeScript (viem)", function () {
  it("receipt struct hashes, digests and leaves agree on random receipts", async function () {
    const { registry, domain } = await loadFixture(deployAttestationFixture);
    const viemDomain = { ...domain, verifyingContract: domain.verifyingContract as Hex };
    await fc.assert(
      fc.asyncProperty(receiptArb, async (receipt) => {
        const message = viemReceipt(receipt);
        const structHash = hashStruct({ data: message, primaryType: "InferenceReceipt", types: RECEIPT_TYPES });
        expect(await registry.hashReceipt(receipt)).to.equal(structHash);
        expect(await registry.receiptDigest(receipt)).to.equal(
          hashTypedData({ domain: viemDomain, types: RECEIPT_TYPES, primaryType: "InferenceReceipt", message }),
        );
        const leaf = viemLeaf(structHash);
        expect(await registry.receiptLeaf(receipt)).to.equal(leaf);
        expect(StandardMerkleTree.of([[structHash]], ["bytes32"]).leafHash([structHash])).to.equal(leaf);
      }),
      { numRuns: RUNS },
    );
  });

  it("batch struct hashes and digests agree on random batches", async function () {
    const { registry, domain } = await loadFixture(deployAttestationFixture);
    const viemDomain = { ...domain, verifyingContract: domain.verifyingContract as Hex };
    await fc.assert(
      fc.asyncProperty(batchArb, async (batch) => {
        const message = viemBatch(batch);
        expect(await registry.hashBatch(batch)).to.equal(
          hashStruct({ data: message, primaryType: "ReceiptBatch", types: BATCH_TYPES }),
        );
        expect(await registry.batchDigest(batch)).to.equal(
          hashTypedData({ domain: viemDomain, types: BATCH_TYPES, primaryType: "ReceiptBatch", message }),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it("roots built in TypeScript verify every leaf on chain", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(receiptArb, { minLength: 1, maxLength: 40 }), async (generated) => {
        const f = await loadFixture(deployAttestationFixture);
        const receipts = generated.map((r) => ({ ...r, node: f.nodeA.address }));
        const hashes = receipts.map((r) =>
          hashStruct({ data: viemReceipt(r), primaryType: "InferenceReceipt", types: RECEIPT_TYPES }),
        );
        const tree = StandardMerkleTree.of(
          hashes.map((h) => [h]),
          ["bytes32"],
        );
        const batch: Batch = {
          node: f.nodeA.address,
          sequence: 1n,
          root: tree.root,
          count: BigInt(receipts.length),
          dataHash: keccak256(toHex(hashes.join(""))),
        };
        await f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, f.domain, batch));
        for (let i = 0; i < receipts.length; i++) {
          expect(await f.registry.verifyInclusion(receipts[i], tree.root, tree.getProof([hashes[i]]))).to.equal(true);
        }
      }),
      { numRuns: 10 },
    );
  });
});
