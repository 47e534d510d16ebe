import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import type { Wallet } from "ethers";
import type { NodeRegistry } from "../../typechain-types";
import { deployEvidenceFixture } from "../fixtures/evidence";
import type { EvidenceFixture, NodeUnderTest } from "../fixtures/evidence";
import {
  hashReceipt,
  makeReceipt,
  randomHash,
  randomWallet,
  signReceiptEthers,
  toCompact,
  toHighS,
} from "../helpers/receipts";
import type { Receipt } from "../helpers/receipts";
import { byAttestation, bySignature } from "./helpers";

/** Two receipts of `node` for one request of `modelId` that differ only in their output. */
function equivocatingPair(node: NodeUnderTest, modelId: string): [Receipt, Receipt] {
  const a = makeReceipt(node.address, modelId);
  return [a, { ...a, outputHash: randomHash(), traceRoot: randomHash(), issuedAt: a.issuedAt + 5n }];
}

/** Runs `send` with automine off and mines the transactions it sent in one block; returns that block's number. */
async function inOneBlock(send: () => Promise<void>): Promise<number> {
  await ethers.provider.send("evm_setAutomine", [false]);
  try {
    await send();
    await mine(1);
  } finally {
    await ethers.provider.send("evm_setAutomine", [true]);
  }
  return ethers.provider.getBlockNumber();
}

describe("EquivocationSlasher and the node's keys", function () {
  describe("escaping equivocation by rotating the key", function () {
    it("a node that rotates its key in the proof's own block, ahead of it, is still slashed", async function () {
      const f = await loadFixture(deployEvidenceFixture);
      const [a, b] = equivocatingPair(f.nodeA, f.exactModel);
      const evidenceA = bySignature(a, await signReceiptEthers(f.nodeA.signer, f.domain, a));
      const evidenceB = bySignature(b, await signReceiptEthers(f.nodeA.signer, f.domain, b));
      const newSigner = randomWallet();
      const gasLimit = 1_000_000n;
      let rotation = "";
      let proof = "";
      const block = await inOneBlock(async () => {
        // The node sees the proof coming and front-runs it with a higher tip.
        rotation = (
          await (f.nodes as NodeRegistry).connect(f.nodeA.operator).rotateSigner(newSigner.address, {
            gasLimit,
            maxPriorityFeePerGas: ethers.parseUnits("50", "gwei"),
            maxFeePerGas: ethers.parseUnits("100", "gwei"),
          })
        ).hash;
        proof = (
          await f.slasher.connect(f.prover).proveEquivocation(evidenceA, evidenceB, {
            gasLimit,
            maxPriorityFeePerGas: ethers.parseUnits("1", "gwei"),
            maxFeePerGas: ethers.parseUnits("100", "gwei"),
          })
        ).hash;
      });
      const rotated = (await ethers.provider.getTransactionReceipt(rotation))!;
      const proven = (await ethers.provider.getTransactionReceipt(proof))!;
      expect(rotated.blockNumber).to.equal(block);
      expect(proven.blockNumber).to.equal(block);
      expect(rotated.index).to.be.lessThan(proven.index);
      expect(await f.nodes.signerOf(f.nodeA.address)).to.equal(newSigner.address);
      expect(proven.status).to.equal(1);
      expect(await f.slasher.isProven(f.nodeA.address, a.requestId)).to.equal(true);
      expect((await f.nodes.getNode(f.nodeA.address)).jailed).to.equal(true);
    });

    it("a node that attested, rotated, and equivocated with the old key on chain is slashed by the attestations", async function () {
      const f = await loadFixture(deployEvidenceFixture);
      const [a, b] = equivocatingPair(f.nodeA, f.exactModel);
      await f.attestation.connect(f.stranger).submitReceipt(a, await signReceiptEthers(f.nodeA.signer, f.domain, a));
      const batch = await f.submitBatch(f.nodeA, [b]);
      await f.system.rotateSigner(f.nodeA.operator, randomWallet().address);
      await mine(3);
      await expect(
        f.slasher.connect(f.prover).proveEquivocation(byAttestation(a), byAttestation(b, batch.batchId, [])),
      ).to.emit(f.slasher, "EquivocationProven");
    });

    it("a leaked old key can't frame the node: not as signature evidence, nor through a new attestation", async function () {
      const f = await loadFixture(deployEvidenceFixture);
      const [real, forged] = equivocatingPair(f.nodeA, f.exactModel);
      await f.attestation
        .connect(f.stranger)
        .submitReceipt(real, await signReceiptEthers(f.nodeA.signer, f.domain, real));
      const leaked: Wallet = f.nodeA.signer;
      const newSigner = randomWallet();
      await f.system.rotateSigner(f.nodeA.operator, newSigner.address);
      // The thief signs a receipt the node never issued, once the rotation is mined.
      const forgedSignature = await signReceiptEthers(leaked, f.domain, forged);
      await expect(
        f.slasher.connect(f.prover).proveEquivocation(byAttestation(real), bySignature(forged, forgedSignature)),
      )
        .to.be.revertedWithCustomError(f.slasher, "EquivocationInvalidSignature")
        .withArgs(f.nodeA.address, newSigner.address, hashReceipt(forged));
      const other = makeReceipt(f.nodeA.address, f.exactModel);
      await expect(
        f.attestation.connect(f.stranger).submitReceipt(other, await signReceiptEthers(leaked, f.domain, other)),
      )
        .to.be.revertedWithCustomError(f.attestation, "AttestationInvalidSignature")
        .withArgs(f.nodeA.address, newSigner.address);
      expect(await f.staking.slashableStakeOf(f.nodeA.address)).to.be.greaterThan(0n);
      expect((await f.nodes.getNode(f.nodeA.address)).jailed).to.equal(false);
    });
  });

  describe("one signature rule for submission and evidence", function () {
    /** Gives `node` a signer of `kind`; returns the key that signs for it. */
    async function useSigner(f: EvidenceFixture, node: NodeUnderTest, kind: string): Promise<Wallet> {
      const key = randomWallet();
      if (kind === "a plain key") {
        await f.system.rotateSigner(node.operator, key.address);
      } else if (kind === "an EIP-1271 wallet") {
        const wallet = await ethers.deployContract("ERC1271WalletMock", [key.address]);
        await f.system.rotateSigner(node.operator, await wallet.getAddress());
      } else {
        // A key whose account has code (EIP-7702 delegation): code that approves no EIP-1271 request at all.
        const decoy = await ethers.deployContract("ERC1271WalletMock", [randomWallet().address]);
        const code = await ethers.provider.getCode(await decoy.getAddress());
        await ethers.provider.send("hardhat_setCode", [key.address, code]);
        await f.system.rotateSigner(node.operator, key.address);
      }
      await mine(1);
      return key;
    }

    for (const kind of ["a plain key", "an EIP-1271 wallet", "a key whose account has code (EIP-7702)"]) {
      it(`a signature by ${kind} accepted at submission is accepted as evidence, and vice versa`, async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const key = await useSigner(f, f.nodeA, kind);
        const [a, b] = equivocatingPair(f.nodeA, f.exactModel);
        const signatureA = await signReceiptEthers(key, f.domain, a);
        const signatureB = await signReceiptEthers(key, f.domain, b);
        // Both signatures as evidence ...
        expect(
          await f.slasher
            .connect(f.prover)
            .proveEquivocation.staticCall(bySignature(a, signatureA), bySignature(b, signatureB)),
        ).to.be.greaterThan(0n);
        // ... and the same signatures at submission, then as evidence next to the attestation.
        await expect(f.attestation.connect(f.stranger).submitReceipt(a, signatureA)).to.emit(
          f.attestation,
          "ReceiptSubmitted",
        );
        await expect(
          f.slasher.connect(f.prover).proveEquivocation(byAttestation(a), bySignature(b, signatureB)),
        ).to.emit(f.slasher, "EquivocationProven");
      });
    }

    it("a high-s or 64-byte signature is refused by both", async function () {
      const f = await loadFixture(deployEvidenceFixture);
      const [a, b] = equivocatingPair(f.nodeA, f.exactModel);
      const signatureA = await signReceiptEthers(f.nodeA.signer, f.domain, a);
      const signatureB = await signReceiptEthers(f.nodeA.signer, f.domain, b);
      for (const malleated of [toHighS(signatureB), toCompact(signatureB)]) {
        await expect(f.attestation.connect(f.stranger).submitReceipt(b, malleated))
          .to.be.revertedWithCustomError(f.attestation, "AttestationInvalidSignature")
          .withArgs(f.nodeA.address, f.nodeA.signer.address);
        await expect(
          f.slasher.connect(f.prover).proveEquivocation(bySignature(a, signatureA), bySignature(b, malleated)),
        )
          .to.be.revertedWithCustomError(f.slasher, "EquivocationInvalidSignature")
          .withArgs(f.nodeA.address, f.nodeA.signer.address, hashReceipt(b));
      }
    });
  });
});
