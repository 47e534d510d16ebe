import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import fc from "fast-check";
import { type Hex, hashStruct, hashTypedData, recoverTypedDataAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import receiptVectors from "../../docs/vectors/receipts.json";
import tensorVectors from "../../docs/vectors/tensors.json";
import {
  type BatchFile,
  type Receipt,
  type Tensor,
  InvalidBatchError,
  InvalidProofError,
  InvalidReceiptError,
  InvalidSignatureError,
  InvalidTensorError,
  buildReceiptBatch,
  bytesToHex,
  createTensor,
  decodeTensor,
  encodeTensor,
  getBatchDataHash,
  getBatchDigest,
  getBatchStructHash,
  getReceiptDigest,
  getReceiptLeaf,
  getReceiptStructHash,
  getTensorHash,
  getVerityDomain,
  hexToBytes,
  isLowSSignature,
  parseBatchFile,
  parseReceipt,
  recoverReceiptSigner,
  serializeBatchFile,
  signBatch,
  signReceipt,
  toHighSSignature,
  verifyBatchFile,
  verifyReceiptProof,
  verityTypes,
} from "../../src/protocol";

const domain = {
  chainId: receiptVectors.domain.chainId,
  verifyingContract: receiptVectors.domain.verifyingContract as Hex,
};
const account = privateKeyToAccount(receiptVectors.privateKey as Hex);
const arbBytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToHex);
const arbReceipt: fc.Arbitrary<Receipt> = fc.record({
  requestId: arbBytes32,
  modelId: arbBytes32,
  inputHash: arbBytes32,
  outputHash: arbBytes32,
  traceRoot: arbBytes32,
  node: fc.uint8Array({ minLength: 20, maxLength: 20 }).map(bytesToHex),
  issuedAt: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
});

function vectorReceipt(index: number): Receipt {
  return parseReceipt(receiptVectors.receipts[index]!.receipt);
}

describe("protocol", function () {
  describe("tensor encoding", function () {
    for (const vector of tensorVectors.tensors) {
      it(`reproduces the vector "${vector.name}"`, function () {
        const tensor = decodeTensor(hexToBytes(vector.encoding));
        expect(tensor.dtype).to.equal(vector.dtype);
        expect(tensor.shape).to.deep.equal(vector.shape);
        expect(bytesToHex(encodeTensor(tensor))).to.equal(vector.encoding);
        expect(getTensorHash(tensor)).to.equal(vector.hash);
        expect(vector.encoding.endsWith(vector.data.slice(2))).to.equal(true);
      });
    }

    it("round-trips random int8/int32/float32 tensors bit for bit", function () {
      const arbTensor = fc.oneof(
        fc
          .array(fc.integer({ min: -128, max: 127 }), { maxLength: 40 })
          .map((v) => createTensor("int8", [v.length], v)),
        fc.array(fc.integer(), { maxLength: 40 }).map((v) => createTensor("int32", [1, v.length], v)),
        fc
          .array(fc.float({ noDefaultInfinity: false }), { maxLength: 40 })
          .map((v) => createTensor("float32", [v.length, 1], v)),
      );
      fc.assert(
        fc.property(arbTensor, (tensor) => {
          const encoding = encodeTensor(tensor as Tensor);
          expect(bytesToHex(encodeTensor(decodeTensor(encoding)))).to.equal(bytesToHex(encoding));
        }),
      );
    });

    describe("rejects", function () {
      it("data that does not match the shape", function () {
        expect(() => encodeTensor(createTensor("int8", [2, 2], [1, 2, 3]))).to.throw(InvalidTensorError, /shape/);
      });
      it("an unknown dtype code", function () {
        expect(() => decodeTensor(Uint8Array.from([1, 99, 0]))).to.throw(InvalidTensorError, /dtype code/);
      });
      it("an unknown encoding version", function () {
        expect(() => decodeTensor(Uint8Array.from([2, 1, 0, 0]))).to.throw(InvalidTensorError, /version/);
      });
      it("a truncated encoding", function () {
        expect(() => decodeTensor(Uint8Array.from([1, 4, 1, 2, 0, 0, 0, 1, 0, 0, 0]))).to.throw(InvalidTensorError);
      });
    });
  });

  describe("receipts", function () {
    it("reproduce the struct hashes, digests, leaves and signatures of the vectors", async function () {
      for (const [i, vector] of receiptVectors.receipts.entries()) {
        const receipt = vectorReceipt(i);
        expect(getReceiptStructHash(receipt)).to.equal(vector.structHash);
        expect(getReceiptDigest(receipt, domain)).to.equal(vector.digest);
        expect(getReceiptLeaf(receipt)).to.equal(vector.leaf);
        expect(await signReceipt({ signer: account, domain, receipt })).to.equal(vector.signature);
        expect(await recoverReceiptSigner({ receipt, domain, signature: vector.signature as Hex })).to.equal(
          account.address,
        );
      }
    });

    it("hash like viem's hashStruct / hashTypedData for random receipts", function () {
      fc.assert(
        fc.property(arbReceipt, fc.integer({ min: 1, max: 2 ** 40 }), (receipt, chainId) => {
          const d = { chainId, verifyingContract: receipt.node };
          const viemStruct = hashStruct({ data: receipt, primaryType: "InferenceReceipt", types: verityTypes });
          expect(getReceiptStructHash(receipt)).to.equal(viemStruct);
          const viemDigest = hashTypedData({
            domain: getVerityDomain(d),
            types: { InferenceReceipt: verityTypes.InferenceReceipt },
            primaryType: "InferenceReceipt",
            message: receipt,
          });
          expect(getReceiptDigest(receipt, d)).to.equal(viemDigest);
        }),
        { numRuns: 200 },
      );
    });

    it("leaf equals the StandardMerkleTree leaf of the struct hash", function () {
      fc.assert(
        fc.property(arbReceipt, (receipt) => {
          const tree = StandardMerkleTree.of([[getReceiptStructHash(receipt)]], ["bytes32"]);
          expect(getReceiptLeaf(receipt)).to.equal(tree.leafHash([getReceiptStructHash(receipt)]));
        }),
        { numRuns: 100 },
      );
    });

    describe("signatures", function () {
      it("recoverReceiptSigner rejects the high-s twin of a valid signature", async function () {
        const receipt = vectorReceipt(0);
        const signature = receiptVectors.receipts[0]!.signature as Hex;
        const highS = toHighSSignature(signature);
        expect(isLowSSignature(signature)).to.equal(true);
        expect(isLowSSignature(highS)).to.equal(false);
        // The raw ecrecover of the twin still gives the same signer: only the low-s rule rejects it.
        expect(
          await recoverTypedDataAddress({
            domain: getVerityDomain(domain),
            types: { InferenceReceipt: verityTypes.InferenceReceipt },
            primaryType: "InferenceReceipt",
            message: receipt,
            signature: highS,
          }),
        ).to.equal(account.address);
        await expectRejection(recoverReceiptSigner({ receipt, domain, signature: highS }), InvalidSignatureError);
      });
      it("rejects a 64-byte signature", async function () {
        const receipt = vectorReceipt(0);
        const short = receiptVectors.receipts[0]!.signature.slice(0, 130) as Hex;
        await expectRejection(recoverReceiptSigner({ receipt, domain, signature: short }), InvalidSignatureError);
      });
      it("recovers another address when the receipt is altered", async function () {
        const receipt = { ...vectorReceipt(0), outputHash: `0x${"11".repeat(32)}` as Hex };
        const signer = await recoverReceiptSigner({
          receipt,
          domain,
          signature: receiptVectors.receipts[0]!.signature as Hex,
        });
        expect(signer).to.not.equal(account.address);
      });
    });

    describe("parseReceipt", function () {
      it("parses the JSON text of a receipt", function () {
        const receipt = parseReceipt(JSON.stringify(receiptVectors.receipts[1]!.receipt));
        expect(receipt.issuedAt).to.equal(1_700_000_001n);
      });
      it("says which field is wrong", function () {
        const bad = { ...receiptVectors.receipts[0]!.receipt, modelId: "0x1234" };
        expect(() => parseReceipt(bad)).to.throw(InvalidReceiptError, /modelId: expected 0x-prefixed 32-byte hex/);
      });
      it("rejects an issuedAt beyond uint64", function () {
        const bad = { ...receiptVectors.receipts[0]!.receipt, issuedAt: (1n << 64n).toString() };
        expect(() => parseReceipt(bad)).to.throw(
          InvalidReceiptError,
          /issuedAt: expected an integer in \[0, 2\^64-1\]/,
        );
      });
      it("rejects unknown fields and bad JSON", function () {
        expect(() => parseReceipt({ ...receiptVectors.receipts[0]!.receipt, extra: 1 })).to.throw(
          InvalidReceiptError,
          /extra/,
        );
        expect(() => parseReceipt("{")).to.throw(InvalidReceiptError, /not valid JSON/);
      });
    });
  });

  describe("batches", function () {
    it("reproduce the batch vector (order, leaves, proofs, root, data hash, digest, signature)", async function () {
      const receipts = receiptVectors.receipts.map((_, i) => vectorReceipt(i));
      const built = buildReceiptBatch(receipts);
      const v = receiptVectors.batch;
      expect(built.order).to.deep.equal(v.leafOrder);
      expect(built.leaves).to.deep.equal(v.leaves);
      expect(built.proofs).to.deep.equal(v.proofs);
      expect(built.root).to.equal(v.root);
      const file = parseBatchFile(v.file);
      expect(serializeBatchFile(file)).to.equal(v.file);
      expect(getBatchDataHash(file)).to.equal(v.dataHash);
      const batch = {
        node: file.node,
        sequence: 7n,
        root: built.root,
        count: built.count,
        dataHash: v.dataHash as Hex,
      };
      expect(getBatchStructHash(batch)).to.equal(v.structHash);
      expect(getBatchDigest(batch, domain)).to.equal(v.digest);
      expect(await signBatch({ signer: account, domain, batch })).to.equal(v.signature);
      const verified = await verifyBatchFile({
        file,
        domain,
        signature: v.signature as Hex,
        expectedRoot: v.root as Hex,
      });
      expect(verified.signer).to.equal(account.address);
    });

    it("match StandardMerkleTree.of(structHashes, ['bytes32']) root and proofs for random batches", function () {
      fc.assert(
        fc.property(
          fc.uniqueArray(arbReceipt, { minLength: 1, maxLength: 40, selector: (r) => r.requestId }),
          (receipts) => {
            const built = buildReceiptBatch(receipts);
            const tree = StandardMerkleTree.of(
              receipts.map((r) => [getReceiptStructHash(r)]),
              ["bytes32"],
            );
            expect(built.root).to.equal(tree.root);
            built.receipts.forEach((receipt, i) => {
              expect(built.proofs[i]).to.deep.equal(tree.getProof([getReceiptStructHash(receipt)]));
              expect(verifyReceiptProof({ receipt, proof: built.proofs[i]!, root: built.root })).to.equal(true);
            });
          },
        ),
        { numRuns: 50 },
      );
    });

    it("reject a proof for a receipt that is not in the batch", function () {
      const receipts = receiptVectors.receipts.map((_, i) => vectorReceipt(i));
      const built = buildReceiptBatch(receipts);
      const forged = { ...built.receipts[0]!, outputHash: `0x${"ee".repeat(32)}` as Hex };
      expect(verifyReceiptProof({ receipt: forged, proof: built.proofs[0]!, root: built.root })).to.equal(false);
      expect(verifyReceiptProof({ receipt: built.receipts[0]!, proof: built.proofs[1]!, root: built.root })).to.equal(
        false,
      );
    });

    describe("rejects", function () {
      it("an empty batch and a duplicated receipt", function () {
        expect(() => buildReceiptBatch([])).to.throw(InvalidBatchError, /at least one/);
        expect(() => buildReceiptBatch([vectorReceipt(0), vectorReceipt(0)])).to.throw(InvalidBatchError, /twice/);
      });
      it("a batch file whose inline output does not hash to the receipt", async function () {
        const file = parseBatchFile(receiptVectors.batch.file);
        const tampered: BatchFile = {
          ...file,
          entries: file.entries.map((e, i) =>
            i === 0 ? { ...e, output: { encoding: bytesToHex(encodeTensor(createTensor("int32", [1], [1]))) } } : e,
          ),
        };
        await expectRejection(
          verifyBatchFile({ file: tampered, domain, signature: receiptVectors.batch.signature as Hex }),
          InvalidBatchError,
        );
      });
      it("a batch file whose entries are out of leaf order", async function () {
        const file = parseBatchFile(receiptVectors.batch.file);
        const swapped: BatchFile = { ...file, entries: [file.entries[1]!, file.entries[0]!, ...file.entries.slice(2)] };
        await expectRejection(
          verifyBatchFile({ file: swapped, domain, signature: receiptVectors.batch.signature as Hex }),
          InvalidBatchError,
        );
      });
      it("a batch file with a receipt of another node, naming the entry", function () {
        const json = JSON.parse(receiptVectors.batch.file) as { entries: { receipt: { node: string } }[] };
        json.entries[2]!.receipt.node = `0x${"12".repeat(20)}`;
        expect(() => parseBatchFile(json)).to.throw(InvalidBatchError, /entries\.2\.receipt\.node/);
      });
      it("a batch file with a malformed field, naming it", function () {
        const json = JSON.parse(receiptVectors.batch.file) as { sequence: string };
        json.sequence = "-1";
        expect(() => parseBatchFile(json)).to.throw(InvalidBatchError, /sequence/);
      });
      it("an assertReceiptProof failure as InvalidProofError", async function () {
        const { assertReceiptProof } = await import("../../src/protocol/verifyReceiptProof");
        const built = buildReceiptBatch([vectorReceipt(0), vectorReceipt(1)]);
        expect(() =>
          assertReceiptProof({ receipt: built.receipts[0]!, proof: built.proofs[1]!, root: built.root }),
        ).to.throw(InvalidProofError);
      });
    });
  });
});

async function expectRejection(promise: Promise<unknown>, errorClass: new (...args: never[]) => Error): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(errorClass);
    return;
  }
  expect.fail(`expected a ${errorClass.name}`);
}
