import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, setCode } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { getAddress, hashStruct, hashTypedData, keccak256, toHex } from "viem";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  buildReceiptBatch,
  getBatchId,
  getBatchDigest,
  getBatchStructHash,
  getDomainSeparatorHex,
  getReceiptDigest,
  getReceiptLeaf,
  getReceiptStructHash,
  signBatch,
  signReceipt,
  verityTypes,
  verifyReceiptProof,
} from "../../src/protocol";
import type { Receipt, ReceiptBatch } from "../../src/protocol";
import { deployAttestationFixture } from "../fixtures/attestation";
import vectors from "../../docs/vectors/receipts.json";
import { propertyRuns } from "../helpers/propertyRuns";

// Three implementations must agree: the deployed registry (Solidity), `src/protocol` (the project's TypeScript
// mirror), and viem's generic EIP-712 `hashStruct` / `hashTypedData` with OpenZeppelin's StandardMerkleTree.

const RUNS = 40;

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(toHex(b)));
const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const uint32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });

const receiptArb: fc.Arbitrary<Receipt> = fc.record({
  requestId: bytes32,
  modelId: bytes32,
  inputHash: bytes32,
  outputHash: bytes32,
  traceRoot: bytes32,
  node: address,
  issuedAt: uint64,
});

const batchArb: fc.Arbitrary<ReceiptBatch> = fc.record({
  node: address,
  sequence: uint64,
  root: bytes32,
  count: uint32,
  dataHash: bytes32,
});

const RECEIPT_TYPES = { InferenceReceipt: verityTypes.InferenceReceipt };
const BATCH_TYPES = { ReceiptBatch: verityTypes.ReceiptBatch };

async function crosscheckFixture() {
  const f = await deployAttestationFixture();
  const domain = { chainId: f.domain.chainId, verifyingContract: f.domain.verifyingContract as Address };
  const viemDomain = { ...f.domain, verifyingContract: domain.verifyingContract };
  const account = privateKeyToAccount(f.nodeA.signer.privateKey as Hex);
  return { ...f, protocolDomain: domain, viemDomain, account };
}

describe("AttestationRegistry cross-check with src/protocol and viem", function () {
  it("has the domain separator src/protocol computes", async function () {
    const { registry, protocolDomain } = await loadFixture(crosscheckFixture);
    expect(await registry.domainSeparator()).to.equal(getDomainSeparatorHex(protocolDomain));
  });

  it("reproduces the known-answer vectors of docs/vectors/receipts.json", async function () {
    const { registry } = await loadFixture(crosscheckFixture);
    // The vectors' domain names 0xcccc…cccc as verifying contract: run the registry's code there (EIP712 rebuilds
    // its separator from address(this) when it is not the deployment address).
    await setCode(vectors.domain.verifyingContract, await ethers.provider.getCode(await registry.getAddress()));
    const atVectorAddress = registry.attach(vectors.domain.verifyingContract) as typeof registry;
    expect(await atVectorAddress.domainSeparator()).to.equal(vectors.domain.separator);
    for (const vector of vectors.receipts) {
      const receipt = { ...vector.receipt, issuedAt: BigInt(vector.receipt.issuedAt) };
      expect(await registry.hashReceipt(receipt)).to.equal(vector.structHash);
      expect(await registry.receiptLeaf(receipt)).to.equal(vector.leaf);
      expect(await atVectorAddress.receiptDigest(receipt)).to.equal(vector.digest);
      expect(ethers.recoverAddress(vector.digest, vector.signature)).to.equal(vectors.signer);
    }
    const batch = {
      node: vectors.receipts[0].receipt.node,
      sequence: BigInt(vectors.batch.sequence),
      root: vectors.batch.root,
      count: vectors.batch.count,
      dataHash: vectors.batch.dataHash,
    };
    expect(await registry.hashBatch(batch)).to.equal(vectors.batch.structHash);
    expect(await atVectorAddress.batchDigest(batch)).to.equal(vectors.batch.digest);
  });

  it("receipt struct hashes, digests and leaves agree on random receipts", async function () {
    const { registry, protocolDomain, viemDomain } = await loadFixture(crosscheckFixture);
    await fc.assert(
      fc.asyncProperty(receiptArb, async (receipt) => {
        const structHash = getReceiptStructHash(receipt);
        expect(await registry.hashReceipt(receipt)).to.equal(structHash);
        expect(hashStruct({ data: receipt, primaryType: "InferenceReceipt", types: RECEIPT_TYPES })).to.equal(
          structHash,
        );

        const digest = getReceiptDigest(receipt, protocolDomain);
        expect(await registry.receiptDigest(receipt)).to.equal(digest);
        expect(
          hashTypedData({
            domain: viemDomain,
            types: RECEIPT_TYPES,
            primaryType: "InferenceReceipt",
            message: receipt,
          }),
        ).to.equal(digest);

        const leaf = getReceiptLeaf(receipt);
        expect(await registry.receiptLeaf(receipt)).to.equal(leaf);
        expect(StandardMerkleTree.of([[structHash]], ["bytes32"]).leafHash([structHash])).to.equal(leaf);
      }),
      { numRuns: propertyRuns(RUNS) },
    );
  });

  it("batch struct hashes and digests agree on random batches", async function () {
    const { registry, protocolDomain, viemDomain } = await loadFixture(crosscheckFixture);
    await fc.assert(
      fc.asyncProperty(batchArb, async (batch) => {
        const structHash = getBatchStructHash(batch);
        expect(await registry.hashBatch(batch)).to.equal(structHash);
        expect(hashStruct({ data: batch, primaryType: "ReceiptBatch", types: BATCH_TYPES })).to.equal(structHash);
        const digest = getBatchDigest(batch, protocolDomain);
        expect(await registry.batchDigest(batch)).to.equal(digest);
        expect(
          hashTypedData({ domain: viemDomain, types: BATCH_TYPES, primaryType: "ReceiptBatch", message: batch }),
        ).to.equal(digest);
      }),
      { numRuns: propertyRuns(RUNS) },
    );
  });

  it("batches built and signed by src/protocol are accepted, and every proof verifies on chain", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(receiptArb, { minLength: 1, maxLength: 40 }), async (generated) => {
        const { registry, nodeA, protocolDomain, account } = await loadFixture(crosscheckFixture);
        const node = nodeA.address as Address;
        const built = buildReceiptBatch(generated.map((r) => ({ ...r, node })));
        const ozTree = StandardMerkleTree.of(
          built.receipts.map((r) => [getReceiptStructHash(r)]),
          ["bytes32"],
        );
        expect(ozTree.root).to.equal(built.root);

        const batch: ReceiptBatch = {
          node,
          sequence: 1n,
          root: built.root,
          count: built.count,
          dataHash: keccak256(toHex(built.leaves.join(""))),
        };
        await expect(
          registry.submitBatch(batch, await signBatch({ signer: account, domain: protocolDomain, batch })),
        ).to.emit(registry, "BatchSubmitted");
        for (let i = 0; i < built.count; i++) {
          const [receipt, proof] = [built.receipts[i], built.proofs[i]];
          expect(verifyReceiptProof({ receipt, proof, root: built.root })).to.equal(true);
          expect(await registry.verifyInclusion(receipt, getBatchId({ node, root: built.root }), proof)).to.equal(true);
        }
      }),
      { numRuns: propertyRuns(10) },
    );
  });

  it("receipts signed by src/protocol are accepted", async function () {
    await fc.assert(
      fc.asyncProperty(receiptArb, async (generated) => {
        const { registry, nodeA, modelId, protocolDomain, account } = await loadFixture(crosscheckFixture);
        const receipt: Receipt = { ...generated, node: nodeA.address as Address, modelId: modelId as Hex };
        const signature = await signReceipt({ signer: account, domain: protocolDomain, receipt });
        await expect(registry.submitReceipt(receipt, signature))
          .to.emit(registry, "ReceiptSubmitted")
          .withArgs(
            getReceiptStructHash(receipt),
            receipt.node,
            receipt.requestId,
            receipt.modelId,
            receipt.inputHash,
            receipt.outputHash,
            receipt.traceRoot,
            receipt.issuedAt,
            (value: bigint) => value > 0n,
          );
      }),
      { numRuns: propertyRuns(10) },
    );
  });
});
