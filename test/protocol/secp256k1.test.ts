import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { type Hex, keccak256, recoverAddress } from "viem";
import { privateKeyToAccount, sign } from "viem/accounts";
import receiptVectors from "../../docs/vectors/receipts.json";
import { HALF_N, SECP256K1_N, malformedVariants, word } from "../helpers/malformedSignatures";
import {
  type Receipt,
  type ReceiptBatch,
  InvalidBatchError,
  InvalidSignatureError,
  buildReceiptBatch,
  bytesToHex,
  createSignerAccount,
  getBatchDigest,
  getReceiptDigest,
  getSecp256k1Backend,
  hexToBytes,
  keccak256Bytes,
  keccak256BytesJsSha3,
  nativeEngine,
  nobleEngine,
  parseReceipt,
  recoverBatchSigner,
  recoverReceiptSigner,
  signBatch,
  signReceipt,
  toHighSSignature,
  verifyReceiptBatch,
} from "../../src/protocol";

const domain = {
  chainId: receiptVectors.domain.chainId,
  verifyingContract: receiptVectors.domain.verifyingContract as Hex,
};
const arbBytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToHex);
const arbPrivateKey = fc.bigInt({ min: 1n, max: SECP256K1_N - 1n }).map((k) => `0x${word(k)}` as Hex);
const arbReceipt: fc.Arbitrary<Receipt> = fc.record({
  requestId: arbBytes32,
  modelId: arbBytes32,
  inputHash: arbBytes32,
  outputHash: arbBytes32,
  traceRoot: arbBytes32,
  node: fc.constant(receiptVectors.receipts[0]!.receipt.node as Hex),
  issuedAt: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

const engines = [nobleEngine, ...(nativeEngine ? [nativeEngine] : [])];

describe("secp256k1 and keccak256", function () {
  it("run on libsecp256k1 here (the native prebuild loads on linux-x64)", function () {
    expect(nativeEngine).to.not.equal(undefined);
    expect(getSecp256k1Backend()).to.equal("libsecp256k1");
  });

  it("fall back to viem (noble) when the native bindings are not to be used, and say so", function () {
    this.timeout(60_000);
    const script =
      'const p = require("./src/protocol"); console.log(JSON.stringify([p.getSecp256k1Backend(), p.getNativeUnavailableReason()]))';
    const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
      cwd: path.join(__dirname, "../.."),
      env: { ...process.env, VERITY_SECP256K1: "noble" },
      encoding: "utf8",
    });
    expect(child.status, child.stderr).to.equal(0);
    expect(JSON.parse(child.stdout.trim())).to.deep.equal(["noble", "VERITY_SECP256K1=noble"]);
  });

  describe("keccak256", function () {
    it("equals viem's and js-sha3's on random inputs of 0 to 600 bytes", function () {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), (data) => {
          const ours = bytesToHex(keccak256Bytes(data));
          expect(ours).to.equal(keccak256(data));
          expect(ours).to.equal(bytesToHex(keccak256BytesJsSha3(data)));
        }),
        { numRuns: 400 },
      );
    });
    it("equals viem's at every length around the 136-byte rate", function () {
      for (let length = 0; length <= 3 * 136 + 1; length++) {
        const data = new Uint8Array(length).map((_, i) => (i * 7 + length) & 255);
        expect(bytesToHex(keccak256Bytes(data))).to.equal(keccak256(data), `length ${length}`);
      }
    });
  });

  for (const engine of engines) {
    describe(`the ${engine.backend} engine`, function () {
      it("reproduces every receipt and batch signature of the protocol vectors and recovers their signer", async function () {
        const key = hexToBytes(receiptVectors.privateKey);
        for (const v of receiptVectors.receipts) {
          const digest = hexToBytes(v.digest);
          expect(await engine.signDigest(digest, key)).to.equal(v.signature);
          expect(await engine.recoverDigestSigner(digest, v.signature as Hex)).to.equal(receiptVectors.signer);
        }
        const batchDigest = hexToBytes(receiptVectors.batch.digest);
        expect(await engine.signDigest(batchDigest, key)).to.equal(receiptVectors.batch.signature);
      });

      it("signs and recovers exactly like viem for random keys and digests (low s, v = 27 + recovery id)", async function () {
        await fc.assert(
          fc.asyncProperty(arbPrivateKey, arbBytes32, async (privateKey, hash) => {
            const expected = await sign({ hash, privateKey, to: "object" });
            const ours = await engine.signDigest(hexToBytes(hash), hexToBytes(privateKey));
            expect(ours.slice(2, 66)).to.equal(expected.r.slice(2));
            expect(ours.slice(66, 130)).to.equal(expected.s.slice(2));
            expect(BigInt(expected.s) <= HALF_N).to.equal(true);
            expect(parseInt(ours.slice(130), 16)).to.equal(27 + expected.yParity!);
            const signer = privateKeyToAccount(privateKey).address;
            expect(await engine.recoverDigestSigner(hexToBytes(hash), ours)).to.equal(signer);
            expect(await recoverAddress({ hash, signature: ours })).to.equal(signer);
          }),
          { numRuns: 200 },
        );
      });

      it("rejects every malformed signature the contracts reject, with InvalidSignatureError", async function () {
        const v = receiptVectors.receipts[0]!;
        for (const { name, signature } of malformedVariants(v.signature as Hex)) {
          const error = await rejection(engine.recoverDigestSigner(hexToBytes(v.digest), signature));
          expect(error, name).to.be.instanceOf(InvalidSignatureError);
        }
      });

      it("accepts s = n/2 exactly, like the contracts, and agrees with viem on the signer", async function () {
        const v = receiptVectors.receipts[0]!;
        const signature = `${v.signature.slice(0, 66)}${word(HALF_N)}1b` as Hex;
        const ours = await engine.recoverDigestSigner(hexToBytes(v.digest), signature);
        expect(ours).to.equal(await recoverAddress({ hash: v.digest as Hex, signature }));
      });
    });
  }

  describe("createSignerAccount", function () {
    it("signs receipts and batches exactly like a viem account, through sign and signTypedData", async function () {
      const fast = createSignerAccount(receiptVectors.privateKey as Hex);
      const viemAccount = privateKeyToAccount(receiptVectors.privateKey as Hex);
      expect(fast.address).to.equal(viemAccount.address);
      await fc.assert(
        fc.asyncProperty(arbReceipt, async (receipt) => {
          const expected = await signReceipt({ signer: { signTypedData: viemAccount.signTypedData }, domain, receipt });
          expect(await signReceipt({ signer: fast, domain, receipt })).to.equal(expected);
          expect(await signReceipt({ signer: { signTypedData: fast.signTypedData }, domain, receipt })).to.equal(
            expected,
          );
          expect(await recoverReceiptSigner({ receipt, domain, signature: expected })).to.equal(viemAccount.address);
        }),
        { numRuns: 50 },
      );
      const batch: ReceiptBatch = {
        node: receiptVectors.receipts[0]!.receipt.node as Hex,
        sequence: 7n,
        root: `0x${"12".repeat(32)}`,
        count: 3,
        dataHash: `0x${"34".repeat(32)}`,
      };
      const signature = await signBatch({ signer: fast, domain, batch });
      expect(signature).to.equal(await viemAccount.sign({ hash: getBatchDigest(batch, domain) }));
      expect(await recoverBatchSigner({ batch, domain, signature })).to.equal(viemAccount.address);
    });
  });

  describe("verifyReceiptBatch", function () {
    const account = createSignerAccount(receiptVectors.privateKey as Hex);

    async function signedBatch(receipts: Receipt[]) {
      const tree = buildReceiptBatch(receipts);
      const batch: ReceiptBatch = {
        node: receipts[0]!.node,
        sequence: 1n,
        root: tree.root,
        count: tree.count,
        dataHash: `0x${"ab".repeat(32)}`,
      };
      return { tree, batch, signature: await signBatch({ signer: account, domain, batch }) };
    }

    it("recovers the signer of random batches given in leaf order or shuffled", async function () {
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(arbReceipt, { minLength: 1, maxLength: 40, selector: (r) => r.requestId }),
          async (receipts) => {
            const { tree, batch, signature } = await signedBatch(receipts);
            for (const given of [receipts, tree.receipts]) {
              expect(await verifyReceiptBatch({ receipts: given, batch, domain, signature })).to.equal(account.address);
              expect(
                await verifyReceiptBatch({ receipts: given, batch, domain, signature, engine: nobleEngine }),
              ).to.equal(account.address);
            }
          },
        ),
        { numRuns: 30 },
      );
    });

    it("rejects a batch with a receipt altered, missing, duplicated or of another node", async function () {
      const receipts = receiptVectors.receipts.map((v) => parseReceipt(v.receipt));
      const { batch, signature } = await signedBatch(receipts);
      const altered = [{ ...receipts[0]!, outputHash: `0x${"11".repeat(32)}` as Hex }, ...receipts.slice(1)];
      const duplicated = [...receipts.slice(0, -1), receipts[0]!];
      const otherNode = [{ ...receipts[0]!, node: `0x${"22".repeat(20)}` as Hex }, ...receipts.slice(1)];
      for (const [name, given, message] of [
        ["altered", altered, "Batch root does not match its receipts."],
        ["duplicated", duplicated, "A receipt appears twice in the batch."],
        ["other node", otherNode, "Receipt belongs to another node."],
        ["missing", receipts.slice(1), "Batch count does not match its receipts."],
      ] as const) {
        const error = await rejection(verifyReceiptBatch({ receipts: given, batch, domain, signature }));
        expect(error, name).to.be.instanceOf(InvalidBatchError);
        expect((error as InvalidBatchError).shortMessage, name).to.equal(message);
      }
      const highS = await rejection(
        verifyReceiptBatch({ receipts, batch, domain, signature: toHighSSignature(signature) }),
      );
      expect(highS).to.be.instanceOf(InvalidSignatureError);
    });
  });

  it("recoverReceiptSigner recovers the vectors' signer from getReceiptDigest", async function () {
    for (const v of receiptVectors.receipts) {
      const receipt = parseReceipt(v.receipt);
      expect(getReceiptDigest(receipt, domain)).to.equal(v.digest);
      expect(await recoverReceiptSigner({ receipt, domain, signature: v.signature as Hex })).to.equal(
        receiptVectors.signer,
      );
    }
  });
});
