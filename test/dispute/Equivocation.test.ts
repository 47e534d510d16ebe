import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { privateKeyToAccount } from "viem/accounts";
import type { Hex } from "viem";
import {
  DISPUTE_ROLE,
  EQUIVOCATION_SLASH_BPS,
  NODE_STAKE,
  PROVER_REWARD_BPS,
  VerificationMode,
  deployEvidenceFixture,
  deployReceiverHookEvidenceFixture,
} from "../fixtures/evidence";
import type { EvidenceFixture, NodeUnderTest } from "../fixtures/evidence";
import {
  hashReceipt,
  makeReceipt,
  proofOf,
  randomHash,
  randomWallet,
  receiptDigest,
  signReceiptEthers,
  signReceiptViem,
  toCompact,
  toHighS,
} from "../helpers/receipts";
import type { Domain, Receipt } from "../helpers/receipts";
import { byAttestation, bySignature, ceilBps, floorBps } from "./helpers";
import { signReceipt } from "../../src/protocol";
import { shouldBehaveLikeBoundedParameter } from "../helpers/boundedParameter.behavior";
import { modelRegistration } from "../fixtures/registry";
import type { ModelRegistry, NodeRegistry } from "../../typechain-types";

const MIN_SLASH_BPS = 500n;
const MAX_SLASH_BPS = 10_000n;
const MAX_PROVER_REWARD_BPS = 5_000n;

/** Two receipts of `node` for one request of `modelId` that differ only in their output. */
function equivocatingPair(node: NodeUnderTest, modelId: string): [Receipt, Receipt] {
  const a = makeReceipt(node.address, modelId);
  return [a, { ...a, outputHash: randomHash(), traceRoot: randomHash(), issuedAt: a.issuedAt + 5n }];
}

async function signedPair(f: EvidenceFixture, node: NodeUnderTest = f.nodeA) {
  const [a, b] = equivocatingPair(node, f.exactModel);
  return {
    a,
    b,
    evidenceA: bySignature(a, await signReceiptEthers(node.signer, f.domain, a)),
    evidenceB: bySignature(b, await signReceiptEthers(node.signer, f.domain, b)),
  };
}

describe("EquivocationSlasher", function () {
  describe("on deployment", function () {
    it("sets the parameters, emits them, and grants the admin role", async function () {
      const { slasher, admin } = await loadFixture(deployEvidenceFixture);
      expect(await slasher.slashBps()).to.equal(EQUIVOCATION_SLASH_BPS);
      expect(await slasher.proverRewardBps()).to.equal(PROVER_REWARD_BPS);
      expect(await slasher.hasRole(await slasher.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      expect(await slasher.MIN_SLASH_BPS()).to.equal(MIN_SLASH_BPS);
      expect(await slasher.MAX_SLASH_BPS()).to.equal(MAX_SLASH_BPS);
      expect(await slasher.MIN_PROVER_REWARD_BPS()).to.equal(0n);
      expect(await slasher.MAX_PROVER_REWARD_BPS()).to.equal(MAX_PROVER_REWARD_BPS);
      const deployment = slasher.deploymentTransaction();
      expect(deployment).to.not.equal(null);
      await expect(deployment)
        .to.emit(slasher, "ParameterSet")
        .withArgs(ethers.encodeBytes32String("slashBps"), EQUIVOCATION_SLASH_BPS);
      await expect(deployment)
        .to.emit(slasher, "ParameterSet")
        .withArgs(ethers.encodeBytes32String("proverRewardBps"), PROVER_REWARD_BPS);
    });

    describe("reverts", function () {
      it("when any dependency or the admin is the zero address", async function () {
        const { slasher, attestation, staking, nodes, models, admin } = await loadFixture(deployEvidenceFixture);
        const good = [
          await attestation.getAddress(),
          await staking.getAddress(),
          await nodes.getAddress(),
          await models.getAddress(),
        ];
        const factory = await ethers.getContractFactory("EquivocationSlasher");
        for (let i = 0; i <= good.length; i++) {
          const deps = good.map((a, j) => (j === i ? ethers.ZeroAddress : a));
          const owner = i === good.length ? ethers.ZeroAddress : admin.address;
          await expect(
            factory.deploy(deps[0]!, deps[1]!, deps[2]!, deps[3]!, EQUIVOCATION_SLASH_BPS, PROVER_REWARD_BPS, owner),
          ).to.be.revertedWithCustomError(slasher, "EquivocationZeroAddress");
        }
      });

      it("when an initial parameter is out of bounds", async function () {
        const { slasher, attestation, staking, nodes, models, admin } = await loadFixture(deployEvidenceFixture);
        const deps = [
          await attestation.getAddress(),
          await staking.getAddress(),
          await nodes.getAddress(),
          await models.getAddress(),
        ] as const;
        const factory = await ethers.getContractFactory("EquivocationSlasher");
        await expect(factory.deploy(...deps, MIN_SLASH_BPS - 1n, PROVER_REWARD_BPS, admin.address))
          .to.be.revertedWithCustomError(slasher, "ParameterOutOfBounds")
          .withArgs(ethers.encodeBytes32String("slashBps"), MIN_SLASH_BPS - 1n, MIN_SLASH_BPS, MAX_SLASH_BPS);
        await expect(factory.deploy(...deps, EQUIVOCATION_SLASH_BPS, MAX_PROVER_REWARD_BPS + 1n, admin.address))
          .to.be.revertedWithCustomError(slasher, "ParameterOutOfBounds")
          .withArgs(
            ethers.encodeBytes32String("proverRewardBps"),
            MAX_PROVER_REWARD_BPS + 1n,
            0n,
            MAX_PROVER_REWARD_BPS,
          );
      });
    });
  });

  describe("on proveEquivocation", function () {
    describe("with two receipts signed by the node's signer", function () {
      for (const [label, signA, signB] of [
        ["both signed with ethers", "ethers", "ethers"],
        ["both signed with viem signTypedData", "viem", "viem"],
        ["one signed with ethers, the other with viem", "ethers", "viem"],
        ["both signed with src/protocol signReceipt (the node service's signer)", "protocol", "protocol"],
      ] as const) {
        it(`slashes, pays the prover, sends the rest to the treasury and jails the node (${label})`, async function () {
          const f = await loadFixture(deployEvidenceFixture);
          const { slasher, staking, nodes, token, treasury, prover, nodeA, domain, exactModel } = f;
          const [a, b] = equivocatingPair(nodeA, exactModel);
          const sign = (how: "ethers" | "viem" | "protocol", r: Receipt): Promise<string> => {
            if (how === "ethers") return signReceiptEthers(nodeA.signer, domain, r);
            if (how === "viem") return signReceiptViem(nodeA.signer.privateKey, domain, r);
            return signReceipt({
              signer: privateKeyToAccount(nodeA.signer.privateKey as Hex),
              domain: { chainId: domain.chainId, verifyingContract: domain.verifyingContract as Hex },
              receipt: {
                requestId: r.requestId as Hex,
                modelId: r.modelId as Hex,
                inputHash: r.inputHash as Hex,
                outputHash: r.outputHash as Hex,
                traceRoot: r.traceRoot as Hex,
                node: r.node as Hex,
                issuedAt: r.issuedAt,
              },
            });
          };
          const evidenceA = bySignature(a, await sign(signA, a));
          const evidenceB = bySignature(b, await sign(signB, b));

          const amount = ceilBps(NODE_STAKE, EQUIVOCATION_SLASH_BPS);
          const reward = floorBps(amount, PROVER_REWARD_BPS);
          const tx = slasher.connect(prover).proveEquivocation(evidenceA, evidenceB);
          await expect(tx)
            .to.emit(slasher, "EquivocationProven")
            .withArgs(
              nodeA.address,
              a.requestId,
              prover.address,
              exactModel,
              hashReceipt(a),
              hashReceipt(b),
              amount,
              true,
            )
            .and.to.emit(staking, "Slashed")
            .withArgs(nodeA.address, amount, amount, amount - reward)
            .and.to.emit(staking, "SlashPaid")
            .withArgs(nodeA.address, prover.address, reward)
            .and.to.emit(nodes, "NodeJailed")
            .withArgs(nodeA.address);
          await expect(tx).to.changeTokenBalances(
            token,
            [prover, treasury, await staking.getAddress()],
            [reward, amount - reward, -amount],
          );
          expect(await staking.slashableStakeOf(nodeA.address)).to.equal(NODE_STAKE - amount);
          expect(await f.system.isJailed(nodeA.address)).to.equal(true);
          expect(await slasher.isProven(nodeA.address, a.requestId)).to.equal(true);
          const record = await slasher.getEquivocation(nodeA.address, a.requestId);
          expect(record.prover).to.equal(prover.address);
          expect(record.provenAt).to.equal(await time.latest());
        });
      }

      it("costs the same whether the node serves 2 models or 32: it jails before it slashes, and the jail writes no tree", async function () {
        const measure = async (models: number) => {
          const f = await loadFixture(deployEvidenceFixture);
          const nodes = f.nodes as unknown as NodeRegistry;
          const ids = [f.exactModel, f.toleranceModel];
          for (let i = ids.length; i < models; i++) {
            const model = modelRegistration(`equivocation-gas/model-${i}`);
            await (f.models as unknown as ModelRegistry).connect(f.stranger).registerModel(model);
            ids.push(model.id);
          }
          // Writing 32 trees: the node's gas estimate overshoots the per-transaction cap.
          await nodes.connect(f.nodeA.operator).updateModels(ids, { gasLimit: 15_000_000n });
          const { evidenceA, evidenceB } = await signedPair(f);
          const tx = await f.slasher.connect(f.prover).proveEquivocation(evidenceA, evidenceB);
          expect(await nodes.isActive(f.nodeA.address)).to.equal(false);
          return (await tx.wait())!.gasUsed;
        };
        const two = await measure(2);
        const many = await measure(32);
        if (process.env.VERITY_GAS_LOG) console.log(`        proveEquivocation: 2 models ${two}, 32 models ${many}`);
        // Measured: 288,756 and 288,780 (random receipts: calldata differs by a few bytes); slashing first, with a jail
        // that zeroed every tree, cost 526,710 at 2 models and 3,692,018 at 32.
        expect(Number(many)).to.be.closeTo(Number(two), 500);
        // Absolute bounds hold for the real bytecode only (coverage instruments it).
        if (!process.env.VERITY_COVERAGE) expect(two).to.be.below(300_000n);
      });

      it("returns what was slashed", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const { evidenceA, evidenceB } = await signedPair(f);
        expect(await f.slasher.connect(f.prover).proveEquivocation.staticCall(evidenceA, evidenceB)).to.equal(
          ceilBps(NODE_STAKE, EQUIVOCATION_SLASH_BPS),
        );
      });

      it("accepts an EIP-1271 contract signer's signatures", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const owner = randomWallet();
        const wallet = await ethers.deployContract("ERC1271WalletMock", [owner.address]);
        await f.system.rotateSigner(f.nodeA.operator, await wallet.getAddress());
        const [a, b] = equivocatingPair(f.nodeA, f.exactModel);
        const evidenceA = bySignature(a, await signReceiptEthers(owner, f.domain, a));
        const evidenceB = bySignature(b, await signReceiptViem(owner.privateKey, f.domain, b));
        await expect(f.slasher.connect(f.prover).proveEquivocation(evidenceA, evidenceB))
          .to.emit(f.slasher, "EquivocationProven")
          .withArgs(
            f.nodeA.address,
            a.requestId,
            f.prover.address,
            f.exactModel,
            hashReceipt(a),
            hashReceipt(b),
            ceilBps(NODE_STAKE, EQUIVOCATION_SLASH_BPS),
            true,
          );
      });

      it("takes the share of unbonding stake too (stake stays slashable while unbonding)", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        await f.staking.connect(f.nodeA.operator).requestUnstake(NODE_STAKE);
        const { evidenceA, evidenceB } = await signedPair(f);
        const amount = ceilBps(NODE_STAKE, EQUIVOCATION_SLASH_BPS);
        await expect(f.slasher.connect(f.prover).proveEquivocation(evidenceA, evidenceB))
          .to.emit(f.staking, "Slashed")
          .withArgs(f.nodeA.address, amount, amount, amount - floorBps(amount, PROVER_REWARD_BPS));
        expect(await f.staking.unbondingStakeOf(f.nodeA.address)).to.equal(NODE_STAKE - amount);
      });

      it("rounds the slash up, against the node (1-wei remainder)", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const operator = f.unregistered;
        const node: NodeUnderTest = { operator, address: operator.address, signer: randomWallet() };
        const odd = NODE_STAKE + 1n;
        await f.system.registerNode(operator, node.signer.address, odd);
        await f.slasher.connect(f.admin).setSlashBps(MIN_SLASH_BPS);
        const { evidenceA, evidenceB } = await signedPair(f, node);
        const amount = ceilBps(odd, MIN_SLASH_BPS);
        expect(amount * 10_000n).to.be.greaterThan(odd * MIN_SLASH_BPS);
        await expect(f.slasher.connect(f.prover).proveEquivocation(evidenceA, evidenceB))
          .to.emit(f.staking, "Slashed")
          .withArgs(node.address, amount, amount, amount - floorBps(amount, PROVER_REWARD_BPS));
      });

      it("slashes all of it at 100% with no prover share: everything to the treasury", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        await f.slasher.connect(f.admin).setSlashBps(MAX_SLASH_BPS);
        await f.slasher.connect(f.admin).setProverRewardBps(0);
        const { evidenceA, evidenceB } = await signedPair(f);
        const tx = f.slasher.connect(f.prover).proveEquivocation(evidenceA, evidenceB);
        await expect(tx).to.emit(f.staking, "Slashed").withArgs(f.nodeA.address, NODE_STAKE, NODE_STAKE, NODE_STAKE);
        await expect(tx).to.not.emit(f.staking, "SlashPaid");
        await expect(tx).to.changeTokenBalances(f.token, [f.prover, f.treasury], [0n, NODE_STAKE]);
        expect(await f.staking.slashableStakeOf(f.nodeA.address)).to.equal(0n);
      });

      it("still slashes a node that is already jailed, without jailing it again", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        await f.system.jail(f.nodeA.address);
        const { a, b, evidenceA, evidenceB } = await signedPair(f);
        const amount = ceilBps(NODE_STAKE, EQUIVOCATION_SLASH_BPS);
        const tx = f.slasher.connect(f.prover).proveEquivocation(evidenceA, evidenceB);
        await expect(tx)
          .to.emit(f.slasher, "EquivocationProven")
          .withArgs(
            f.nodeA.address,
            a.requestId,
            f.prover.address,
            f.exactModel,
            hashReceipt(a),
            hashReceipt(b),
            amount,
            false,
          );
        await expect(tx).to.not.emit(f.nodes, "NodeJailed");
      });

      it("lets another request of the same node be proven separately", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const first = await signedPair(f);
        await f.slasher.connect(f.prover).proveEquivocation(first.evidenceA, first.evidenceB);
        const second = await signedPair(f);
        const left = NODE_STAKE - ceilBps(NODE_STAKE, EQUIVOCATION_SLASH_BPS);
        const amount = ceilBps(left, EQUIVOCATION_SLASH_BPS);
        await expect(f.slasher.connect(f.stranger).proveEquivocation(second.evidenceA, second.evidenceB))
          .to.emit(f.slasher, "EquivocationProven")
          .withArgs(
            f.nodeA.address,
            second.a.requestId,
            f.stranger.address,
            f.exactModel,
            hashReceipt(second.a),
            hashReceipt(second.b),
            amount,
            false,
          );
      });

      it("lets the same request id of another node be proven separately", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const first = await signedPair(f);
        await f.slasher.connect(f.prover).proveEquivocation(first.evidenceA, first.evidenceB);
        const a = { ...first.a, node: f.nodeB.address };
        const b = { ...first.b, node: f.nodeB.address };
        await expect(
          f.slasher
            .connect(f.prover)
            .proveEquivocation(
              bySignature(a, await signReceiptEthers(f.nodeB.signer, f.domain, a)),
              bySignature(b, await signReceiptEthers(f.nodeB.signer, f.domain, b)),
            ),
        )
          .to.emit(f.slasher, "EquivocationProven")
          .withArgs(
            f.nodeB.address,
            a.requestId,
            f.prover.address,
            f.exactModel,
            hashReceipt(a),
            hashReceipt(b),
            ceilBps(NODE_STAKE, EQUIVOCATION_SLASH_BPS),
            true,
          );
      });
    });

    describe("with receipts attested on chain", function () {
      it("accepts inclusion in two batches the node submitted", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const [a, b] = equivocatingPair(f.nodeA, f.exactModel);
        const others = [makeReceipt(f.nodeA.address, f.exactModel), makeReceipt(f.nodeA.address, f.exactModel)];
        const one = await f.submitBatch(f.nodeA, [a, ...others]);
        const two = await f.submitBatch(f.nodeA, [...others.map((r) => ({ ...r, requestId: randomHash() })), b]);
        await expect(
          f.slasher
            .connect(f.prover)
            .proveEquivocation(
              byAttestation(a, one.batchId, proofOf(one.tree, a)),
              byAttestation(b, two.batchId, proofOf(two.tree, b)),
            ),
        )
          .to.emit(f.slasher, "EquivocationProven")
          .withArgs(
            f.nodeA.address,
            a.requestId,
            f.prover.address,
            f.exactModel,
            hashReceipt(a),
            hashReceipt(b),
            ceilBps(NODE_STAKE, EQUIVOCATION_SLASH_BPS),
            true,
          );
      });

      it("accepts both receipts of one batch", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const [a, b] = equivocatingPair(f.nodeA, f.exactModel);
        const { tree, batchId } = await f.submitBatch(f.nodeA, [a, b]);
        await expect(
          f.slasher
            .connect(f.prover)
            .proveEquivocation(
              byAttestation(a, batchId, proofOf(tree, a)),
              byAttestation(b, batchId, proofOf(tree, b)),
            ),
        ).to.emit(f.slasher, "EquivocationProven");
      });

      it("accepts a single attested receipt against a signed one", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const [a, b] = equivocatingPair(f.nodeA, f.exactModel);
        await f.attestation.connect(f.stranger).submitReceipt(a, await signReceiptEthers(f.nodeA.signer, f.domain, a));
        const evidenceB = bySignature(b, await signReceiptViem(f.nodeA.signer.privateKey, f.domain, b));
        await expect(f.slasher.connect(f.prover).proveEquivocation(byAttestation(a), evidenceB)).to.emit(
          f.slasher,
          "EquivocationProven",
        );
      });

      it("still proves after a signer rotation through the batches, though not through old-key signatures", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const [a, b] = equivocatingPair(f.nodeA, f.exactModel);
        const one = await f.submitBatch(f.nodeA, [a, makeReceipt(f.nodeA.address, f.exactModel)]);
        const two = await f.submitBatch(f.nodeA, [b, makeReceipt(f.nodeA.address, f.exactModel)]);
        const oldSignature = await signReceiptEthers(f.nodeA.signer, f.domain, b);
        const newSigner = randomWallet();
        await f.system.rotateSigner(f.nodeA.operator, newSigner.address);
        const evidenceA = byAttestation(a, one.batchId, proofOf(one.tree, a));
        // Signature evidence checks today's signer: the old key's signature no longer counts ...
        await expect(f.slasher.connect(f.prover).proveEquivocation(evidenceA, bySignature(b, oldSignature)))
          .to.be.revertedWithCustomError(f.slasher, "EquivocationInvalidSignature")
          .withArgs(f.nodeA.address, newSigner.address, hashReceipt(b));
        // ... while what the old key put on chain still does.
        await expect(
          f.slasher.connect(f.prover).proveEquivocation(evidenceA, byAttestation(b, two.batchId, proofOf(two.tree, b))),
        ).to.emit(f.slasher, "EquivocationProven");
      });
    });

    it("checks the signature against the registry's EIP-712 digest", async function () {
      const f = await loadFixture(deployEvidenceFixture);
      const [a] = equivocatingPair(f.nodeA, f.exactModel);
      expect(await f.attestation.receiptDigest(a)).to.equal(receiptDigest(f.domain, a));
    });

    it("pays the named prover through proveEquivocationFor", async function () {
      const f = await loadFixture(deployEvidenceFixture);
      const { a, b, evidenceA, evidenceB } = await signedPair(f);
      const amount = ceilBps(NODE_STAKE, EQUIVOCATION_SLASH_BPS);
      const reward = floorBps(amount, PROVER_REWARD_BPS);
      const tx = f.slasher.connect(f.stranger).proveEquivocationFor(evidenceA, evidenceB, f.prover.address);
      await expect(tx)
        .to.emit(f.slasher, "EquivocationProven")
        .withArgs(
          f.nodeA.address,
          a.requestId,
          f.prover.address,
          f.exactModel,
          hashReceipt(a),
          hashReceipt(b),
          amount,
          true,
        );
      await expect(tx).to.changeTokenBalances(f.token, [f.prover, f.stranger], [reward, 0n]);
    });

    it("records the proof and jails, but slashes nothing, when the node has left (the jail outlives it)", async function () {
      const f = await loadFixture(deployEvidenceFixture);
      const [a, b] = equivocatingPair(f.nodeA, f.exactModel);
      const { tree, batchId } = await f.submitBatch(f.nodeA, [a, b]);
      await f.system.exit(f.nodeA.operator);
      expect(await f.nodes.signerOf(f.nodeA.address)).to.equal(ethers.ZeroAddress);
      const tx = f.slasher
        .connect(f.prover)
        .proveEquivocation(byAttestation(a, batchId, proofOf(tree, a)), byAttestation(b, batchId, proofOf(tree, b)));
      await expect(tx)
        .to.emit(f.slasher, "EquivocationProven")
        .withArgs(
          f.nodeA.address,
          a.requestId,
          f.prover.address,
          f.exactModel,
          hashReceipt(a),
          hashReceipt(b),
          0n,
          true,
        )
        .and.to.emit(f.nodes, "NodeJailed")
        .withArgs(f.nodeA.address);
      await expect(tx).to.not.emit(f.staking, "Slashed");
      expect(await f.slasher.isProven(f.nodeA.address, a.requestId)).to.equal(true);
      expect(await f.system.isJailed(f.nodeA.address)).to.equal(true);
    });

    describe("reverts", function () {
      it("when the prover is the zero address", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const { evidenceA, evidenceB } = await signedPair(f);
        await expect(
          f.slasher.connect(f.prover).proveEquivocationFor(evidenceA, evidenceB, ethers.ZeroAddress),
        ).to.be.revertedWithCustomError(f.slasher, "EquivocationZeroAddress");
      });

      it("when the receipts name different nodes", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const [a, b0] = equivocatingPair(f.nodeA, f.exactModel);
        const b = { ...b0, node: f.nodeB.address };
        await expect(
          f.slasher
            .connect(f.prover)
            .proveEquivocation(
              bySignature(a, await signReceiptEthers(f.nodeA.signer, f.domain, a)),
              bySignature(b, await signReceiptEthers(f.nodeB.signer, f.domain, b)),
            ),
        )
          .to.be.revertedWithCustomError(f.slasher, "EquivocationNodeMismatch")
          .withArgs(f.nodeA.address, f.nodeB.address);
      });

      for (const [field, error] of [
        ["requestId", "EquivocationRequestMismatch"],
        ["modelId", "EquivocationModelMismatch"],
        ["inputHash", "EquivocationInputMismatch"],
      ] as const) {
        it(`when the receipts differ in ${field}`, async function () {
          const f = await loadFixture(deployEvidenceFixture);
          const [a, b0] = equivocatingPair(f.nodeA, f.exactModel);
          const b = { ...b0, [field]: field === "modelId" ? f.toleranceModel : randomHash() };
          await expect(
            f.slasher
              .connect(f.prover)
              .proveEquivocation(
                bySignature(a, await signReceiptEthers(f.nodeA.signer, f.domain, a)),
                bySignature(b, await signReceiptEthers(f.nodeA.signer, f.domain, b)),
              ),
          )
            .to.be.revertedWithCustomError(f.slasher, error)
            .withArgs(a[field], b[field]);
        });
      }

      it("when the outputs are the same (other fields differing)", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const [a, b0] = equivocatingPair(f.nodeA, f.exactModel);
        const b = { ...b0, outputHash: a.outputHash };
        await expect(
          f.slasher
            .connect(f.prover)
            .proveEquivocation(
              bySignature(a, await signReceiptEthers(f.nodeA.signer, f.domain, a)),
              bySignature(b, await signReceiptEthers(f.nodeA.signer, f.domain, b)),
            ),
        )
          .to.be.revertedWithCustomError(f.slasher, "EquivocationSameOutput")
          .withArgs(a.outputHash);
      });

      it("when the same receipt is given twice", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const { a, evidenceA } = await signedPair(f);
        await expect(f.slasher.connect(f.prover).proveEquivocation(evidenceA, evidenceA))
          .to.be.revertedWithCustomError(f.slasher, "EquivocationSameOutput")
          .withArgs(a.outputHash);
      });

      it("when the model's policy is not EXACT", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const [a, b] = equivocatingPair(f.nodeA, f.toleranceModel);
        await expect(
          f.slasher
            .connect(f.prover)
            .proveEquivocation(
              bySignature(a, await signReceiptEthers(f.nodeA.signer, f.domain, a)),
              bySignature(b, await signReceiptEthers(f.nodeA.signer, f.domain, b)),
            ),
        )
          .to.be.revertedWithCustomError(f.slasher, "EquivocationModelNotExact")
          .withArgs(f.toleranceModel, VerificationMode.TOLERANCE);
      });

      it("when the model is unknown (the model registry's error)", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const unknown = randomHash();
        const [a, b] = equivocatingPair(f.nodeA, unknown);
        await expect(
          f.slasher
            .connect(f.prover)
            .proveEquivocation(
              bySignature(a, await signReceiptEthers(f.nodeA.signer, f.domain, a)),
              bySignature(b, await signReceiptEthers(f.nodeA.signer, f.domain, b)),
            ),
        )
          .to.be.revertedWithCustomError(f.models, "ModelRegistryUnknownModel")
          .withArgs(unknown);
      });

      it("when the equivocation of (node, requestId) was proven before, even with another pair", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const { a, evidenceA, evidenceB } = await signedPair(f);
        await f.slasher.connect(f.prover).proveEquivocation(evidenceA, evidenceB);
        await expect(f.slasher.connect(f.stranger).proveEquivocation(evidenceA, evidenceB))
          .to.be.revertedWithCustomError(f.slasher, "EquivocationAlreadyProven")
          .withArgs(f.nodeA.address, a.requestId, f.prover.address);
        const c = { ...a, outputHash: randomHash() };
        await expect(
          f.slasher
            .connect(f.stranger)
            .proveEquivocation(evidenceA, bySignature(c, await signReceiptEthers(f.nodeA.signer, f.domain, c))),
        )
          .to.be.revertedWithCustomError(f.slasher, "EquivocationAlreadyProven")
          .withArgs(f.nodeA.address, a.requestId, f.prover.address);
      });

      it("when signature evidence names a node that is not registered", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        const key = randomWallet();
        const ghost: NodeUnderTest = { operator: f.unregistered, address: f.unregistered.address, signer: key };
        const { evidenceA, evidenceB } = await signedPair(f, ghost);
        await expect(f.slasher.connect(f.prover).proveEquivocation(evidenceA, evidenceB))
          .to.be.revertedWithCustomError(f.slasher, "EquivocationNodeNotRegistered")
          .withArgs(ghost.address);
      });

      describe("when a signature is not the node's signer's over this receipt and domain", function () {
        async function expectInvalid(f: EvidenceFixture, b: Receipt, signature: string) {
          const [a] = equivocatingPair(f.nodeA, f.exactModel);
          const a2 = { ...a, requestId: b.requestId, inputHash: b.inputHash };
          await expect(
            f.slasher
              .connect(f.prover)
              .proveEquivocation(
                bySignature(a2, await signReceiptEthers(f.nodeA.signer, f.domain, a2)),
                bySignature(b, signature),
              ),
          )
            .to.be.revertedWithCustomError(f.slasher, "EquivocationInvalidSignature")
            .withArgs(f.nodeA.address, f.nodeA.signer.address, hashReceipt(b));
        }

        it("signed by another key", async function () {
          const f = await loadFixture(deployEvidenceFixture);
          const [, b] = equivocatingPair(f.nodeA, f.exactModel);
          await expectInvalid(f, b, await signReceiptEthers(f.nodeB.signer, f.domain, b));
        });

        it("signed over another receipt (output mutated after signing)", async function () {
          const f = await loadFixture(deployEvidenceFixture);
          const [, b] = equivocatingPair(f.nodeA, f.exactModel);
          const signature = await signReceiptEthers(f.nodeA.signer, f.domain, b);
          await expectInvalid(f, { ...b, outputHash: randomHash() }, signature);
        });

        for (const [label, domainOf] of [
          ["for another chain id", (d: Domain): Domain => ({ ...d, chainId: d.chainId + 1n })],
          [
            "for another registry address",
            (d: Domain): Domain => ({ ...d, verifyingContract: randomWallet().address }),
          ],
          ["for another domain version", (d: Domain): Domain => ({ ...d, version: "2" })],
        ] as const) {
          it(`signed ${label}`, async function () {
            const f = await loadFixture(deployEvidenceFixture);
            const [, b] = equivocatingPair(f.nodeA, f.exactModel);
            await expectInvalid(f, b, await signReceiptEthers(f.nodeA.signer, domainOf(f.domain), b));
          });
        }

        it("in high-s form", async function () {
          const f = await loadFixture(deployEvidenceFixture);
          const [, b] = equivocatingPair(f.nodeA, f.exactModel);
          await expectInvalid(f, b, toHighS(await signReceiptEthers(f.nodeA.signer, f.domain, b)));
        });

        it("in 64-byte compact form", async function () {
          const f = await loadFixture(deployEvidenceFixture);
          const [, b] = equivocatingPair(f.nodeA, f.exactModel);
          await expectInvalid(f, b, toCompact(await signReceiptEthers(f.nodeA.signer, f.domain, b)));
        });

        it("empty", async function () {
          const f = await loadFixture(deployEvidenceFixture);
          const [, b] = equivocatingPair(f.nodeA, f.exactModel);
          await expectInvalid(f, b, "0x");
        });
      });

      describe("when attestation evidence does not hold", function () {
        it("with a wrong proof", async function () {
          const f = await loadFixture(deployEvidenceFixture);
          const [a, b] = equivocatingPair(f.nodeA, f.exactModel);
          const other = makeReceipt(f.nodeA.address, f.exactModel);
          const { tree, batchId } = await f.submitBatch(f.nodeA, [a, b, other]);
          await expect(
            f.slasher
              .connect(f.prover)
              .proveEquivocation(
                byAttestation(a, batchId, proofOf(tree, a)),
                byAttestation(b, batchId, proofOf(tree, other)),
              ),
          )
            .to.be.revertedWithCustomError(f.slasher, "EquivocationNotAttested")
            .withArgs(hashReceipt(b), batchId);
        });

        it("with a batch that does not hold the receipt", async function () {
          const f = await loadFixture(deployEvidenceFixture);
          const [a, b] = equivocatingPair(f.nodeA, f.exactModel);
          const one = await f.submitBatch(f.nodeA, [a, makeReceipt(f.nodeA.address, f.exactModel)]);
          await expect(
            f.slasher
              .connect(f.prover)
              .proveEquivocation(
                byAttestation(a, one.batchId, proofOf(one.tree, a)),
                byAttestation(b, one.batchId, proofOf(one.tree, a)),
              ),
          )
            .to.be.revertedWithCustomError(f.slasher, "EquivocationNotAttested")
            .withArgs(hashReceipt(b), one.batchId);
        });

        it("with a batch of another node holding a receipt that names this node", async function () {
          const f = await loadFixture(deployEvidenceFixture);
          const [a, b] = equivocatingPair(f.nodeA, f.exactModel);
          // Node B attests a tree holding a receipt that names node A: it proves nothing about node A.
          const framed = await f.submitBatch(f.nodeB, [b, makeReceipt(f.nodeB.address, f.exactModel)]);
          await expect(
            f.slasher
              .connect(f.prover)
              .proveEquivocation(
                bySignature(a, await signReceiptEthers(f.nodeA.signer, f.domain, a)),
                byAttestation(b, framed.batchId, proofOf(framed.tree, b)),
              ),
          )
            .to.be.revertedWithCustomError(f.slasher, "EquivocationNotAttested")
            .withArgs(hashReceipt(b), framed.batchId);
        });

        it("with an unknown batch", async function () {
          const f = await loadFixture(deployEvidenceFixture);
          const { a, evidenceA } = await signedPair(f);
          const b = { ...a, outputHash: randomHash() };
          const unknown = randomHash();
          await expect(f.slasher.connect(f.prover).proveEquivocation(evidenceA, byAttestation(b, unknown, [])))
            .to.be.revertedWithCustomError(f.slasher, "EquivocationNotAttested")
            .withArgs(hashReceipt(b), unknown);
        });

        it("with a receipt never attested singly", async function () {
          const f = await loadFixture(deployEvidenceFixture);
          const { a, evidenceA } = await signedPair(f);
          const b = { ...a, outputHash: randomHash() };
          await expect(f.slasher.connect(f.prover).proveEquivocation(evidenceA, byAttestation(b)))
            .to.be.revertedWithCustomError(f.slasher, "EquivocationNotAttested")
            .withArgs(hashReceipt(b), ethers.ZeroHash);
        });
      });

      for (const entry of ["proveEquivocation", "proveEquivocationFor"] as const) {
        it(`when a hooked payout to the prover reenters the slasher through ${entry}`, async function () {
          const f = await loadFixture(deployReceiverHookEvidenceFixture);
          const attacker = await ethers.deployContract("ReentrantReceiverMock");
          const attackerAddress = await attacker.getAddress();
          await f.hookToken.setHooked(attackerAddress, true);
          const first = await signedPair(f);
          const second = await signedPair(f);
          const reentry =
            entry === "proveEquivocation"
              ? f.slasher.interface.encodeFunctionData(entry, [second.evidenceA, second.evidenceB])
              : f.slasher.interface.encodeFunctionData(entry, [second.evidenceA, second.evidenceB, attackerAddress]);
          await attacker.arm(await f.slasher.getAddress(), reentry);
          await expect(
            f.slasher.connect(f.prover).proveEquivocationFor(first.evidenceA, first.evidenceB, attackerAddress),
          ).to.be.revertedWithCustomError(f.slasher, "ReentrancyGuardReentrantCall");
          // Without the reentrant call the same payout goes through.
          await attacker.arm(ethers.ZeroAddress, "0x");
          await expect(
            f.slasher.connect(f.prover).proveEquivocationFor(first.evidenceA, first.evidenceB, attackerAddress),
          ).to.emit(f.slasher, "EquivocationProven");
        });
      }

      it("when the slasher lacks the staking contract's DISPUTE_ROLE", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        await f.staking.connect(f.admin).revokeRole(DISPUTE_ROLE, await f.slasher.getAddress());
        const { evidenceA, evidenceB } = await signedPair(f);
        await expect(f.slasher.connect(f.prover).proveEquivocation(evidenceA, evidenceB))
          .to.be.revertedWithCustomError(f.staking, "AccessControlUnauthorizedAccount")
          .withArgs(await f.slasher.getAddress(), DISPUTE_ROLE);
      });

      it("when the slasher lacks the node registry's DISPUTE_ROLE", async function () {
        const f = await loadFixture(deployEvidenceFixture);
        await f.nodes.connect(f.admin).revokeRole(DISPUTE_ROLE, await f.slasher.getAddress());
        const { evidenceA, evidenceB } = await signedPair(f);
        await expect(f.slasher.connect(f.prover).proveEquivocation(evidenceA, evidenceB))
          .to.be.revertedWithCustomError(f.nodes, "AccessControlUnauthorizedAccount")
          .withArgs(await f.slasher.getAddress(), DISPUTE_ROLE);
      });
    });
  });

  describe("on parameters", function () {
    for (const [name, setter, min, max] of [
      ["slashBps", "setSlashBps", MIN_SLASH_BPS, MAX_SLASH_BPS],
      ["proverRewardBps", "setProverRewardBps", 0n, MAX_PROVER_REWARD_BPS],
    ] as const) {
      shouldBehaveLikeBoundedParameter({ name, min, max }, async () => {
        const { slasher, admin, stranger } = await loadFixture(deployEvidenceFixture);
        return {
          contract: slasher,
          admin,
          stranger,
          set: (signer, value) => slasher.connect(signer)[setter](value),
          get: () => slasher[name](),
        };
      });
    }

    it("applies a new share to the next proof", async function () {
      const f = await loadFixture(deployEvidenceFixture);
      await f.slasher.connect(f.admin).setSlashBps(2_500);
      await f.slasher.connect(f.admin).setProverRewardBps(MAX_PROVER_REWARD_BPS);
      const { evidenceA, evidenceB } = await signedPair(f);
      const amount = ceilBps(NODE_STAKE, 2_500n);
      await expect(f.slasher.connect(f.prover).proveEquivocation(evidenceA, evidenceB))
        .to.emit(f.staking, "SlashPaid")
        .withArgs(f.nodeA.address, f.prover.address, floorBps(amount, MAX_PROVER_REWARD_BPS));
    });
  });
});
