import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import receiptVectors from "../../docs/vectors/receipts.json";
import tensorVectors from "../../docs/vectors/tensors.json";
import { HALF_N, malformedVariants, word } from "../helpers/malformedSignatures";
import {
  type Receipt,
  type Tensor,
  buildReceiptBatch,
  bytesToHex,
  createTensor,
  encodeTensor,
  getBatchDigest,
  getReceiptDigest,
  getReceiptLeaf,
  getReceiptStructHash,
  getTensorHash,
  hexToBytes,
  InvalidSignatureError,
  nativeEngine,
  nobleEngine,
  parseReceipt,
  signReceipt,
  tensorDtypes,
  toHighSSignature,
} from "../../src/protocol";

async function deployHarnessesFixture() {
  const tensorHash = await ethers.deployContract("TensorHashHarness");
  const receiptHash = await ethers.deployContract("ReceiptHashHarness");
  const { chainId } = await ethers.provider.getNetwork();
  const domain = { chainId, verifyingContract: (await receiptHash.getAddress()) as Hex };
  return { tensorHash, receiptHash, domain };
}

function dataOf(tensor: Tensor): Hex {
  const encoding = encodeTensor(tensor);
  return bytesToHex(encoding.subarray(3 + 4 * tensor.shape.length));
}

describe("protocol on chain", function () {
  describe("TensorHash", function () {
    it("hashes every known-answer vector like getTensorHash", async function () {
      const { tensorHash } = await loadFixture(deployHarnessesFixture);
      for (const v of tensorVectors.tensors) {
        expect(await tensorHash.hash(v.dtypeCode, v.shape, v.data)).to.equal(v.hash, v.name);
        expect(await tensorHash.encode(v.dtypeCode, v.shape, v.data)).to.equal(v.encoding, v.name);
      }
    });

    it("agrees with getTensorHash on random tensors", async function () {
      const { tensorHash } = await loadFixture(deployHarnessesFixture);
      const arbShape = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 3 });
      const arbTensor = fc
        .tuple(fc.constantFrom(...(Object.keys(tensorDtypes) as (keyof typeof tensorDtypes)[])), arbShape)
        .chain(([dtype, shape]) => {
          const size = shape.reduce((a, b) => a * b, 1);
          const bytes = fc.uint8Array({ minLength: size * 8, maxLength: size * 8 });
          return bytes.map((raw) => {
            // Random bit patterns of the right width (NaN payloads included for floats).
            const tensor = createTensor(
              dtype,
              shape,
              dtype === "int64" ? new BigInt64Array(size) : new Array<number>(size).fill(0),
            );
            new Uint8Array(tensor.data.buffer).set(raw.subarray(0, tensor.data.byteLength));
            // A bool element is one byte, 0 or 1 (any other byte is not a canonical encoding).
            if (tensor.dtype === "bool") tensor.data.forEach((v, i) => (tensor.data[i] = v & 1));
            return tensor as Tensor;
          });
        });
      await fc.assert(
        fc.asyncProperty(arbTensor, async (tensor) => {
          expect(await tensorHash.hash(tensorDtypes[tensor.dtype], [...tensor.shape], dataOf(tensor))).to.equal(
            getTensorHash(tensor),
          );
        }),
        { numRuns: 60 },
      );
    });

    describe("reverts", function () {
      it("on an unknown dtype", async function () {
        const { tensorHash } = await loadFixture(deployHarnessesFixture);
        await expect(tensorHash.hash(10, [1], "0x00"))
          .to.be.revertedWithCustomError(tensorHash, "TensorHashUnknownDtype")
          .withArgs(10);
      });
      it("on data that does not match the shape", async function () {
        const { tensorHash } = await loadFixture(deployHarnessesFixture);
        await expect(tensorHash.hash(4, [2, 2], "0x0000"))
          .to.be.revertedWithCustomError(tensorHash, "TensorHashDataLengthMismatch")
          .withArgs(16, 2);
      });
      it("on a rank above 255", async function () {
        const { tensorHash } = await loadFixture(deployHarnessesFixture);
        await expect(tensorHash.hash(1, new Array<number>(256).fill(1), "0x00"))
          .to.be.revertedWithCustomError(tensorHash, "TensorHashRankTooLarge")
          .withArgs(256);
      });
    });
  });

  describe("receipt hashing", function () {
    it("gives the same struct hash, leaf, digest and signer as src/protocol", async function () {
      const { receiptHash, domain } = await loadFixture(deployHarnessesFixture);
      const account = privateKeyToAccount(receiptVectors.privateKey as Hex);
      for (const v of receiptVectors.receipts) {
        const receipt = parseReceipt(v.receipt);
        expect(await receiptHash.structHash(receipt)).to.equal(getReceiptStructHash(receipt));
        expect(await receiptHash.leaf(receipt)).to.equal(getReceiptLeaf(receipt));
        expect(await receiptHash.receiptDigest(receipt)).to.equal(getReceiptDigest(receipt, domain));
        const signature = await signReceipt({ signer: account, domain, receipt });
        expect(await receiptHash.recoverReceiptSigner(receipt, signature)).to.equal(account.address);
        await expect(receiptHash.recoverReceiptSigner(receipt, toHighSSignature(signature)))
          .to.be.revertedWithCustomError(receiptHash, "ECDSAInvalidSignatureS")
          .withArgs(`0x${toHighSSignature(signature).slice(66, 130)}`);
      }
    });

    it("refuses exactly the signatures OpenZeppelin ECDSA refuses, on both secp256k1 engines", async function () {
      const { receiptHash, domain } = await loadFixture(deployHarnessesFixture);
      const receipt = parseReceipt(receiptVectors.receipts[0]!.receipt);
      const signature = await signReceipt({
        signer: privateKeyToAccount(receiptVectors.privateKey as Hex),
        domain,
        receipt,
      });
      const digest = hexToBytes(getReceiptDigest(receipt, domain));
      const engines = [nobleEngine, ...(nativeEngine ? [nativeEngine] : [])];
      for (const { name, signature: malformed } of malformedVariants(signature)) {
        await expect(receiptHash.recoverReceiptSigner(receipt, malformed), name).to.be.reverted;
        for (const engine of engines) {
          const refused = await engine.recoverDigestSigner(digest, malformed).then(
            () => false,
            (error: unknown) => error instanceof InvalidSignatureError,
          );
          expect(refused, `${engine.backend}: ${name}`).to.equal(true);
        }
      }
      // The boundary s = n/2 is accepted by both, and both recover the same address.
      const boundary = `${signature.slice(0, 66)}${word(HALF_N)}1b` as Hex;
      const onChain = await receiptHash.recoverReceiptSigner(receipt, boundary);
      for (const engine of engines) expect(await engine.recoverDigestSigner(digest, boundary)).to.equal(onChain);
    });

    it("verifies every batch proof with OpenZeppelin MerkleProof and matches the batch digest", async function () {
      const { receiptHash, domain } = await loadFixture(deployHarnessesFixture);
      const receipts: Receipt[] = receiptVectors.receipts.map((v) => parseReceipt(v.receipt));
      const built = buildReceiptBatch(receipts);
      for (const [i, receipt] of built.receipts.entries()) {
        expect(await receiptHash.verifyReceipt(receipt, built.proofs[i]!, built.root)).to.equal(true);
        expect(await receiptHash.verifyReceipt(receipt, built.proofs[(i + 1) % 5]!, built.root)).to.equal(false);
      }
      const batch = {
        node: receipts[0]!.node,
        sequence: 7n,
        root: built.root,
        count: built.count,
        dataHash: receiptVectors.batch.dataHash as Hex,
      };
      expect(
        await receiptHash.batchDigest(batch.node, batch.sequence, batch.root, batch.count, batch.dataHash),
      ).to.equal(getBatchDigest(batch, domain));
    });
  });
});
