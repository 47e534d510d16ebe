import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, concat, keccak256, toUtf8Bytes } from "ethers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { CHALLENGE_WINDOW, DISPUTE_ROLE, deployAttestationFixture } from "../fixtures/attestation";
import { shouldBehaveLikeBoundedParameter } from "../helpers/boundedParameter.behavior";
import {
  BATCH_FIELDS,
  RECEIPT_FIELDS,
  ETHERS_RECEIPT_TYPES,
  batchDigest,
  buildTree,
  hashBatch,
  hashReceipt,
  makeReceipt,
  mutate,
  randomWallet,
  proofOf,
  randomHash,
  receiptDigest,
  receiptLeaf,
  signBatchEthers,
  signBatchViem,
  signReceiptEthers,
  signReceiptViem,
  toCompact,
  toHighS,
  withV,
  batchIdOf,
} from "../helpers/receipts";
import type { Batch, Domain, Receipt } from "../helpers/receipts";

/** Mirrors `IAttestationRegistry.ReceiptState`. */
enum ReceiptState {
  None,
  Disputed,
  Upheld,
  Rejected,
}

const MIN_WINDOW = 60n;
const MAX_WINDOW = 30n * 24n * 3600n;
const ZERO_BATCH = ethers.ZeroHash;

type Fixture = Awaited<ReturnType<typeof deployAttestationFixture>>;

async function nextTimestamp(): Promise<bigint> {
  const t = BigInt(await time.latest()) + 10n;
  await time.setNextBlockTimestamp(t);
  return t;
}

function batchOf(node: string, receipts: Receipt[], sequence = 1n) {
  const tree = buildTree(receipts);
  const batch: Batch = { node, sequence, root: tree.root, count: BigInt(receipts.length), dataHash: randomHash() };
  return { tree, batch };
}

describe("AttestationRegistry", function () {
  describe("on deployment", function () {
    it("exposes the EIP-712 domain Verity / 1 of this chain and registry", async function () {
      const { registry, domain } = await loadFixture(deployAttestationFixture);
      const [, name, version, chainId, verifyingContract] = await registry.eip712Domain();
      expect([name, version, chainId, verifyingContract]).to.deep.equal([
        domain.name,
        domain.version,
        domain.chainId,
        domain.verifyingContract,
      ]);
      expect(await registry.version()).to.equal("1");
      expect(await registry.domainSeparator()).to.equal(ethers.TypedDataEncoder.hashDomain(domain));
    });

    it("sets the challenge window and roles", async function () {
      const { registry, admin, disputer, keeper } = await loadFixture(deployAttestationFixture);
      expect(await registry.challengeWindow()).to.equal(CHALLENGE_WINDOW);
      expect(await registry.DISPUTE_ROLE()).to.equal(DISPUTE_ROLE);
      expect(await registry.hasRole(await registry.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      expect(await registry.hasRole(DISPUTE_ROLE, disputer.address)).to.equal(true);
      expect(await registry.hasRole(DISPUTE_ROLE, keeper.address)).to.equal(false);
      expect(await registry.MIN_CHALLENGE_WINDOW()).to.equal(MIN_WINDOW);
      expect(await registry.MAX_CHALLENGE_WINDOW()).to.equal(MAX_WINDOW);
    });

    it("starts every node at sequence 1", async function () {
      const { registry, nodeA } = await loadFixture(deployAttestationFixture);
      expect(await registry.nextSequence(nodeA.address)).to.equal(1n);
    });

    describe("reverts", function () {
      it("with a zero node registry, model registry or admin", async function () {
        const { registry, admin } = await loadFixture(deployAttestationFixture);
        const factory = await ethers.getContractFactory("AttestationRegistry");
        const some = admin.address;
        for (const args of [
          [ethers.ZeroAddress, some, CHALLENGE_WINDOW, some],
          [some, ethers.ZeroAddress, CHALLENGE_WINDOW, some],
          [some, some, CHALLENGE_WINDOW, ethers.ZeroAddress],
        ] as const) {
          await expect(factory.deploy(...args)).to.be.revertedWithCustomError(registry, "AttestationZeroAddress");
        }
      });

      it("with a challenge window out of bounds", async function () {
        const { registry, admin } = await loadFixture(deployAttestationFixture);
        const factory = await ethers.getContractFactory("AttestationRegistry");
        await expect(factory.deploy(admin.address, admin.address, MIN_WINDOW - 1n, admin.address))
          .to.be.revertedWithCustomError(registry, "ParameterOutOfBounds")
          .withArgs(ethers.encodeBytes32String("challengeWindow"), MIN_WINDOW - 1n, MIN_WINDOW, MAX_WINDOW);
      });
    });
  });

  describe("hashing", function () {
    it("has typehashes whose preimages are the normative type strings", async function () {
      const { registry, nodeA, modelId } = await loadFixture(deployAttestationFixture);
      const receipt = makeReceipt(nodeA.address, modelId);
      const encoded = ethers.TypedDataEncoder.from({
        InferenceReceipt: [
          { name: "requestId", type: "bytes32" },
          { name: "modelId", type: "bytes32" },
          { name: "inputHash", type: "bytes32" },
          { name: "outputHash", type: "bytes32" },
          { name: "traceRoot", type: "bytes32" },
          { name: "node", type: "address" },
          { name: "issuedAt", type: "uint64" },
        ],
      }).encodeType("InferenceReceipt");
      expect(encoded).to.equal(
        "InferenceReceipt(bytes32 requestId,bytes32 modelId,bytes32 inputHash,bytes32 outputHash," +
          "bytes32 traceRoot,address node,uint64 issuedAt)",
      );
      const manual = keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(
          ["bytes32", "bytes32", "bytes32", "bytes32", "bytes32", "bytes32", "address", "uint64"],
          [
            keccak256(toUtf8Bytes(encoded)),
            receipt.requestId,
            receipt.modelId,
            receipt.inputHash,
            receipt.outputHash,
            receipt.traceRoot,
            receipt.node,
            receipt.issuedAt,
          ],
        ),
      );
      expect(await registry.hashReceipt(receipt)).to.equal(manual);

      const batch: Batch = { node: nodeA.address, sequence: 7n, root: randomHash(), count: 3n, dataHash: randomHash() };
      const batchType = "ReceiptBatch(address node,uint64 sequence,bytes32 root,uint32 count,bytes32 dataHash)";
      const manualBatch = keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(
          ["bytes32", "address", "uint64", "bytes32", "uint32", "bytes32"],
          [keccak256(toUtf8Bytes(batchType)), batch.node, batch.sequence, batch.root, batch.count, batch.dataHash],
        ),
      );
      expect(await registry.hashBatch(batch)).to.equal(manualBatch);
    });

    it("computes the digests and leaves that ethers computes", async function () {
      const { registry, nodeA, modelId, domain } = await loadFixture(deployAttestationFixture);
      const receipt = makeReceipt(nodeA.address, modelId);
      const batch: Batch = { node: nodeA.address, sequence: 1n, root: randomHash(), count: 9n, dataHash: randomHash() };
      expect(await registry.hashReceipt(receipt)).to.equal(hashReceipt(receipt));
      expect(await registry.receiptDigest(receipt)).to.equal(receiptDigest(domain, receipt));
      expect(await registry.hashBatch(batch)).to.equal(hashBatch(batch));
      expect(await registry.batchDigest(batch)).to.equal(batchDigest(domain, batch));
      expect(await registry.receiptLeaf(receipt)).to.equal(receiptLeaf(receipt));
      expect(receiptLeaf(receipt)).to.equal(buildTree([receipt]).root);
    });
  });

  describe("submitReceipt", function () {
    for (const [library, sign] of [
      ["ethers", (f: Fixture, r: Receipt) => signReceiptEthers(f.nodeA.signer, f.domain, r)],
      ["viem", (f: Fixture, r: Receipt) => signReceiptViem(f.nodeA.signer.privateKey, f.domain, r)],
    ] as const) {
      it(`attests a receipt signed with ${library} and relayed by a keeper`, async function () {
        const f = await loadFixture(deployAttestationFixture);
        const receipt = makeReceipt(f.nodeA.address, f.modelId);
        const signature = await sign(f, receipt);
        const t = await nextTimestamp();
        const receiptHash = hashReceipt(receipt);
        await expect(f.registry.connect(f.keeper).submitReceipt(receipt, signature))
          .to.emit(f.registry, "ReceiptSubmitted")
          .withArgs(
            receiptHash,
            receipt.node,
            receipt.requestId,
            receipt.modelId,
            receipt.inputHash,
            receipt.outputHash,
            receipt.traceRoot,
            receipt.issuedAt,
            t + CHALLENGE_WINDOW,
          );
        const status = await f.registry.getReceipt(receipt);
        expect([status.receiptHash, status.windowEnd, status.state]).to.deep.equal([
          receiptHash,
          t + CHALLENGE_WINDOW,
          BigInt(ReceiptState.None),
        ]);
        const [prefix, windowEnd] = await f.registry.getReceiptByRequest(receipt.node, receipt.requestId);
        expect(prefix).to.equal((BigInt(receiptHash) >> 56n) << 56n);
        expect(windowEnd).to.equal(t + CHALLENGE_WINDOW);
      });
    }

    it("returns the receipt hash", async function () {
      const f = await loadFixture(deployAttestationFixture);
      const receipt = makeReceipt(f.nodeA.address, f.modelId);
      const signature = await signReceiptEthers(f.nodeA.signer, f.domain, receipt);
      expect(await f.registry.submitReceipt.staticCall(receipt, signature)).to.equal(hashReceipt(receipt));
    });

    it("accepts the same request id from two different nodes", async function () {
      const f = await loadFixture(deployAttestationFixture);
      const requestId = randomHash();
      const a = makeReceipt(f.nodeA.address, f.modelId, { requestId });
      const b = makeReceipt(f.nodeB.address, f.modelId, { requestId });
      await f.registry.submitReceipt(a, await signReceiptEthers(f.nodeA.signer, f.domain, a));
      await expect(f.registry.submitReceipt(b, await signReceiptEthers(f.nodeB.signer, f.domain, b))).to.emit(
        f.registry,
        "ReceiptSubmitted",
      );
    });

    it("accepts an EIP-1271 contract signer", async function () {
      const f = await loadFixture(deployAttestationFixture);
      const owner = randomWallet();
      const wallet = await ethers.deployContract("ERC1271WalletMock", [owner.address]);
      await f.system.registerNode(f.unregistered, await wallet.getAddress());
      const receipt = makeReceipt(f.unregistered.address, f.modelId);
      await expect(f.registry.submitReceipt(receipt, await signReceiptEthers(owner, f.domain, receipt))).to.emit(
        f.registry,
        "ReceiptSubmitted",
      );
      const forged = makeReceipt(f.unregistered.address, f.modelId);
      await expect(f.registry.submitReceipt(forged, await signReceiptEthers(f.nodeA.signer, f.domain, forged)))
        .to.be.revertedWithCustomError(f.registry, "AttestationInvalidSignature")
        .withArgs(forged.node, await wallet.getAddress());
    });

    describe("reverts", function () {
      it("when the same signed receipt is submitted twice", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const receipt = makeReceipt(f.nodeA.address, f.modelId);
        const signature = await signReceiptEthers(f.nodeA.signer, f.domain, receipt);
        await f.registry.submitReceipt(receipt, signature);
        await expect(f.registry.connect(f.keeper).submitReceipt(receipt, signature))
          .to.be.revertedWithCustomError(f.registry, "AttestationReceiptExists")
          .withArgs(receipt.node, receipt.requestId);
        // Replay protection does not key on the signature bytes: another valid signature of it fails too.
        const viemSignature = await signReceiptViem(f.nodeA.signer.privateKey, f.domain, receipt);
        await expect(f.registry.submitReceipt(receipt, viemSignature))
          .to.be.revertedWithCustomError(f.registry, "AttestationReceiptExists")
          .withArgs(receipt.node, receipt.requestId);
      });

      it("when the node already has a single receipt for the request id", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const first = makeReceipt(f.nodeA.address, f.modelId);
        await f.registry.submitReceipt(first, await signReceiptEthers(f.nodeA.signer, f.domain, first));
        const second = { ...first, outputHash: randomHash() };
        await expect(f.registry.submitReceipt(second, await signReceiptEthers(f.nodeA.signer, f.domain, second)))
          .to.be.revertedWithCustomError(f.registry, "AttestationReceiptExists")
          .withArgs(first.node, first.requestId);
      });

      it("when the model is unknown", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const receipt = makeReceipt(f.nodeA.address, f.unregisteredModelId);
        await expect(f.registry.submitReceipt(receipt, await signReceiptEthers(f.nodeA.signer, f.domain, receipt)))
          .to.be.revertedWithCustomError(f.registry, "AttestationModelNotActive")
          .withArgs(receipt.modelId);
      });

      it("when the model is deprecated", async function () {
        const f = await loadFixture(deployAttestationFixture);
        await f.system.deprecateModel(f.otherModelId);
        const receipt = makeReceipt(f.nodeA.address, f.otherModelId);
        await expect(f.registry.submitReceipt(receipt, await signReceiptEthers(f.nodeA.signer, f.domain, receipt)))
          .to.be.revertedWithCustomError(f.registry, "AttestationModelNotActive")
          .withArgs(f.otherModelId);
      });

      it("when the node is not registered", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const receipt = makeReceipt(f.unregistered.address, f.modelId);
        await expect(f.registry.submitReceipt(receipt, await signReceiptEthers(f.nodeA.signer, f.domain, receipt)))
          .to.be.revertedWithCustomError(f.registry, "AttestationNodeNotRegistered")
          .withArgs(receipt.node);
      });

      it("when the node has exited (deregistered)", async function () {
        const f = await loadFixture(deployAttestationFixture);
        await f.system.exit(f.nodeA.operator);
        const receipt = makeReceipt(f.nodeA.address, f.modelId);
        await expect(f.registry.submitReceipt(receipt, await signReceiptEthers(f.nodeA.signer, f.domain, receipt)))
          .to.be.revertedWithCustomError(f.registry, "AttestationNodeNotRegistered")
          .withArgs(receipt.node);
      });

      it("when the node is jailed", async function () {
        const f = await loadFixture(deployAttestationFixture);
        await f.system.jail(f.nodeA.address);
        const receipt = makeReceipt(f.nodeA.address, f.modelId);
        await expect(f.registry.submitReceipt(receipt, await signReceiptEthers(f.nodeA.signer, f.domain, receipt)))
          .to.be.revertedWithCustomError(f.registry, "AttestationNodeNotActive")
          .withArgs(receipt.node);
      });

      it("when the node's active stake fell below the minimum", async function () {
        const f = await loadFixture(deployAttestationFixture);
        await f.system.deactivateByStake(f.nodeA.operator);
        const receipt = makeReceipt(f.nodeA.address, f.modelId);
        await expect(f.registry.submitReceipt(receipt, await signReceiptEthers(f.nodeA.signer, f.domain, receipt)))
          .to.be.revertedWithCustomError(f.registry, "AttestationNodeNotActive")
          .withArgs(receipt.node);
      });

      it("when signed by another node's signer", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const receipt = makeReceipt(f.nodeA.address, f.modelId);
        await expect(f.registry.submitReceipt(receipt, await signReceiptEthers(f.nodeB.signer, f.domain, receipt)))
          .to.be.revertedWithCustomError(f.registry, "AttestationInvalidSignature")
          .withArgs(receipt.node, f.nodeA.signer.address);
      });

      it("when signed by the operator key instead of the signer key", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const receipt = makeReceipt(f.nodeA.address, f.modelId);
        const signature = await f.nodeA.operator.signTypedData(f.domain, ETHERS_RECEIPT_TYPES, receipt);
        await expect(f.registry.submitReceipt(receipt, signature))
          .to.be.revertedWithCustomError(f.registry, "AttestationInvalidSignature")
          .withArgs(receipt.node, f.nodeA.signer.address);
      });

      it("when signed by a signer rotated out before submission", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const receipt = makeReceipt(f.nodeA.address, f.modelId);
        const signature = await signReceiptEthers(f.nodeA.signer, f.domain, receipt);
        const newSigner = randomWallet();
        await f.system.rotateSigner(f.nodeA.operator, newSigner.address);
        await expect(f.registry.submitReceipt(receipt, signature))
          .to.be.revertedWithCustomError(f.registry, "AttestationInvalidSignature")
          .withArgs(receipt.node, newSigner.address);
        await expect(f.registry.submitReceipt(receipt, await signReceiptEthers(newSigner, f.domain, receipt))).to.emit(
          f.registry,
          "ReceiptSubmitted",
        );
      });

      for (const [label, change] of [
        ["another chain id", (d: Domain): Domain => ({ ...d, chainId: d.chainId + 1n })],
        ["another registry address", (d: Domain): Domain => ({ ...d, verifyingContract: randomWallet().address })],
        ["another domain name", (d: Domain): Domain => ({ ...d, name: "Verity2" })],
        ["another domain version", (d: Domain): Domain => ({ ...d, version: "2" })],
      ] as const) {
        it(`when signed for ${label}`, async function () {
          const f = await loadFixture(deployAttestationFixture);
          const receipt = makeReceipt(f.nodeA.address, f.modelId);
          const signature = await signReceiptEthers(f.nodeA.signer, change(f.domain), receipt);
          await expect(f.registry.submitReceipt(receipt, signature))
            .to.be.revertedWithCustomError(f.registry, "AttestationInvalidSignature")
            .withArgs(receipt.node, f.nodeA.signer.address);
        });
      }

      const malformed: [string, (signature: string) => string][] = [
        ["a high-s signature (s = n − s, v toggled)", toHighS],
        ["v = 0", (s) => withV(s, 0)],
        ["v = 1", (s) => withV(s, 1)],
        ["v = 29", (s) => withV(s, 29)],
        ["a 64-byte compact signature", toCompact],
        ["a 66-byte signature", (s) => concat([s, "0x00"])],
        ["a 65-byte signature with a trailing byte cut and a zero prepended", (s) => concat(["0x00", s.slice(0, 130)])],
        ["an empty signature", () => "0x"],
      ];
      for (const [label, malform] of malformed) {
        it(`with ${label}`, async function () {
          const f = await loadFixture(deployAttestationFixture);
          const receipt = makeReceipt(f.nodeA.address, f.modelId);
          const signature = malform(await signReceiptEthers(f.nodeA.signer, f.domain, receipt));
          await expect(f.registry.submitReceipt(receipt, signature))
            .to.be.revertedWithCustomError(f.registry, "AttestationInvalidSignature")
            .withArgs(receipt.node, f.nodeA.signer.address);
        });
      }

      for (const field of RECEIPT_FIELDS) {
        it(`when the signed field ${field} is changed`, async function () {
          const f = await loadFixture(deployAttestationFixture);
          const receipt = makeReceipt(f.nodeA.address, f.modelId);
          const signature = await signReceiptEthers(f.nodeA.signer, f.domain, receipt);
          // A changed node or model must still pass the registry checks, so the signature is what fails.
          const replacement =
            field === "node" ? f.nodeB.address : field === "modelId" ? f.otherModelId : mutate(field, receipt[field]);
          const changed = { ...receipt, [field]: replacement };
          const expectedSigner = field === "node" ? f.nodeB.signer.address : f.nodeA.signer.address;
          await expect(f.registry.submitReceipt(changed, signature))
            .to.be.revertedWithCustomError(f.registry, "AttestationInvalidSignature")
            .withArgs(changed.node, expectedSigner);
        });
      }
    });
  });

  describe("submitBatch", function () {
    for (const [library, sign] of [
      ["ethers", (f: Fixture, b: Batch) => signBatchEthers(f.nodeA.signer, f.domain, b)],
      ["viem", (f: Fixture, b: Batch) => signBatchViem(f.nodeA.signer.privateKey, f.domain, b)],
    ] as const) {
      it(`attests a batch signed with ${library} under its id, the root keyed by the node`, async function () {
        const f = await loadFixture(deployAttestationFixture);
        const receipts = Array.from({ length: 5 }, () => makeReceipt(f.nodeA.address, f.modelId));
        const { batch } = batchOf(f.nodeA.address, receipts);
        const id = batchIdOf(batch.node, batch.root);
        const t = await nextTimestamp();
        await expect(f.registry.connect(f.keeper).submitBatch(batch, await sign(f, batch)))
          .to.emit(f.registry, "BatchSubmitted")
          .withArgs(id, batch.node, 1n, batch.root, 5n, batch.dataHash, t + CHALLENGE_WINDOW);
        expect((await f.registry.getBatch(batch.root)).node).to.equal(ethers.ZeroAddress);
        const stored = await f.registry.getBatch(id);
        expect([stored.node, stored.windowEnd, stored.count]).to.deep.equal([batch.node, t + CHALLENGE_WINDOW, 5n]);
        expect(await f.registry.nextSequence(f.nodeA.address)).to.equal(2n);
      });
    }

    it("returns the batch id, keccak256(abi.encode(node, root)), the same as src/protocol and computeBatchId", async function () {
      const f = await loadFixture(deployAttestationFixture);
      const { batch } = batchOf(f.nodeA.address, [makeReceipt(f.nodeA.address, f.modelId)]);
      const signature = await signBatchEthers(f.nodeA.signer, f.domain, batch);
      const expected = keccak256(AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [batch.node, batch.root]));
      expect(batchIdOf(batch.node, batch.root)).to.equal(expected);
      expect(await f.registry.computeBatchId(batch.node, batch.root)).to.equal(expected);
      expect(await f.registry.submitBatch.staticCall(batch, signature)).to.equal(expected);
    });

    it("a node copying another node's pending root can't make the owner's submitBatch revert (root squatting)", async function () {
      const f = await loadFixture(deployAttestationFixture);
      const receipts = [makeReceipt(f.nodeA.address, f.modelId), makeReceipt(f.nodeA.address, f.modelId)];
      const { batch, tree } = batchOf(f.nodeA.address, receipts);
      // nodeB sees nodeA's pending batch and submits the same root under its own identity first.
      const copy: Batch = { ...batch, node: f.nodeB.address };
      await expect(f.registry.submitBatch(copy, await signBatchEthers(f.nodeB.signer, f.domain, copy)))
        .to.emit(f.registry, "BatchSubmitted")
        .withArgs(batchIdOf(f.nodeB.address, batch.root), f.nodeB.address, 1n, batch.root, 2n, copy.dataHash, anyValue);
      const id = batchIdOf(f.nodeA.address, batch.root);
      await expect(f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, f.domain, batch)))
        .to.emit(f.registry, "BatchSubmitted")
        .withArgs(id, f.nodeA.address, 1n, batch.root, 2n, batch.dataHash, anyValue);
      // The victim's receipts are attested in its own batch; the copy attests none of them.
      expect(await f.registry.verifyInclusion(receipts[0], id, proofOf(tree, receipts[0]))).to.equal(true);
      const copyId = batchIdOf(f.nodeB.address, batch.root);
      expect(await f.registry.verifyInclusion(receipts[0], copyId, proofOf(tree, receipts[0]))).to.equal(false);
    });

    it("accepts an EIP-1271 contract signer", async function () {
      const f = await loadFixture(deployAttestationFixture);
      const owner = randomWallet();
      const wallet = await ethers.deployContract("ERC1271WalletMock", [owner.address]);
      await f.system.registerNode(f.unregistered, await wallet.getAddress());
      const { batch } = batchOf(f.unregistered.address, [makeReceipt(f.unregistered.address, f.modelId)]);
      await expect(f.registry.submitBatch(batch, await signBatchEthers(owner, f.domain, batch))).to.emit(
        f.registry,
        "BatchSubmitted",
      );
    });

    it("keeps an independent sequence per node", async function () {
      const f = await loadFixture(deployAttestationFixture);
      for (const sequence of [1n, 2n, 3n]) {
        const { batch } = batchOf(f.nodeA.address, [makeReceipt(f.nodeA.address, f.modelId)], sequence);
        await f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, f.domain, batch));
      }
      const { batch } = batchOf(f.nodeB.address, [makeReceipt(f.nodeB.address, f.modelId)], 1n);
      await expect(f.registry.submitBatch(batch, await signBatchEthers(f.nodeB.signer, f.domain, batch))).to.emit(
        f.registry,
        "BatchSubmitted",
      );
      expect(await f.registry.nextSequence(f.nodeA.address)).to.equal(4n);
      expect(await f.registry.nextSequence(f.nodeB.address)).to.equal(2n);
    });

    describe("reverts", function () {
      it("when the same signed batch is submitted twice", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const { batch } = batchOf(f.nodeA.address, [makeReceipt(f.nodeA.address, f.modelId)]);
        const signature = await signBatchEthers(f.nodeA.signer, f.domain, batch);
        await f.registry.submitBatch(batch, signature);
        await expect(f.registry.submitBatch(batch, signature))
          .to.be.revertedWithCustomError(f.registry, "AttestationBatchExists")
          .withArgs(batchIdOf(batch.node, batch.root), batch.node);
      });

      it("when its root was attested before by the same node under another sequence", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const { batch } = batchOf(f.nodeA.address, [makeReceipt(f.nodeA.address, f.modelId)]);
        await f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, f.domain, batch));
        const again: Batch = { ...batch, sequence: 2n, dataHash: randomHash() };
        await expect(f.registry.submitBatch(again, await signBatchEthers(f.nodeA.signer, f.domain, again)))
          .to.be.revertedWithCustomError(f.registry, "AttestationBatchExists")
          .withArgs(batchIdOf(batch.node, batch.root), f.nodeA.address);
      });

      it("when the count is zero", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const batch: Batch = {
          node: f.nodeA.address,
          sequence: 1n,
          root: randomHash(),
          count: 0n,
          dataHash: randomHash(),
        };
        await expect(f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, f.domain, batch)))
          .to.be.revertedWithCustomError(f.registry, "AttestationEmptyBatch")
          .withArgs(batch.node, 1n);
      });

      it("when the root is zero", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const batch: Batch = {
          node: f.nodeA.address,
          sequence: 1n,
          root: ethers.ZeroHash,
          count: 1n,
          dataHash: randomHash(),
        };
        await expect(f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, f.domain, batch)))
          .to.be.revertedWithCustomError(f.registry, "AttestationZeroRoot")
          .withArgs(batch.node, 1n);
      });

      for (const [label, sequence, after] of [
        ["the first sequence is 0", 0n, 0n],
        ["the first sequence is 2", 2n, 0n],
        ["a sequence is skipped", 3n, 1n],
        ["a sequence is reused", 1n, 1n],
      ] as const) {
        it(`when ${label}`, async function () {
          const f = await loadFixture(deployAttestationFixture);
          for (let s = 1n; s <= after; s++) {
            const { batch } = batchOf(f.nodeA.address, [makeReceipt(f.nodeA.address, f.modelId)], s);
            await f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, f.domain, batch));
          }
          const { batch } = batchOf(f.nodeA.address, [makeReceipt(f.nodeA.address, f.modelId)], sequence);
          await expect(f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, f.domain, batch)))
            .to.be.revertedWithCustomError(f.registry, "AttestationUnexpectedSequence")
            .withArgs(batch.node, sequence, after + 1n);
        });
      }

      it("when the node is not registered", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const { batch } = batchOf(f.unregistered.address, [makeReceipt(f.unregistered.address, f.modelId)]);
        await expect(f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, f.domain, batch)))
          .to.be.revertedWithCustomError(f.registry, "AttestationNodeNotRegistered")
          .withArgs(batch.node);
      });

      it("when the node is jailed", async function () {
        const f = await loadFixture(deployAttestationFixture);
        await f.system.jail(f.nodeA.address);
        const { batch } = batchOf(f.nodeA.address, [makeReceipt(f.nodeA.address, f.modelId)]);
        await expect(f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, f.domain, batch)))
          .to.be.revertedWithCustomError(f.registry, "AttestationNodeNotActive")
          .withArgs(batch.node);
      });

      it("when signed by a signer rotated out before submission", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const { batch } = batchOf(f.nodeA.address, [makeReceipt(f.nodeA.address, f.modelId)]);
        const signature = await signBatchEthers(f.nodeA.signer, f.domain, batch);
        const newSigner = randomWallet();
        await f.system.rotateSigner(f.nodeA.operator, newSigner.address);
        await expect(f.registry.submitBatch(batch, signature))
          .to.be.revertedWithCustomError(f.registry, "AttestationInvalidSignature")
          .withArgs(batch.node, newSigner.address);
      });

      it("when signed by another node's signer", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const { batch } = batchOf(f.nodeA.address, [makeReceipt(f.nodeA.address, f.modelId)]);
        await expect(f.registry.submitBatch(batch, await signBatchEthers(f.nodeB.signer, f.domain, batch)))
          .to.be.revertedWithCustomError(f.registry, "AttestationInvalidSignature")
          .withArgs(batch.node, f.nodeA.signer.address);
      });

      for (const [label, malform] of [
        ["a high-s signature", toHighS],
        ["v = 26", (s: string) => withV(s, 26)],
        ["a 64-byte compact signature", toCompact],
        ["a 66-byte signature", (s: string) => concat([s, "0x1b"])],
      ] as const) {
        it(`with ${label}`, async function () {
          const f = await loadFixture(deployAttestationFixture);
          const { batch } = batchOf(f.nodeA.address, [makeReceipt(f.nodeA.address, f.modelId)]);
          const signature = malform(await signBatchEthers(f.nodeA.signer, f.domain, batch));
          await expect(f.registry.submitBatch(batch, signature))
            .to.be.revertedWithCustomError(f.registry, "AttestationInvalidSignature")
            .withArgs(batch.node, f.nodeA.signer.address);
        });
      }

      it("when signed for another chain id", async function () {
        const f = await loadFixture(deployAttestationFixture);
        const { batch } = batchOf(f.nodeA.address, [makeReceipt(f.nodeA.address, f.modelId)]);
        const domain = { ...f.domain, chainId: 1n };
        await expect(f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, domain, batch)))
          .to.be.revertedWithCustomError(f.registry, "AttestationInvalidSignature")
          .withArgs(batch.node, f.nodeA.signer.address);
      });

      for (const field of BATCH_FIELDS) {
        it(`when the signed field ${field} is changed`, async function () {
          const f = await loadFixture(deployAttestationFixture);
          const { batch } = batchOf(f.nodeA.address, [makeReceipt(f.nodeA.address, f.modelId)]);
          const signature = await signBatchEthers(f.nodeA.signer, f.domain, batch);
          // A changed sequence would fail the sequence rule first, so sign sequence 2 and submit it as 1.
          if (field === "sequence") {
            const signedAs2 = await signBatchEthers(f.nodeA.signer, f.domain, { ...batch, sequence: 2n });
            await expect(f.registry.submitBatch(batch, signedAs2))
              .to.be.revertedWithCustomError(f.registry, "AttestationInvalidSignature")
              .withArgs(batch.node, f.nodeA.signer.address);
            return;
          }
          const replacement = field === "node" ? f.nodeB.address : mutate(field, batch[field]);
          const changed = { ...batch, [field]: replacement };
          const expectedSigner = field === "node" ? f.nodeB.signer.address : f.nodeA.signer.address;
          await expect(f.registry.submitBatch(changed, signature))
            .to.be.revertedWithCustomError(f.registry, "AttestationInvalidSignature")
            .withArgs(changed.node, expectedSigner);
        });
      }
    });
  });

  describe("lookups of what was never attested", function () {
    it("return zeros", async function () {
      const { registry, nodeA, modelId } = await loadFixture(deployAttestationFixture);
      const receipt = makeReceipt(nodeA.address, modelId);
      const batch = await registry.getBatch(randomHash());
      expect([batch.node, batch.windowEnd, batch.count]).to.deep.equal([ethers.ZeroAddress, 0n, 0n]);
      const status = await registry.getReceipt(receipt);
      expect([status.receiptHash, status.windowEnd, status.state]).to.deep.equal([hashReceipt(receipt), 0n, 0n]);
      expect(await registry.getReceiptByRequest(receipt.node, receipt.requestId)).to.deep.equal([ethers.ZeroHash, 0n]);
      expect(await registry.receiptState(hashReceipt(receipt))).to.equal(BigInt(ReceiptState.None));
      expect(await registry.isReceiptFinal(receipt)).to.equal(false);
      expect(await registry.verifyInclusion(receipt, ZERO_BATCH, [])).to.equal(false);
    });
  });

  describe("setChallengeWindow", function () {
    shouldBehaveLikeBoundedParameter({ name: "challengeWindow", min: MIN_WINDOW, max: MAX_WINDOW }, async () => {
      const { registry, admin, stranger } = await loadFixture(deployAttestationFixture);
      return {
        contract: registry,
        admin,
        stranger,
        set: (signer, value) => registry.connect(signer).setChallengeWindow(value),
        get: () => registry.challengeWindow(),
      };
    });

    it("leaves windows already open with their end", async function () {
      const f = await loadFixture(deployAttestationFixture);
      const receipt = makeReceipt(f.nodeA.address, f.modelId);
      const t = await nextTimestamp();
      await f.registry.submitReceipt(receipt, await signReceiptEthers(f.nodeA.signer, f.domain, receipt));
      await f.registry.connect(f.admin).setChallengeWindow(MAX_WINDOW);
      expect((await f.registry.getReceipt(receipt)).windowEnd).to.equal(t + CHALLENGE_WINDOW);
      await time.increaseTo(t + CHALLENGE_WINDOW);
      expect(await f.registry.isReceiptFinal(receipt)).to.equal(true);
      const next = makeReceipt(f.nodeA.address, f.modelId);
      const t2 = await nextTimestamp();
      await f.registry.submitReceipt(next, await signReceiptEthers(f.nodeA.signer, f.domain, next));
      expect((await f.registry.getReceipt(next)).windowEnd).to.equal(t2 + MAX_WINDOW);
    });
  });

  describe("finality", function () {
    async function singleFixture() {
      const f = await deployAttestationFixture();
      const receipt = makeReceipt(f.nodeA.address, f.modelId);
      const t = await nextTimestamp();
      await f.registry.submitReceipt(receipt, await signReceiptEthers(f.nodeA.signer, f.domain, receipt));
      return { ...f, receipt, windowEnd: t + CHALLENGE_WINDOW };
    }

    async function batchFixture() {
      const f = await deployAttestationFixture();
      const receipts = Array.from({ length: 5 }, () => makeReceipt(f.nodeA.address, f.modelId));
      const { tree, batch } = batchOf(f.nodeA.address, receipts);
      const t = await nextTimestamp();
      await f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, f.domain, batch));
      const otherReceipts = Array.from({ length: 4 }, () => makeReceipt(f.nodeA.address, f.modelId));
      const other = batchOf(f.nodeA.address, otherReceipts, 2n);
      await f.registry.submitBatch(other.batch, await signBatchEthers(f.nodeA.signer, f.domain, other.batch));
      return { ...f, receipts, tree, batch, otherReceipts, other, windowEnd: t + CHALLENGE_WINDOW };
    }

    describe("of a single receipt", function () {
      it("is not final one second before the window end, and final at it", async function () {
        const { registry, receipt, windowEnd } = await loadFixture(singleFixture);
        await time.increaseTo(windowEnd - 1n);
        expect(await registry.isReceiptFinal(receipt)).to.equal(false);
        expect(await registry.isFinal(receipt, ZERO_BATCH, [])).to.equal(false);
        await time.increaseTo(windowEnd);
        expect(await registry.isReceiptFinal(receipt)).to.equal(true);
        expect(await registry.isFinal(receipt, ZERO_BATCH, [])).to.equal(true);
      });

      it("is never final for a receipt that differs in any field, or with a proof", async function () {
        const { registry, receipt, windowEnd, tree } = await loadFixture(singleFixture).then(async (f) => ({
          ...f,
          tree: buildTree([f.receipt, makeReceipt(f.nodeA.address, f.modelId)]),
        }));
        await time.increaseTo(windowEnd);
        for (const field of RECEIPT_FIELDS) {
          const changed = { ...receipt, [field]: mutate(field, receipt[field]) };
          expect(await registry.isReceiptFinal(changed)).to.equal(false);
          expect(await registry.verifyInclusion(changed, ZERO_BATCH, [])).to.equal(false);
        }
        expect(await registry.isFinal(receipt, ZERO_BATCH, proofOf(tree, receipt))).to.equal(false);
        expect(await registry.verifyInclusion(receipt, ZERO_BATCH, [])).to.equal(true);
      });

      it("stays final after the node rotates its signer or is jailed", async function () {
        const f = await loadFixture(singleFixture);
        await f.system.rotateSigner(f.nodeA.operator, randomWallet().address);
        await time.increaseTo(f.windowEnd);
        expect(await f.registry.isReceiptFinal(f.receipt)).to.equal(true);
        await f.system.jail(f.nodeA.address);
        expect(await f.registry.isReceiptFinal(f.receipt)).to.equal(true);
      });
    });

    describe("of a receipt in a batch", function () {
      it("verifies every leaf with its proof, final from the window end", async function () {
        const { registry, receipts, tree, batch, windowEnd } = await loadFixture(batchFixture);
        for (const receipt of receipts) {
          expect(
            await registry.verifyInclusion(receipt, batchIdOf(batch.node, batch.root), proofOf(tree, receipt)),
          ).to.equal(true);
          expect(await registry.isFinal(receipt, batchIdOf(batch.node, batch.root), proofOf(tree, receipt))).to.equal(
            false,
          );
        }
        await time.increaseTo(windowEnd - 1n);
        expect(
          await registry.isFinal(receipts[0], batchIdOf(batch.node, batch.root), proofOf(tree, receipts[0])),
        ).to.equal(false);
        await time.increaseTo(windowEnd);
        for (const receipt of receipts) {
          expect(await registry.isFinal(receipt, batchIdOf(batch.node, batch.root), proofOf(tree, receipt))).to.equal(
            true,
          );
        }
        expect(await registry.isReceiptFinal(receipts[0])).to.equal(false);
      });

      it("rejects a proof for a leaf of another batch", async function () {
        const { registry, batch, other, otherReceipts, windowEnd } = await loadFixture(batchFixture);
        await time.increaseTo(windowEnd + 1n);
        const receipt = otherReceipts[0];
        const proof = proofOf(other.tree, receipt);
        expect(await registry.isFinal(receipt, batchIdOf(other.batch.node, other.batch.root), proof)).to.equal(true);
        expect(await registry.verifyInclusion(receipt, batchIdOf(batch.node, batch.root), proof)).to.equal(false);
        expect(await registry.isFinal(receipt, batchIdOf(batch.node, batch.root), proof)).to.equal(false);
      });

      it("rejects a proof of the wrong depth: too short, too long, empty", async function () {
        const { registry, receipts, tree, batch } = await loadFixture(batchFixture);
        const proof = proofOf(tree, receipts[0]);
        expect(await registry.verifyInclusion(receipts[0], batchIdOf(batch.node, batch.root), proof.slice(1))).to.equal(
          false,
        );
        expect(
          await registry.verifyInclusion(receipts[0], batchIdOf(batch.node, batch.root), [...proof, randomHash()]),
        ).to.equal(false);
        const tooDeep = [...proof, randomHash(), randomHash()];
        expect(await registry.verifyInclusion(receipts[0], batchIdOf(batch.node, batch.root), tooDeep)).to.equal(false);
        expect(await registry.verifyInclusion(receipts[0], batchIdOf(batch.node, batch.root), [])).to.equal(false);
      });

      it("rejects a receipt of another node, an unknown batch and a changed receipt", async function () {
        const { registry, receipts, tree, batch, nodeB } = await loadFixture(batchFixture);
        const proof = proofOf(tree, receipts[1]);
        expect(
          await registry.verifyInclusion(
            { ...receipts[1], node: nodeB.address },
            batchIdOf(batch.node, batch.root),
            proof,
          ),
        ).to.equal(false);
        expect(await registry.verifyInclusion(receipts[1], randomHash(), proof)).to.equal(false);
        for (const field of RECEIPT_FIELDS) {
          const changed = { ...receipts[1], [field]: mutate(field, receipts[1][field]) };
          expect(await registry.verifyInclusion(changed, batchIdOf(batch.node, batch.root), proof)).to.equal(false);
        }
      });
    });
  });

  describe("disputes", function () {
    async function disputeFixture() {
      const f = await deployAttestationFixture();
      const receipt = makeReceipt(f.nodeA.address, f.modelId);
      const t = await nextTimestamp();
      await f.registry.submitReceipt(receipt, await signReceiptEthers(f.nodeA.signer, f.domain, receipt));
      const receipts = Array.from({ length: 3 }, () => makeReceipt(f.nodeA.address, f.modelId));
      const { tree, batch } = batchOf(f.nodeA.address, receipts);
      await time.setNextBlockTimestamp(t + 1n);
      await f.registry.submitBatch(batch, await signBatchEthers(f.nodeA.signer, f.domain, batch));
      return {
        ...f,
        receipt,
        receipts,
        tree,
        batch,
        windowEnd: t + CHALLENGE_WINDOW,
        batchWindowEnd: t + 1n + CHALLENGE_WINDOW,
      };
    }

    it("places a single receipt under dispute inside its window, so it is not final", async function () {
      const { registry, disputer, receipt, windowEnd } = await loadFixture(disputeFixture);
      const receiptHash = hashReceipt(receipt);
      await time.setNextBlockTimestamp(windowEnd - 1n);
      await expect(registry.connect(disputer).openDispute(receipt, ZERO_BATCH, []))
        .to.emit(registry, "ReceiptDisputed")
        .withArgs(receiptHash, ZERO_BATCH, receipt.node, windowEnd);
      expect(await registry.receiptState(receiptHash)).to.equal(BigInt(ReceiptState.Disputed));
      await time.increaseTo(windowEnd + 100n);
      expect(await registry.isReceiptFinal(receipt)).to.equal(false);
    });

    it("returns the receipt hash and the window end", async function () {
      const { registry, disputer, receipt, windowEnd } = await loadFixture(disputeFixture);
      const [receiptHash, end] = await registry.connect(disputer).openDispute.staticCall(receipt, ZERO_BATCH, []);
      expect([receiptHash, end]).to.deep.equal([hashReceipt(receipt), windowEnd]);
    });

    it("places a batch receipt under dispute without touching its siblings", async function () {
      const {
        registry,
        disputer,
        receipts,
        tree,
        batch,
        batchWindowEnd: windowEnd,
      } = await loadFixture(disputeFixture);
      await expect(
        registry
          .connect(disputer)
          .openDispute(receipts[1], batchIdOf(batch.node, batch.root), proofOf(tree, receipts[1])),
      )
        .to.emit(registry, "ReceiptDisputed")
        .withArgs(hashReceipt(receipts[1]), batchIdOf(batch.node, batch.root), batch.node, windowEnd);
      await time.increaseTo(windowEnd);
      expect(
        await registry.isFinal(receipts[1], batchIdOf(batch.node, batch.root), proofOf(tree, receipts[1])),
      ).to.equal(false);
      expect(
        await registry.isFinal(receipts[0], batchIdOf(batch.node, batch.root), proofOf(tree, receipts[0])),
      ).to.equal(true);
    });

    it("rejects a receipt found wrong for good", async function () {
      const {
        registry,
        disputer,
        receipts,
        tree,
        batch,
        batchWindowEnd: windowEnd,
      } = await loadFixture(disputeFixture);
      const receiptHash = hashReceipt(receipts[2]);
      await registry
        .connect(disputer)
        .openDispute(receipts[2], batchIdOf(batch.node, batch.root), proofOf(tree, receipts[2]));
      await expect(registry.connect(disputer).resolveDispute(receiptHash, true))
        .to.emit(registry, "ReceiptDisputeResolved")
        .withArgs(receiptHash, true);
      expect(await registry.receiptState(receiptHash)).to.equal(BigInt(ReceiptState.Rejected));
      await time.increaseTo(windowEnd + 1_000_000n);
      expect(
        await registry.isFinal(receipts[2], batchIdOf(batch.node, batch.root), proofOf(tree, receipts[2])),
      ).to.equal(false);
    });

    it("upholds a receipt found right: final once its window has closed", async function () {
      const { registry, disputer, receipt, windowEnd } = await loadFixture(disputeFixture);
      const receiptHash = hashReceipt(receipt);
      await registry.connect(disputer).openDispute(receipt, ZERO_BATCH, []);
      await expect(registry.connect(disputer).resolveDispute(receiptHash, false))
        .to.emit(registry, "ReceiptDisputeResolved")
        .withArgs(receiptHash, false);
      expect(await registry.receiptState(receiptHash)).to.equal(BigInt(ReceiptState.Upheld));
      expect(await registry.isReceiptFinal(receipt)).to.equal(false);
      await time.increaseTo(windowEnd);
      expect(await registry.isReceiptFinal(receipt)).to.equal(true);
      expect((await registry.getReceipt(receipt)).state).to.equal(BigInt(ReceiptState.Upheld));
    });

    describe("ending undecided (expireDispute)", function () {
      it("never upholds: the receipt is challengeable again, its window extended by the time it was frozen", async function () {
        const { registry, disputer, receipt, windowEnd } = await loadFixture(disputeFixture);
        const receiptHash = hashReceipt(receipt);
        const openedAt = windowEnd - 100n;
        await time.setNextBlockTimestamp(openedAt);
        await registry.connect(disputer).openDispute(receipt, ZERO_BATCH, []);
        const expiredAt = windowEnd + 5_000n;
        await time.setNextBlockTimestamp(expiredAt);
        const extended = windowEnd + (expiredAt - openedAt);
        await expect(registry.connect(disputer).expireDispute(receiptHash))
          .to.emit(registry, "ReceiptDisputeExpired")
          .withArgs(receiptHash, extended);
        expect(await registry.receiptState(receiptHash)).to.equal(BigInt(ReceiptState.None));
        const record = await registry.getReceiptDispute(receiptHash);
        expect([record.state, record.disputedAt, record.windowEnd]).to.deep.equal([
          BigInt(ReceiptState.None),
          openedAt,
          extended,
        ]);
        expect((await registry.getReceipt(receipt)).windowEnd).to.equal(extended);
        expect(await registry.isReceiptFinal(receipt)).to.equal(false);
        // The extended window is open until its last second and closed at its end, like the original.
        await time.setNextBlockTimestamp(extended - 1n);
        await expect(registry.connect(disputer).openDispute(receipt, ZERO_BATCH, []))
          .to.emit(registry, "ReceiptDisputed")
          .withArgs(receiptHash, ZERO_BATCH, receipt.node, extended);
        await time.setNextBlockTimestamp(extended);
        await registry.connect(disputer).resolveDispute(receiptHash, false);
        expect(await registry.isReceiptFinal(receipt)).to.equal(true);
      });

      it("extends a batch receipt's window alone, not its batch's", async function () {
        const { registry, disputer, receipts, tree, batch, batchWindowEnd } = await loadFixture(disputeFixture);
        const [a, b] = [receipts[0], receipts[1]];
        const batchId = batchIdOf(batch.node, batch.root);
        const openedAt = batchWindowEnd - 10n;
        await time.setNextBlockTimestamp(openedAt);
        await registry.connect(disputer).openDispute(a, batchId, proofOf(tree, a));
        await time.setNextBlockTimestamp(openedAt + 1_000n);
        await registry.connect(disputer).expireDispute(hashReceipt(a));
        expect(BigInt(await time.latest())).to.be.greaterThan(batchWindowEnd);
        expect(await registry.isFinal(a, batchId, proofOf(tree, a))).to.equal(false);
        expect(await registry.isFinal(b, batchId, proofOf(tree, b))).to.equal(true);
        expect((await registry.getBatch(batchId)).windowEnd).to.equal(batchWindowEnd);
        await time.increaseTo(batchWindowEnd + 1_000n);
        expect(await registry.isFinal(a, batchId, proofOf(tree, a))).to.equal(true);
      });

      it("reverts without an open dispute, and for a caller without the dispute role", async function () {
        const { registry, disputer, keeper, receipt } = await loadFixture(disputeFixture);
        const receiptHash = hashReceipt(receipt);
        await expect(registry.connect(disputer).expireDispute(receiptHash))
          .to.be.revertedWithCustomError(registry, "AttestationUnexpectedReceiptState")
          .withArgs(receiptHash, ReceiptState.None, ReceiptState.Disputed);
        await registry.connect(disputer).openDispute(receipt, ZERO_BATCH, []);
        await registry.connect(disputer).resolveDispute(receiptHash, true);
        await expect(registry.connect(disputer).expireDispute(receiptHash))
          .to.be.revertedWithCustomError(registry, "AttestationUnexpectedReceiptState")
          .withArgs(receiptHash, ReceiptState.Rejected, ReceiptState.Disputed);
        await expect(registry.connect(keeper).expireDispute(receiptHash))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(keeper.address, DISPUTE_ROLE);
      });
    });

    describe("reverts", function () {
      it("when opened at the exact window end (the window is closed from windowEnd on)", async function () {
        const { registry, disputer, receipt, windowEnd } = await loadFixture(disputeFixture);
        await time.setNextBlockTimestamp(windowEnd);
        await expect(registry.connect(disputer).openDispute(receipt, ZERO_BATCH, []))
          .to.be.revertedWithCustomError(registry, "AttestationWindowClosed")
          .withArgs(hashReceipt(receipt), windowEnd, windowEnd);
      });

      it("when opened on a final batch receipt", async function () {
        const {
          registry,
          disputer,
          receipts,
          tree,
          batch,
          batchWindowEnd: windowEnd,
        } = await loadFixture(disputeFixture);
        await time.increaseTo(windowEnd + 10n);
        expect(
          await registry.isFinal(receipts[0], batchIdOf(batch.node, batch.root), proofOf(tree, receipts[0])),
        ).to.equal(true);
        await time.setNextBlockTimestamp(windowEnd + 20n);
        await expect(
          registry
            .connect(disputer)
            .openDispute(receipts[0], batchIdOf(batch.node, batch.root), proofOf(tree, receipts[0])),
        )
          .to.be.revertedWithCustomError(registry, "AttestationWindowClosed")
          .withArgs(hashReceipt(receipts[0]), windowEnd, windowEnd + 20n);
      });

      it("when the receipt is not attested, or the proof is wrong", async function () {
        const { registry, disputer, receipts, tree, batch, nodeA, modelId } = await loadFixture(disputeFixture);
        const stranger = makeReceipt(nodeA.address, modelId);
        await expect(registry.connect(disputer).openDispute(stranger, ZERO_BATCH, []))
          .to.be.revertedWithCustomError(registry, "AttestationReceiptNotAttested")
          .withArgs(hashReceipt(stranger), ZERO_BATCH);
        await expect(
          registry
            .connect(disputer)
            .openDispute(receipts[0], batchIdOf(batch.node, batch.root), proofOf(tree, receipts[1])),
        )
          .to.be.revertedWithCustomError(registry, "AttestationReceiptNotAttested")
          .withArgs(hashReceipt(receipts[0]), batchIdOf(batch.node, batch.root));
      });

      it("when a dispute on the receipt is already open, or was resolved", async function () {
        const { registry, disputer, receipt } = await loadFixture(disputeFixture);
        const receiptHash = hashReceipt(receipt);
        await registry.connect(disputer).openDispute(receipt, ZERO_BATCH, []);
        await expect(registry.connect(disputer).openDispute(receipt, ZERO_BATCH, []))
          .to.be.revertedWithCustomError(registry, "AttestationUnexpectedReceiptState")
          .withArgs(receiptHash, ReceiptState.Disputed, ReceiptState.None);
        await registry.connect(disputer).resolveDispute(receiptHash, false);
        await expect(registry.connect(disputer).openDispute(receipt, ZERO_BATCH, []))
          .to.be.revertedWithCustomError(registry, "AttestationUnexpectedReceiptState")
          .withArgs(receiptHash, ReceiptState.Upheld, ReceiptState.None);
        await expect(registry.connect(disputer).resolveDispute(receiptHash, true))
          .to.be.revertedWithCustomError(registry, "AttestationUnexpectedReceiptState")
          .withArgs(receiptHash, ReceiptState.Upheld, ReceiptState.Disputed);
      });

      it("when resolving a receipt with no open dispute", async function () {
        const { registry, disputer } = await loadFixture(disputeFixture);
        const receiptHash = randomHash();
        await expect(registry.connect(disputer).resolveDispute(receiptHash, true))
          .to.be.revertedWithCustomError(registry, "AttestationUnexpectedReceiptState")
          .withArgs(receiptHash, ReceiptState.None, ReceiptState.Disputed);
      });

      it("for a caller without the dispute role", async function () {
        const { registry, keeper, receipt } = await loadFixture(disputeFixture);
        await expect(registry.connect(keeper).openDispute(receipt, ZERO_BATCH, []))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(keeper.address, DISPUTE_ROLE);
        await expect(registry.connect(keeper).resolveDispute(hashReceipt(receipt), true))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(keeper.address, DISPUTE_ROLE);
      });
    });
  });
});
