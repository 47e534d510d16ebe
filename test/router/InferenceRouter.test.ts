import { loadFixture, time, mine } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { expect } from "chai";
import { ethers } from "hardhat";
import { AbiCoder, encodeBytes32String, keccak256 } from "ethers";
import type { InferenceRouter } from "../../typechain-types";
import {
  CHALLENGE_WINDOW,
  DISPUTE_ROLE,
  IDLE_MODEL_ID,
  LIVENESS_PENALTY,
  MAX_REASSIGNMENTS,
  MIN_FEE_PER_NODE,
  MODEL_ID,
  NARROW_MODEL_ID,
  PAUSER_ROLE,
  PROTOCOL_FEE_BPS,
  deployRouterFixture,
} from "../fixtures/router";
import { shouldBehaveLikeBoundedParameter } from "../helpers/boundedParameter.behavior";
import { hashReceipt, makeReceipt, randomHash } from "../helpers/receipts";
import type { Receipt } from "../helpers/receipts";
import { ReceiptState, RequestState, RouterHelper } from "../helpers/router";

const BPS = 10_000n;

async function routerFixture() {
  const f = await deployRouterFixture();
  return { ...f, h: new RouterHelper(f) };
}

/** Same system with `maxReassignments` 0 for new requests: a missed deadline closes the request at once. */
async function noReassignmentFixture() {
  const f = await routerFixture();
  await f.router.connect(f.admin).setMaxReassignments(0);
  return f;
}

function slotSplit(fee: bigint, redundancy: bigint, bps: bigint = PROTOCOL_FEE_BPS) {
  const share = fee / redundancy;
  const cut = (share * bps) / BPS;
  return { share, cut, pay: share - cut };
}

describe("InferenceRouter", function () {
  describe("on deployment", function () {
    it("reads the fee token from Staking and sets the parameters with their events", async function () {
      const { router, token } = await loadFixture(routerFixture);
      expect(await router.token()).to.equal(await token.getAddress());
      expect(await router.minFeePerNode()).to.equal(MIN_FEE_PER_NODE);
      expect(await router.protocolFeeBps()).to.equal(PROTOCOL_FEE_BPS);
      expect(await router.livenessPenalty()).to.equal(LIVENESS_PENALTY);
      expect(await router.maxReassignments()).to.equal(MAX_REASSIGNMENTS);
      const deployment = router.deploymentTransaction();
      if (!deployment) throw new Error("no deployment transaction");
      const announced: [string, bigint][] = [
        ["minFeePerNode", MIN_FEE_PER_NODE],
        ["protocolFeeBps", PROTOCOL_FEE_BPS],
        ["livenessPenalty", LIVENESS_PENALTY],
        ["maxReassignments", MAX_REASSIGNMENTS],
      ];
      for (const [name, value] of announced) {
        await expect(deployment).to.emit(router, "ParameterSet").withArgs(encodeBytes32String(name), value);
      }
    });

    describe("reverts", function () {
      const wiringKeys = ["staking", "nodes", "models", "attestations", "disputes", "admin"] as const;
      for (const key of wiringKeys) {
        it(`if ${key} is the zero address`, async function () {
          const f = await loadFixture(routerFixture);
          const wiring = {
            staking: await f.staking.getAddress(),
            nodes: await f.nodes.getAddress(),
            models: await f.models.getAddress(),
            attestations: await f.attestations.getAddress(),
            disputes: await f.disputes.getAddress(),
          };
          const admin = key === "admin" ? ethers.ZeroAddress : f.admin.address;
          if (key !== "admin") wiring[key] = ethers.ZeroAddress;
          const params = { minFeePerNode: 1n, protocolFeeBps: 0n, livenessPenalty: 0n, maxReassignments: 0n };
          const factory = await ethers.getContractFactory("InferenceRouter");
          await expect(factory.deploy(wiring, params, admin)).to.be.revertedWithCustomError(
            f.router,
            "RouterZeroAddress",
          );
        });
      }

      it("if an initial parameter is out of bounds", async function () {
        const f = await loadFixture(routerFixture);
        const wiring = {
          staking: await f.staking.getAddress(),
          nodes: await f.nodes.getAddress(),
          models: await f.models.getAddress(),
          attestations: await f.attestations.getAddress(),
          disputes: await f.disputes.getAddress(),
        };
        const params = { minFeePerNode: 0n, protocolFeeBps: 0n, livenessPenalty: 0n, maxReassignments: 0n };
        const factory = await ethers.getContractFactory("InferenceRouter");
        await expect(factory.deploy(wiring, params, f.admin.address))
          .to.be.revertedWithCustomError(f.router, "ParameterOutOfBounds")
          .withArgs(encodeBytes32String("minFeePerNode"), 0n, 1n, 10n ** 30n);
      });
    });
  });

  describe("on request", function () {
    it("escrows the fee, stores the request and assigns distinct nodes serving the model", async function () {
      const { router, token, consumer, nodes, h } = await loadFixture(routerFixture);
      const params = await h.params({ redundancy: 3n, fee: ethers.parseEther("1"), callbackGasLimit: 50_000n });
      const id = await h.nextId(consumer.address);
      const tx = router.connect(consumer).request(params);
      await expect(tx).to.changeTokenBalances(token, [consumer, router], [-params.fee, params.fee]);
      await expect(tx)
        .to.emit(router, "RequestCreated")
        .withArgs(
          id,
          consumer.address,
          MODEL_ID,
          params.inputHash,
          "ipfs://input",
          3n,
          params.fee,
          params.deadline,
          50_000n,
        );

      const assigned = await h.assigned(id);
      expect(new Set(assigned.map((n) => n.address)).size).to.equal(3);
      for (const [slot, node] of assigned.entries()) {
        expect(await nodes.servesModel(node.address, MODEL_ID)).to.equal(true);
        await expect(tx).to.emit(router, "NodeAssigned").withArgs(id, node.address, slot, 0, params.deadline);
      }
      expect(await router.state(id)).to.equal(RequestState.Pending);
      const stored = await router.getRequest(id);
      const now = BigInt(await time.latest());
      expect(stored.consumer).to.equal(consumer.address);
      expect(stored.deadline).to.equal(params.deadline);
      expect(stored.responseTime).to.equal(params.deadline - now);
      expect(stored.redundancy).to.equal(3n);
      expect(stored.fulfilled).to.equal(0n);
      expect(stored.modelId).to.equal(MODEL_ID);
      expect(stored.inputHash).to.equal(params.inputHash);
      expect(stored.fee).to.equal(params.fee);
      expect(stored.livenessPenalty).to.equal(LIVENESS_PENALTY);
      expect(stored.callbackGasLimit).to.equal(50_000n);
      expect(stored.createdAt).to.equal(now);
      expect(stored.protocolFeeBps).to.equal(PROTOCOL_FEE_BPS);
      expect(stored.maxReassignments).to.equal(MAX_REASSIGNMENTS);
      expect(stored.reassignments).to.equal(0n);
    });

    it("derives the id from router, chain id, consumer and nonce, and counts the nonce up", async function () {
      const { router, consumer, h } = await loadFixture(routerFixture);
      const { chainId } = await ethers.provider.getNetwork();
      const expected = keccak256(
        AbiCoder.defaultAbiCoder().encode(
          ["address", "uint256", "address", "uint256"],
          [await router.getAddress(), chainId, consumer.address, 0n],
        ),
      );
      expect(await router.computeRequestId(consumer.address, 0n)).to.equal(expected);
      const { id } = await h.request();
      expect(id).to.equal(expected);
      expect(await router.nonceOf(consumer.address)).to.equal(1n);
      const second = await h.request();
      expect(second.id).to.not.equal(id);
    });

    it("assigns five distinct nodes at the maximum redundancy", async function () {
      const { h } = await loadFixture(routerFixture);
      const { id } = await h.request({ redundancy: 5n });
      const assigned = await h.assigned(id);
      expect(new Set(assigned.map((n) => n.address)).size).to.equal(5);
    });

    it("accepts a deadline exactly at both bounds and a fee exactly at the floor", async function () {
      const { router, h } = await loadFixture(routerFixture);
      for (const offset of [60n, 86_400n]) {
        const now = BigInt(await time.latest());
        await time.setNextBlockTimestamp(now + 1n);
        const { id } = await h.request({ deadline: now + 1n + offset, fee: MIN_FEE_PER_NODE });
        expect((await router.getRequest(id)).responseTime).to.equal(offset);
      }
    });

    it("keeps the parameters it was made with when governance changes them", async function () {
      const { router, admin, h } = await loadFixture(routerFixture);
      const { id } = await h.request();
      await router.connect(admin).setProtocolFeeBps(0);
      await router.connect(admin).setLivenessPenalty(0);
      await router.connect(admin).setMaxReassignments(0);
      const stored = await router.getRequest(id);
      expect(stored.protocolFeeBps).to.equal(PROTOCOL_FEE_BPS);
      expect(stored.livenessPenalty).to.equal(LIVENESS_PENALTY);
      expect(stored.maxReassignments).to.equal(MAX_REASSIGNMENTS);
    });

    describe("reverts", function () {
      it("while paused, and works again after unpause", async function () {
        const { router, pauser, h } = await loadFixture(routerFixture);
        await expect(router.connect(pauser).pause()).to.emit(router, "Paused").withArgs(pauser.address);
        const params = await h.params();
        await expect(router.connect(h.f.consumer).request(params)).to.be.revertedWithCustomError(
          router,
          "EnforcedPause",
        );
        await expect(router.connect(pauser).unpause()).to.emit(router, "Unpaused").withArgs(pauser.address);
        await expect(router.connect(h.f.consumer).request(params)).to.emit(router, "RequestCreated");
      });

      it("if the model is unknown or deprecated", async function () {
        const { router, models, modelOwner, consumer, h } = await loadFixture(routerFixture);
        const unknown = randomHash();
        await expect(router.connect(consumer).request(await h.params({ modelId: unknown })))
          .to.be.revertedWithCustomError(router, "RouterModelNotActive")
          .withArgs(unknown);
        await models.connect(modelOwner).deprecateModel(MODEL_ID);
        await expect(router.connect(consumer).request(await h.params()))
          .to.be.revertedWithCustomError(router, "RouterModelNotActive")
          .withArgs(MODEL_ID);
      });

      it("if the input hash is zero", async function () {
        const { router, consumer, h } = await loadFixture(routerFixture);
        await expect(
          router.connect(consumer).request(await h.params({ inputHash: ethers.ZeroHash })),
        ).to.be.revertedWithCustomError(router, "RouterZeroInputHash");
      });

      for (const redundancy of [0n, 6n]) {
        it(`if the redundancy is ${redundancy}`, async function () {
          const { router, consumer, h } = await loadFixture(routerFixture);
          await expect(router.connect(consumer).request(await h.params({ redundancy, fee: MIN_FEE_PER_NODE * 6n })))
            .to.be.revertedWithCustomError(router, "RouterRedundancyOutOfBounds")
            .withArgs(redundancy, 1n, 5n);
        });
      }

      for (const [label, offset] of [
        ["one second too early", 59n],
        ["one second too late", 86_401n],
      ] as const) {
        it(`if the deadline is ${label}`, async function () {
          const { router, consumer, h } = await loadFixture(routerFixture);
          const now = BigInt(await time.latest()) + 1n;
          await time.setNextBlockTimestamp(now);
          await expect(router.connect(consumer).request(await h.params({ deadline: now + offset })))
            .to.be.revertedWithCustomError(router, "RouterDeadlineOutOfBounds")
            .withArgs(now + offset, now + 60n, now + 86_400n);
        });
      }

      it("if the deadline is in the past", async function () {
        const { router, consumer, h } = await loadFixture(routerFixture);
        const now = BigInt(await time.latest()) + 1n;
        await time.setNextBlockTimestamp(now);
        await expect(router.connect(consumer).request(await h.params({ deadline: now - 1n })))
          .to.be.revertedWithCustomError(router, "RouterDeadlineOutOfBounds")
          .withArgs(now - 1n, now + 60n, now + 86_400n);
      });

      it("if the callback gas cap is above the maximum", async function () {
        const { router, consumer, h } = await loadFixture(routerFixture);
        await expect(router.connect(consumer).request(await h.params({ callbackGasLimit: 1_000_001n })))
          .to.be.revertedWithCustomError(router, "RouterCallbackGasOutOfBounds")
          .withArgs(1_000_001n, 1_000_000n);
      });

      it("if the fee is one wei below the floor times the redundancy", async function () {
        const { router, consumer, h } = await loadFixture(routerFixture);
        const fee = MIN_FEE_PER_NODE * 3n - 1n;
        await expect(router.connect(consumer).request(await h.params({ redundancy: 3n, fee })))
          .to.be.revertedWithCustomError(router, "RouterFeeTooLow")
          .withArgs(fee, MIN_FEE_PER_NODE * 3n);
      });

      it("if the fee does not fit 128 bits", async function () {
        const { router, consumer, h } = await loadFixture(routerFixture);
        const fee = 2n ** 128n;
        await expect(router.connect(consumer).request(await h.params({ fee })))
          .to.be.revertedWithCustomError(router, "SafeCastOverflowedUintDowncast")
          .withArgs(128, fee);
      });

      it("if the model has fewer serving nodes than the redundancy", async function () {
        const { router, consumer, h } = await loadFixture(routerFixture);
        await expect(router.connect(consumer).request(await h.params({ modelId: NARROW_MODEL_ID, redundancy: 3n })))
          .to.be.revertedWithCustomError(router, "RouterNotEnoughNodes")
          .withArgs(NARROW_MODEL_ID, 3n, 2n);
      });

      it("if no node serves the model", async function () {
        const { router, consumer, h } = await loadFixture(routerFixture);
        await expect(router.connect(consumer).request(await h.params({ modelId: IDLE_MODEL_ID })))
          .to.be.revertedWithCustomError(router, "RouterNotEnoughNodes")
          .withArgs(IDLE_MODEL_ID, 1n, 0n);
      });

      it("if the token re-enters the router while the fee is pulled", async function () {
        const f = await loadFixture(routerFixture);
        const hooked = await ethers.deployContract("ReentrantTokenMock");
        const hookedStaking = await ethers.deployContract("Staking", [
          await hooked.getAddress(),
          f.admin.address,
          f.treasury.address,
          1n,
          3_600n,
        ]);
        const hookedRouter = (await ethers.deployContract("InferenceRouter", [
          {
            staking: await hookedStaking.getAddress(),
            nodes: await f.nodes.getAddress(),
            models: await f.models.getAddress(),
            attestations: await f.attestations.getAddress(),
            disputes: await f.disputes.getAddress(),
          },
          { minFeePerNode: 1n, protocolFeeBps: 0n, livenessPenalty: 0n, maxReassignments: 0n },
          f.admin.address,
        ])) as unknown as InferenceRouter;
        const params = await f.h.params({ fee: 1_000n });
        await hooked.mint(f.consumer.address, 2_000n);
        await hooked.connect(f.consumer).approve(await hookedRouter.getAddress(), 2_000n);
        await hooked.setHook(
          await hookedRouter.getAddress(),
          hookedRouter.interface.encodeFunctionData("request", [params]),
        );
        await expect(hookedRouter.connect(f.consumer).request(params)).to.be.revertedWithCustomError(
          hookedRouter,
          "ReentrancyGuardReentrantCall",
        );
        expect(await hooked.balanceOf(await hookedRouter.getAddress())).to.equal(0n);
      });

      it("if the token delivers less than the fee (fee on transfer)", async function () {
        const f = await loadFixture(routerFixture);
        const fot = await ethers.deployContract("FeeOnTransferTokenMock", [100n]);
        const fotStaking = await ethers.deployContract("Staking", [
          await fot.getAddress(),
          f.admin.address,
          f.treasury.address,
          1n,
          3_600n,
        ]);
        const fotRouter = (await ethers.deployContract("InferenceRouter", [
          {
            staking: await fotStaking.getAddress(),
            nodes: await f.nodes.getAddress(),
            models: await f.models.getAddress(),
            attestations: await f.attestations.getAddress(),
            disputes: await f.disputes.getAddress(),
          },
          { minFeePerNode: 1n, protocolFeeBps: 0n, livenessPenalty: 0n, maxReassignments: 0n },
          f.admin.address,
        ])) as unknown as InferenceRouter;
        const fee = 10_000n;
        await fot.mint(f.consumer.address, fee);
        await fot.connect(f.consumer).approve(await fotRouter.getAddress(), fee);
        await expect(fotRouter.connect(f.consumer).request(await f.h.params({ fee })))
          .to.be.revertedWithCustomError(fotRouter, "RouterTransferAmountMismatch")
          .withArgs(fee, fee - fee / 100n);
      });
    });
  });

  describe("on fulfill", function () {
    it("accepts a singly attested receipt of an assigned node and records it", async function () {
      const { router, keeper, h } = await loadFixture(routerFixture);
      const { id } = await h.request({ redundancy: 2n });
      const [first, second] = await h.assigned(id);
      const receipt = await h.receiptFor(id, first);
      const attested = await h.attest(receipt);
      const { windowEnd } = await h.f.attestations.getReceipt(receipt);
      await expect(router.connect(keeper).fulfill(id, receipt, ethers.ZeroHash, []))
        .to.emit(router, "RequestFulfilled")
        .withArgs(id, first.address, attested.receiptHash, receipt.outputHash, ethers.ZeroHash, 1n);
      const [slot] = await router.getAssignments(id);
      expect(slot.rank).to.equal(1n);
      expect(slot.windowEnd).to.equal(windowEnd);
      expect(slot.receiptHash).to.equal(attested.receiptHash);
      expect(slot.outputHash).to.equal(receipt.outputHash);
      expect(await router.state(id)).to.equal(RequestState.Pending);

      await h.fulfill(id, second, receipt.outputHash);
      expect((await router.getRequest(id)).fulfilled).to.equal(2n);
      expect(await router.state(id)).to.equal(RequestState.Verifying);
    });

    it("accepts a receipt included in a batch of the node, with its proof", async function () {
      const { router, h } = await loadFixture(routerFixture);
      const { id } = await h.request();
      const [node] = await h.assigned(id);
      const fulfilment = await h.attestInBatch(await h.receiptFor(id, node));
      const batch = await h.f.attestations.getBatch(fulfilment.batchId);
      await expect(h.fulfillWith(id, fulfilment))
        .to.emit(router, "RequestFulfilled")
        .withArgs(id, node.address, fulfilment.receiptHash, fulfilment.receipt.outputHash, fulfilment.batchId, 1n);
      expect((await router.getAssignments(id))[0].windowEnd).to.equal(batch.windowEnd);
    });

    it("accepts one second before the deadline", async function () {
      const { router, h } = await loadFixture(routerFixture);
      const { id, params } = await h.request();
      const [node] = await h.assigned(id);
      const fulfilment = await h.attest(await h.receiptFor(id, node));
      await time.setNextBlockTimestamp(params.deadline - 1n);
      await expect(h.fulfillWith(id, fulfilment)).to.emit(router, "RequestFulfilled");
    });

    it("accepts a receipt already under a verifier's dispute and opens no second one", async function () {
      const { router, attestations, verifier, disputes, h } = await loadFixture(routerFixture);
      const { id } = await h.request({ redundancy: 2n });
      const [first, second] = await h.assigned(id);
      await h.fulfill(id, first);
      const fulfilment = await h.attest(await h.receiptFor(id, second));
      await attestations.connect(verifier).openDispute(fulfilment.receipt, ethers.ZeroHash, []);
      await expect(h.fulfillWith(id, fulfilment))
        .to.emit(router, "RequestFulfilled")
        .and.not.to.emit(disputes, "RouterDisputeOpened");
      expect(await attestations.receiptState(fulfilment.receiptHash)).to.equal(ReceiptState.Disputed);
    });

    describe("reverts", function () {
      it("at the deadline exactly", async function () {
        const { router, h } = await loadFixture(routerFixture);
        const { id, params } = await h.request();
        const [node] = await h.assigned(id);
        const fulfilment = await h.attest(await h.receiptFor(id, node));
        await time.setNextBlockTimestamp(params.deadline);
        await expect(h.fulfillWith(id, fulfilment))
          .to.be.revertedWithCustomError(router, "RouterDeadlinePassed")
          .withArgs(id, params.deadline, params.deadline);
      });

      it("after the deadline when no reassignment is left", async function () {
        const { router, h } = await loadFixture(noReassignmentFixture);
        const { id, params } = await h.request({ redundancy: 2n });
        const [first, second] = await h.assigned(id);
        await h.fulfill(id, first);
        const fulfilment = await h.attest(await h.receiptFor(id, second));
        await time.setNextBlockTimestamp(params.deadline + 5n);
        await expect(h.fulfillWith(id, fulfilment))
          .to.be.revertedWithCustomError(router, "RouterDeadlinePassed")
          .withArgs(id, params.deadline, params.deadline + 5n);
      });

      it("for an unknown request", async function () {
        const { router, keeper, h } = await loadFixture(routerFixture);
        const id = randomHash();
        const receipt = makeReceipt(h.f.routerNodes[0].address, MODEL_ID, { requestId: id });
        await expect(router.connect(keeper).fulfill(id, receipt, ethers.ZeroHash, []))
          .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
          .withArgs(id, RequestState.None, RequestState.Pending);
      });

      it("once every slot is filled", async function () {
        const { router, keeper, h } = await loadFixture(routerFixture);
        const { id } = await h.request();
        const [node] = await h.assigned(id);
        const [done] = await h.fulfillAll(id);
        await expect(router.connect(keeper).fulfill(id, done.receipt, ethers.ZeroHash, []))
          .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
          .withArgs(id, RequestState.Verifying, RequestState.Pending);
        expect(node.address).to.equal(done.receipt.node);
      });

      it("if the receipt names another request", async function () {
        const { router, keeper, h } = await loadFixture(routerFixture);
        const { id } = await h.request();
        const [node] = await h.assigned(id);
        const other = randomHash();
        const receipt = await h.receiptFor(id, node, { requestId: other });
        await expect(router.connect(keeper).fulfill(id, receipt, ethers.ZeroHash, []))
          .to.be.revertedWithCustomError(router, "RouterReceiptRequestMismatch")
          .withArgs(id, other);
      });

      it("if the receipt names another model", async function () {
        const { router, keeper, h } = await loadFixture(routerFixture);
        const { id } = await h.request();
        const [node] = await h.assigned(id);
        const receipt = await h.receiptFor(id, node, { modelId: NARROW_MODEL_ID });
        await expect(router.connect(keeper).fulfill(id, receipt, ethers.ZeroHash, []))
          .to.be.revertedWithCustomError(router, "RouterReceiptModelMismatch")
          .withArgs(id, MODEL_ID, NARROW_MODEL_ID);
      });

      it("if the receipt names another input", async function () {
        const { router, keeper, h } = await loadFixture(routerFixture);
        const { id, params } = await h.request();
        const [node] = await h.assigned(id);
        const input = randomHash();
        const receipt = await h.receiptFor(id, node, { inputHash: input });
        await expect(router.connect(keeper).fulfill(id, receipt, ethers.ZeroHash, []))
          .to.be.revertedWithCustomError(router, "RouterReceiptInputMismatch")
          .withArgs(id, params.inputHash, input);
      });

      it("if the receipt's node is not assigned", async function () {
        const { router, keeper, h } = await loadFixture(routerFixture);
        const { id } = await h.request();
        const [node] = await h.assigned(id);
        const outsider = h.f.routerNodes.find((n) => n.address !== node.address);
        if (!outsider) throw new Error("no outsider");
        const fulfilment = await h.attest(await h.receiptFor(id, outsider));
        await expect(router.connect(keeper).fulfill(id, fulfilment.receipt, ethers.ZeroHash, []))
          .to.be.revertedWithCustomError(router, "RouterNodeNotAssigned")
          .withArgs(id, outsider.address);
      });

      it("if the node already fulfilled its slot (a second receipt from a batch)", async function () {
        const { router, h } = await loadFixture(routerFixture);
        const { id } = await h.request({ redundancy: 2n });
        const [node] = await h.assigned(id);
        await h.fulfill(id, node);
        const again = await h.attestInBatch(await h.receiptFor(id, node));
        await expect(h.fulfillWith(id, again))
          .to.be.revertedWithCustomError(router, "RouterAlreadyFulfilled")
          .withArgs(id, node.address);
      });

      it("if the receipt is not attested, or the proof does not hold", async function () {
        const { router, keeper, h } = await loadFixture(routerFixture);
        const { id } = await h.request();
        const [node] = await h.assigned(id);
        const receipt = await h.receiptFor(id, node);
        await expect(router.connect(keeper).fulfill(id, receipt, ethers.ZeroHash, []))
          .to.be.revertedWithCustomError(router, "RouterReceiptNotAttested")
          .withArgs(id, hashReceipt(receipt), ethers.ZeroHash);
        const inBatch = await h.attestInBatch(receipt);
        const wrongProof = [randomHash()];
        await expect(router.connect(keeper).fulfill(id, receipt, inBatch.batchId, wrongProof))
          .to.be.revertedWithCustomError(router, "RouterReceiptNotAttested")
          .withArgs(id, inBatch.receiptHash, inBatch.batchId);
      });

      it("once the receipt's challenge window has closed", async function () {
        const { router, h } = await loadFixture(routerFixture);
        const now = BigInt(await time.latest());
        const { id } = await h.request({ deadline: now + CHALLENGE_WINDOW * 2n });
        const [node] = await h.assigned(id);
        const fulfilment = await h.attest(await h.receiptFor(id, node));
        const { windowEnd } = await h.f.attestations.getReceipt(fulfilment.receipt);
        await time.setNextBlockTimestamp(windowEnd);
        await expect(h.fulfillWith(id, fulfilment))
          .to.be.revertedWithCustomError(router, "RouterReceiptWindowClosed")
          .withArgs(id, fulfilment.receiptHash, windowEnd, windowEnd);
      });

      it("if the receipt was found wrong by a dispute", async function () {
        const { router, attestations, verifier, h } = await loadFixture(routerFixture);
        const { id } = await h.request();
        const [node] = await h.assigned(id);
        const fulfilment = await h.attest(await h.receiptFor(id, node));
        await attestations.connect(verifier).openDispute(fulfilment.receipt, ethers.ZeroHash, []);
        await attestations.connect(verifier).resolveDispute(fulfilment.receiptHash, true);
        await expect(h.fulfillWith(id, fulfilment))
          .to.be.revertedWithCustomError(router, "RouterReceiptRejected")
          .withArgs(id, fulfilment.receiptHash);
      });
    });
  });

  describe("when redundant nodes disagree", function () {
    it("opens a dispute on the disagreeing receipt and holds the request until it is resolved", async function () {
      const { router, attestations, disputes, h } = await loadFixture(routerFixture);
      const { id } = await h.request({ redundancy: 2n });
      const [first, second] = await h.assigned(id);
      const firstOutput = randomHash();
      await h.fulfill(id, first, firstOutput);
      const disagreeing = await h.attest(await h.receiptFor(id, second));
      await expect(h.fulfillWith(id, disagreeing))
        .to.emit(router, "DisagreementDisputed")
        .withArgs(id, second.address, disagreeing.receiptHash, disagreeing.receipt.outputHash)
        .and.to.emit(disputes, "RouterDisputeOpened")
        .withArgs(disagreeing.receiptHash, ethers.ZeroHash, second.address, firstOutput);
      expect(await attestations.receiptState(disagreeing.receiptHash)).to.equal(ReceiptState.Disputed);

      await h.passWindows(id);
      await mine();
      expect(await router.state(id)).to.equal(RequestState.Verifying);
      await expect(router.settle(id))
        .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
        .withArgs(id, RequestState.Verifying, RequestState.Settleable);
      await disputes.resolve(disagreeing.receiptHash, true);
      expect(await router.state(id)).to.equal(RequestState.Settleable);
    });

    it("pays only the receipts not found wrong, refunds the rest and delivers the surviving output", async function () {
      const { router, token, disputes, consumer, treasury, h } = await loadFixture(routerFixture);
      const fee = ethers.parseEther("1");
      const { id } = await h.request({ redundancy: 2n, fee });
      const [first, second] = await h.assigned(id);
      const honest = await h.fulfill(id, first);
      const wrong = await h.fulfill(id, second);
      await disputes.resolve(wrong.receiptHash, true);
      await h.passWindows(id);
      const { pay, cut } = slotSplit(fee, 2n);
      const accounts = [first.address, second.address, treasury.address, consumer.address];
      const changes = await h.creditChanges(async () => {
        await expect(router.settle(id))
          .to.emit(router, "RequestSettled")
          .withArgs(id, first.address, honest.receipt.outputHash, pay, cut, fee - pay - cut);
      }, accounts);
      expect(changes).to.deep.equal([pay, 0n, cut, fee - pay - cut]);
      await expect(router.connect(first.operator).claim(first.address)).to.changeTokenBalances(
        token,
        [router, first.operator],
        [-pay, pay],
      );
    });

    it("names the earliest-fulfilled disagreeing output as the conflicting one", async function () {
      const { disputes, h } = await loadFixture(routerFixture);
      const { id } = await h.request({ redundancy: 3n });
      const [a, b, c] = await h.assigned(id);
      const first = await h.fulfill(id, a);
      await h.fulfill(id, b);
      const third = await h.attest(await h.receiptFor(id, c));
      await expect(h.fulfillWith(id, third))
        .to.emit(disputes, "RouterDisputeOpened")
        .withArgs(third.receiptHash, ethers.ZeroHash, c.address, first.receipt.outputHash);
    });

    it("treats a zero output hash as an output like any other", async function () {
      const { disputes, h } = await loadFixture(routerFixture);
      const { id } = await h.request({ redundancy: 2n });
      const [a, b] = await h.assigned(id);
      await h.fulfill(id, a, ethers.ZeroHash);
      const second = await h.attest(await h.receiptFor(id, b));
      await expect(h.fulfillWith(id, second))
        .to.emit(disputes, "RouterDisputeOpened")
        .withArgs(second.receiptHash, ethers.ZeroHash, b.address, ethers.ZeroHash);
    });

    it("opens no dispute when the outputs agree", async function () {
      const { router, disputes, h } = await loadFixture(routerFixture);
      const { id } = await h.request({ redundancy: 3n });
      const output = randomHash();
      const [a, b, c] = await h.assigned(id);
      await h.fulfill(id, a, output);
      await h.fulfill(id, b, output);
      const third = await h.attest(await h.receiptFor(id, c, { outputHash: output }));
      await expect(h.fulfillWith(id, third))
        .to.not.emit(router, "DisagreementDisputed")
        .and.not.to.emit(disputes, "RouterDisputeOpened");
    });

    it("delivers an output upheld by a dispute and does not pay the earlier unjudged one it contradicts", async function () {
      const { router, disputes, consumerContract, h } = await loadFixture(routerFixture);
      const { id } = await h.requestFromContract({ redundancy: 2n, callbackGasLimit: 200_000n });
      const [first, second] = await h.assigned(id);
      await h.fulfill(id, first);
      const upheld = await h.fulfill(id, second);
      await disputes.resolve(upheld.receiptHash, false);
      await h.passWindows(id);
      const fee = MIN_FEE_PER_NODE * 2n;
      const { pay, cut } = slotSplit(fee, 2n);
      // The upheld node's share is paid less the cut; the unjudged node's share goes back to the consumer.
      await expect(router.settle(id))
        .to.emit(router, "RequestSettled")
        .withArgs(id, second.address, upheld.receipt.outputHash, pay, cut, fee - pay - cut)
        .and.to.emit(consumerContract, "ResultReceived")
        .withArgs(id, upheld.receipt.outputHash, second.address, upheld.receiptHash);
    });

    it("lets anyone dispute an earlier disagreeing receipt, which then no longer gets paid", async function () {
      const { router, disputes, stranger, h } = await loadFixture(routerFixture);
      const fee = ethers.parseEther("1");
      const { id } = await h.request({ redundancy: 2n, fee });
      const [first, second] = await h.assigned(id);
      const early = await h.fulfill(id, first);
      const late = await h.fulfill(id, second);
      await expect(router.connect(stranger).disputeFulfillment(id, early.receipt, early.batchId, early.proof))
        .to.emit(router, "DisagreementDisputed")
        .withArgs(id, first.address, early.receiptHash, early.receipt.outputHash)
        .and.to.emit(disputes, "RouterDisputeOpened")
        .withArgs(early.receiptHash, ethers.ZeroHash, first.address, late.receipt.outputHash);
      await disputes.resolve(early.receiptHash, true);
      await disputes.resolve(late.receiptHash, false);
      await h.passWindows(id);
      const { pay } = slotSplit(fee, 2n);
      expect(await h.creditChanges(() => router.settle(id), [first.address, second.address])).to.deep.equal([0n, pay]);
    });

    it("refunds the whole fee and calls nobody back when every receipt is found wrong", async function () {
      const { router, disputes, consumerContract, h } = await loadFixture(routerFixture);
      const fee = MIN_FEE_PER_NODE * 2n;
      const { id } = await h.requestFromContract({ redundancy: 2n, fee, callbackGasLimit: 100_000n });
      const [first, second] = await h.assigned(id);
      const a = await h.fulfill(id, first);
      const b = await h.fulfill(id, second);
      await router.disputeFulfillment(id, a.receipt, a.batchId, a.proof);
      await disputes.resolve(a.receiptHash, true);
      await disputes.resolve(b.receiptHash, true);
      await h.passWindows(id);
      const consumerAddress = await consumerContract.getAddress();
      const changes = await h.creditChanges(async () => {
        await expect(router.settle(id))
          .to.emit(router, "RequestSettled")
          .withArgs(id, ethers.ZeroAddress, ethers.ZeroHash, 0n, 0n, fee)
          .and.not.to.emit(consumerContract, "ResultReceived");
      }, [consumerAddress]);
      expect(changes).to.deep.equal([fee]);
    });

    describe("disputeFulfillment reverts", function () {
      it("for an unknown or settled request", async function () {
        const { router, h } = await loadFixture(routerFixture);
        const unknown = randomHash();
        const receipt = makeReceipt(h.f.routerNodes[0].address, MODEL_ID, { requestId: unknown });
        await expect(router.disputeFulfillment(unknown, receipt, ethers.ZeroHash, []))
          .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
          .withArgs(unknown, RequestState.None, RequestState.Verifying);
        const { id } = await h.request();
        const [done] = await h.fulfillAll(id);
        await h.passWindows(id);
        await router.settle(id);
        await expect(router.disputeFulfillment(id, done.receipt, ethers.ZeroHash, []))
          .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
          .withArgs(id, RequestState.Settled, RequestState.Verifying);
      });

      it("for a receipt that was not relayed for the request", async function () {
        const { router, h } = await loadFixture(routerFixture);
        const { id } = await h.request({ redundancy: 2n });
        const [first] = await h.assigned(id);
        const receipt = await h.receiptFor(id, first);
        await expect(router.disputeFulfillment(id, receipt, ethers.ZeroHash, []))
          .to.be.revertedWithCustomError(router, "RouterReceiptNotFulfilled")
          .withArgs(id, hashReceipt(receipt));
      });

      it("when no other fulfilment disagrees", async function () {
        const { router, h } = await loadFixture(routerFixture);
        const { id } = await h.request({ redundancy: 2n });
        const [first, second] = await h.assigned(id);
        const output = randomHash();
        const a = await h.fulfill(id, first, output);
        await expect(router.disputeFulfillment(id, a.receipt, a.batchId, a.proof))
          .to.be.revertedWithCustomError(router, "RouterNoDisagreement")
          .withArgs(id, a.receiptHash);
        await h.fulfill(id, second, output);
        await expect(router.disputeFulfillment(id, a.receipt, a.batchId, a.proof))
          .to.be.revertedWithCustomError(router, "RouterNoDisagreement")
          .withArgs(id, a.receiptHash);
      });

      it("when the receipt is already under dispute", async function () {
        const { router, attestations, h } = await loadFixture(routerFixture);
        const { id } = await h.request({ redundancy: 2n });
        const [first, second] = await h.assigned(id);
        await h.fulfill(id, first);
        const b = await h.fulfill(id, second);
        await expect(router.disputeFulfillment(id, b.receipt, b.batchId, b.proof))
          .to.be.revertedWithCustomError(attestations, "AttestationUnexpectedReceiptState")
          .withArgs(b.receiptHash, ReceiptState.Disputed, ReceiptState.None);
      });
    });
  });

  describe("on reassign", function () {
    it("charges absent nodes the liveness penalty and draws distinct replacements with a new deadline", async function () {
      const { router, staking, treasury, token, h } = await loadFixture(routerFixture);
      const { id } = await h.request({ redundancy: 2n });
      const [present, absent] = await h.assigned(id);
      await h.fulfill(id, present);
      await h.passDeadline(id);
      expect(await router.state(id)).to.equal(RequestState.Expired);

      const stakeBefore = await staking.activeStakeOf(absent.address);
      const { responseTime } = await router.getRequest(id);
      const next = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(next);
      const tx = router.reassign(id);
      await expect(tx).to.changeTokenBalances(token, [treasury], [LIVENESS_PENALTY]);
      await expect(tx)
        .to.emit(router, "NodePenalized")
        .withArgs(id, absent.address, LIVENESS_PENALTY, LIVENESS_PENALTY)
        .and.to.emit(staking, "Slashed")
        .withArgs(absent.address, LIVENESS_PENALTY, LIVENESS_PENALTY, LIVENESS_PENALTY)
        .and.to.emit(router, "RequestReassigned")
        .withArgs(id, 1n, next + responseTime);
      expect(await staking.activeStakeOf(absent.address)).to.equal(stakeBefore - LIVENESS_PENALTY);

      const [kept, replacement] = await h.assigned(id);
      expect(kept.address).to.equal(present.address);
      expect([present.address, absent.address]).to.not.include(replacement.address);
      await expect(tx).to.emit(router, "NodeAssigned").withArgs(id, replacement.address, 1n, 1n, anyValue);
      const stored = await router.getRequest(id);
      expect(stored.reassignments).to.equal(1n);
      expect(stored.deadline).to.equal(next + stored.responseTime);
      expect(await router.state(id)).to.equal(RequestState.Pending);

      const late = await h.attest(await h.receiptFor(id, absent));
      await expect(h.fulfillWith(id, late))
        .to.be.revertedWithCustomError(router, "RouterNodeNotAssigned")
        .withArgs(id, absent.address);
      await h.fulfill(id, replacement, (await router.getAssignments(id))[0].outputHash);
      expect(await router.state(id)).to.equal(RequestState.Verifying);
    });

    it("is possible at the deadline exactly", async function () {
      const { router, h } = await loadFixture(routerFixture);
      const { id, params } = await h.request();
      await time.setNextBlockTimestamp(params.deadline);
      await expect(router.reassign(id)).to.emit(router, "RequestReassigned");
    });

    it("emits the penalty without slashing when the request's penalty is zero", async function () {
      const { router, staking, admin, h } = await loadFixture(routerFixture);
      await router.connect(admin).setLivenessPenalty(0);
      const { id } = await h.request();
      const [absent] = await h.assigned(id);
      await h.passDeadline(id);
      await expect(router.reassign(id))
        .to.emit(router, "NodePenalized")
        .withArgs(id, absent.address, 0n, 0n)
        .and.not.to.emit(staking, "Slashed");
    });

    it("closes the request when no distinct replacement can be drawn", async function () {
      const { router, h } = await loadFixture(routerFixture);
      const { id } = await h.request({ modelId: NARROW_MODEL_ID, redundancy: 2n });
      await h.passDeadline(id);
      await expect(router.reassign(id))
        .to.emit(router, "RequestClosed")
        .withArgs(id, 0n)
        .and.to.emit(router, "NodePenalized")
        .and.not.to.emit(router, "RequestReassigned");
      expect((await router.getRequest(id)).closed).to.equal(true);
      expect(await router.state(id)).to.equal(RequestState.Unservable);
    });

    it("closes the request when the model has no weight left", async function () {
      const { router, staking, h } = await loadFixture(routerFixture);
      const { id } = await h.request({ modelId: NARROW_MODEL_ID });
      for (const node of h.f.routerNodes.slice(0, 2)) {
        await staking.connect(node.operator).requestUnstake(await staking.activeStakeOf(node.address));
      }
      expect(await h.f.nodes.totalModelWeight(NARROW_MODEL_ID)).to.equal(0n);
      await h.passDeadline(id);
      await expect(router.reassign(id)).to.emit(router, "RequestClosed").withArgs(id, 0n);
      expect(await router.state(id)).to.equal(RequestState.Unservable);
    });

    it("closes the request when the model was deprecated", async function () {
      const { router, models, modelOwner, h } = await loadFixture(routerFixture);
      const { id } = await h.request();
      await models.connect(modelOwner).deprecateModel(MODEL_ID);
      await h.passDeadline(id);
      await expect(router.reassign(id)).to.emit(router, "RequestClosed").withArgs(id, 0n);
    });

    it("stops after the request's reassignment limit", async function () {
      const { router, h } = await loadFixture(routerFixture);
      const { id } = await h.request();
      for (let round = 1n; round <= MAX_REASSIGNMENTS; ++round) {
        await h.passDeadline(id);
        await expect(router.reassign(id)).to.emit(router, "RequestReassigned").withArgs(id, round, anyValue);
      }
      await h.passDeadline(id);
      expect(await router.state(id)).to.equal(RequestState.Unservable);
      await expect(router.reassign(id))
        .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
        .withArgs(id, RequestState.Unservable, RequestState.Expired);
    });

    describe("reverts", function () {
      it("one second before the deadline", async function () {
        const { router, h } = await loadFixture(routerFixture);
        const { id, params } = await h.request();
        await time.setNextBlockTimestamp(params.deadline - 1n);
        await expect(router.reassign(id))
          .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
          .withArgs(id, RequestState.Pending, RequestState.Expired);
      });

      it("for an unknown request", async function () {
        const { router } = await loadFixture(routerFixture);
        const id = randomHash();
        await expect(router.reassign(id))
          .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
          .withArgs(id, RequestState.None, RequestState.Expired);
      });

      it("when the router lacks the staking dispute role", async function () {
        const { router, staking, admin, h } = await loadFixture(routerFixture);
        const { id } = await h.request();
        await staking.connect(admin).revokeRole(DISPUTE_ROLE, await router.getAddress());
        await h.passDeadline(id);
        await expect(router.reassign(id))
          .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
          .withArgs(await router.getAddress(), DISPUTE_ROLE);
      });
    });
  });

  describe("on settle", function () {
    it("pays each node its share less the protocol cut, the treasury the cuts and the consumer the dust", async function () {
      const { router, token, treasury, consumer, h } = await loadFixture(routerFixture);
      const fee = ethers.parseEther("1") + 1n; // not divisible by 3: dust goes back to the consumer
      const { id } = await h.request({ redundancy: 3n, fee });
      const output = randomHash();
      const fulfilments = await h.fulfillAll(id, output);
      const nodes = await h.assigned(id);
      await h.passWindows(id);
      const { pay, cut } = slotSplit(fee, 3n);
      const refunded = fee - 3n * (pay + cut);
      expect(refunded).to.be.greaterThan(0n);
      const accounts = [treasury.address, consumer.address, ...nodes.map((n) => n.address)];
      const changes = await h.creditChanges(async () => {
        const tx = router.settle(id);
        for (const node of nodes) await expect(tx).to.emit(router, "FeePaid").withArgs(id, node.address, pay);
        await expect(tx)
          .to.emit(router, "RequestSettled")
          .withArgs(id, fulfilments[0].receipt.node, output, 3n * pay, 3n * cut, refunded);
      }, accounts);
      expect(changes).to.deep.equal([3n * cut, refunded, pay, pay, pay]);
      // Each party withdraws its credit; the router ends with nothing of this request.
      for (const [account, amount] of [
        [treasury, 3n * cut],
        [consumer, refunded],
        ...nodes.map((n) => [n.operator, pay] as const),
      ] as const) {
        await expect(router.connect(account).claim(account.address))
          .to.emit(router, "CreditClaimed")
          .withArgs(account.address, account.address, amount);
      }
      expect(await token.balanceOf(await router.getAddress())).to.equal(0n);
      expect(await router.state(id)).to.equal(RequestState.Settled);
      expect((await router.getRequest(id)).outcome).to.equal(1n);
    });

    it("is possible at the last window end exactly, not one second before", async function () {
      const { router, h } = await loadFixture(routerFixture);
      const { id } = await h.request();
      await h.fulfillAll(id);
      const [{ windowEnd }] = await router.getAssignments(id);
      await time.setNextBlockTimestamp(windowEnd - 1n);
      await expect(router.settle(id))
        .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
        .withArgs(id, RequestState.Verifying, RequestState.Settleable);
      await time.setNextBlockTimestamp(windowEnd);
      await expect(router.settle(id)).to.emit(router, "RequestSettled");
    });

    it("settles what was fulfilled after the last round and charges its absent nodes", async function () {
      const { router, consumer, h } = await loadFixture(noReassignmentFixture);
      const fee = MIN_FEE_PER_NODE * 2n;
      const { id } = await h.request({ redundancy: 2n, fee });
      const [present, absent] = await h.assigned(id);
      await h.fulfill(id, present);
      await h.passDeadline(id);
      expect(await router.state(id)).to.equal(RequestState.Verifying);
      await h.passWindows(id);
      expect(await router.state(id)).to.equal(RequestState.Settleable);
      const { pay, cut } = slotSplit(fee, 2n);
      const changes = await h.creditChanges(async () => {
        await expect(router.settle(id))
          .to.emit(router, "NodePenalized")
          .withArgs(id, absent.address, LIVENESS_PENALTY, LIVENESS_PENALTY)
          .and.to.emit(router, "RequestSettled")
          .withArgs(id, present.address, anyValue, pay, cut, fee - pay - cut);
      }, [consumer.address, present.address]);
      expect(changes).to.deep.equal([fee - pay - cut, pay]);
    });

    it("does not charge twice nodes already charged when the request was closed", async function () {
      const { router, h } = await loadFixture(routerFixture);
      const { id } = await h.request({ modelId: NARROW_MODEL_ID, redundancy: 2n });
      const [present] = await h.assigned(id);
      const fulfilled = await h.fulfill(id, present);
      await h.passDeadline(id);
      await expect(router.reassign(id)).to.emit(router, "RequestClosed");
      await h.passWindows(id);
      const fee = MIN_FEE_PER_NODE * 2n;
      const { pay, cut } = slotSplit(fee, 2n);
      await expect(router.settle(id))
        .to.emit(router, "RequestSettled")
        .withArgs(id, present.address, fulfilled.receipt.outputHash, pay, cut, fee - pay - cut)
        .and.not.to.emit(router, "NodePenalized");
    });

    describe("with a consumer callback", function () {
      it("passes the result within the gas cap", async function () {
        const { router, consumerContract, h } = await loadFixture(routerFixture);
        const { id } = await h.requestFromContract({ callbackGasLimit: 100_000n });
        const [done] = await h.fulfillAll(id);
        await h.passWindows(id);
        await expect(router.settle(id))
          .to.emit(consumerContract, "ResultReceived")
          .withArgs(id, done.receipt.outputHash, done.receipt.node, done.receiptHash)
          .and.not.to.emit(router, "CallbackFailed");
        expect(await consumerContract.calls()).to.equal(1n);
      });

      it("makes no call when the cap is zero", async function () {
        const { router, consumerContract, h } = await loadFixture(routerFixture);
        const { id } = await h.requestFromContract({ callbackGasLimit: 0n });
        await h.fulfillAll(id);
        await h.passWindows(id);
        await expect(router.settle(id)).to.not.emit(consumerContract, "ResultReceived");
        expect(await consumerContract.calls()).to.equal(0n);
      });

      it("makes no call to a consumer without code", async function () {
        const { router, h } = await loadFixture(routerFixture);
        const { id } = await h.request({ callbackGasLimit: 100_000n });
        await h.fulfillAll(id);
        await h.passWindows(id);
        await expect(router.settle(id)).to.emit(router, "RequestSettled").and.not.to.emit(router, "CallbackFailed");
      });

      it("settles and emits CallbackFailed when the callback reverts", async function () {
        const { router, consumerContract, h } = await loadFixture(routerFixture);
        await consumerContract.setMode(1);
        const { id } = await h.requestFromContract({ callbackGasLimit: 100_000n });
        const [node] = await h.assigned(id);
        await h.fulfillAll(id);
        await h.passWindows(id);
        const { pay } = slotSplit(MIN_FEE_PER_NODE, 1n);
        const changes = await h.creditChanges(async () => {
          await expect(router.settle(id))
            .to.emit(router, "CallbackFailed")
            .withArgs(id, await consumerContract.getAddress());
        }, [node.address]);
        expect(changes).to.deep.equal([pay]);
        expect(await router.state(id)).to.equal(RequestState.Settled);
      });

      it("settles and emits CallbackFailed when the callback burns all its gas", async function () {
        const { router, consumerContract, h } = await loadFixture(routerFixture);
        await consumerContract.setMode(2);
        const cap = 300_000n;
        const { id } = await h.requestFromContract({ callbackGasLimit: cap });
        await h.fulfillAll(id);
        await h.passWindows(id);
        const tx = await router.settle(id, { gasLimit: 1_000_000n });
        await expect(tx).to.emit(router, "CallbackFailed");
        const receipt = await tx.wait();
        expect(receipt?.gasUsed).to.be.lessThan(cap + 200_000n);
      });

      it("copies no return data from the callback", async function () {
        const { router, consumerContract, h } = await loadFixture(routerFixture);
        await consumerContract.setMode(3);
        const { id } = await h.requestFromContract({ callbackGasLimit: 200_000n });
        await h.fulfillAll(id);
        await h.passWindows(id);
        const tx = await router.settle(id);
        await expect(tx).to.emit(router, "RequestSettled").and.not.to.emit(router, "CallbackFailed");
        expect((await tx.wait())?.gasUsed).to.be.lessThan(400_000n);
      });

      describe("that re-enters the router", function () {
        const entries = ["settle", "refund", "reassign", "fulfill", "disputeFulfillment", "request"] as const;
        for (const entry of entries) {
          it(`blocks a reentrant ${entry} and pays once`, async function () {
            const { router, consumerContract, h } = await loadFixture(routerFixture);
            const { id, params } = await h.requestFromContract({ callbackGasLimit: 300_000n });
            const [node] = await h.assigned(id);
            const [done] = await h.fulfillAll(id);
            await h.passWindows(id);
            const fulfilArgs: [string, Receipt, string, string[]] = [id, done.receipt, done.batchId, done.proof];
            const data = {
              settle: router.interface.encodeFunctionData("settle", [id]),
              refund: router.interface.encodeFunctionData("refund", [id]),
              reassign: router.interface.encodeFunctionData("reassign", [id]),
              fulfill: router.interface.encodeFunctionData("fulfill", fulfilArgs),
              disputeFulfillment: router.interface.encodeFunctionData("disputeFulfillment", fulfilArgs),
              request: router.interface.encodeFunctionData("request", [params]),
            }[entry];
            await consumerContract.setMode(4);
            await consumerContract.setReentry(data);
            const nonce = await router.nonceOf(await consumerContract.getAddress());
            const reentrancy = router.interface.encodeErrorResult("ReentrancyGuardReentrantCall", []);
            const { pay } = slotSplit(MIN_FEE_PER_NODE, 1n);
            const changes = await h.creditChanges(async () => {
              await expect(router.settle(id)).to.emit(consumerContract, "ReentryBlocked").withArgs(reentrancy);
            }, [node.address]);
            expect(changes).to.deep.equal([pay]);
            expect(await consumerContract.lastReentryError()).to.equal(reentrancy);
            expect(await router.nonceOf(await consumerContract.getAddress())).to.equal(nonce);
            expect(await router.state(id)).to.equal(RequestState.Settled);
          });
        }
      });

      it("reverts when the transaction leaves the callback less than its cap", async function () {
        const { router, consumerContract, h } = await loadFixture(routerFixture);
        await consumerContract.setMode(2);
        const cap = 1_000_000n;
        const { id } = await h.requestFromContract({ callbackGasLimit: cap });
        await h.fulfillAll(id);
        await h.passWindows(id);
        await expect(router.settle(id, { gasLimit: 900_000n }))
          .to.be.revertedWithCustomError(router, "RouterInsufficientCallbackGas")
          .withArgs(id, anyValue, cap + cap / 63n + 10_000n);
        expect(await router.state(id)).to.equal(RequestState.Settleable);
      });
    });

    describe("reverts", function () {
      it("while receipts are in their window, and a second time", async function () {
        const { router, h } = await loadFixture(routerFixture);
        const { id } = await h.request();
        await expect(router.settle(id))
          .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
          .withArgs(id, RequestState.Pending, RequestState.Settleable);
        await h.fulfillAll(id);
        await h.passWindows(id);
        await router.settle(id);
        await expect(router.settle(id))
          .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
          .withArgs(id, RequestState.Settled, RequestState.Settleable);
      });
    });
  });

  describe("on refund", function () {
    it("returns the whole fee to the consumer and charges the last round's absent nodes", async function () {
      const { router, token, consumer, h } = await loadFixture(noReassignmentFixture);
      const fee = ethers.parseEther("2");
      const { id } = await h.request({ redundancy: 2n, fee });
      const absent = await h.assigned(id);
      await h.passDeadline(id);
      expect(await router.state(id)).to.equal(RequestState.Unservable);
      const changes = await h.creditChanges(async () => {
        const tx = router.refund(id);
        await expect(tx).to.emit(router, "RequestRefunded").withArgs(id, consumer.address, fee);
        await expect(tx).to.emit(router, "Credited").withArgs(consumer.address, fee);
        for (const node of absent) {
          await expect(tx)
            .to.emit(router, "NodePenalized")
            .withArgs(id, node.address, LIVENESS_PENALTY, LIVENESS_PENALTY);
        }
      }, [consumer.address]);
      expect(changes).to.deep.equal([fee]);
      await expect(router.connect(consumer).claim(consumer.address)).to.changeTokenBalances(
        token,
        [router, consumer],
        [-fee, fee],
      );
      expect(await router.state(id)).to.equal(RequestState.Refunded);
      await expect(router.refund(id))
        .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
        .withArgs(id, RequestState.Refunded, RequestState.Unservable);
    });

    it("reverts while the request can still be reassigned", async function () {
      const { router, h } = await loadFixture(routerFixture);
      const { id } = await h.request();
      await h.passDeadline(id);
      await expect(router.refund(id))
        .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
        .withArgs(id, RequestState.Expired, RequestState.Unservable);
    });

    it("reverts when something was fulfilled", async function () {
      const { router, h } = await loadFixture(noReassignmentFixture);
      const { id } = await h.request({ redundancy: 2n });
      const [present] = await h.assigned(id);
      await h.fulfill(id, present);
      await h.passDeadline(id);
      await expect(router.refund(id))
        .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
        .withArgs(id, RequestState.Verifying, RequestState.Unservable);
    });
  });

  describe("parameters", function () {
    const cases = [
      { name: "minFeePerNode", min: 1n, max: 10n ** 30n, typeMax: 2n ** 256n - 1n },
      { name: "protocolFeeBps", min: 0n, max: 2_000n, typeMax: 2n ** 16n - 1n },
      { name: "livenessPenalty", min: 0n, max: 10n ** 21n, typeMax: 2n ** 96n - 1n },
      { name: "maxReassignments", min: 0n, max: 3n, typeMax: 2n ** 8n - 1n },
    ] as const;
    const setters = {
      minFeePerNode: "setMinFeePerNode",
      protocolFeeBps: "setProtocolFeeBps",
      livenessPenalty: "setLivenessPenalty",
      maxReassignments: "setMaxReassignments",
    } as const;
    for (const c of cases) {
      shouldBehaveLikeBoundedParameter(c, async () => {
        const { router, admin, stranger } = await loadFixture(routerFixture);
        return {
          contract: router,
          admin,
          stranger,
          set: (signer, value) => router.connect(signer)[setters[c.name]](value),
          get: () => router[c.name](),
        };
      });
    }

    it("lets only the pauser pause and unpause", async function () {
      const { router, stranger, admin, pauser } = await loadFixture(routerFixture);
      for (const caller of [stranger, admin]) {
        await expect(router.connect(caller).pause())
          .to.be.revertedWithCustomError(router, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, PAUSER_ROLE);
      }
      await router.connect(pauser).pause();
      await expect(router.connect(stranger).unpause())
        .to.be.revertedWithCustomError(router, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, PAUSER_ROLE);
    });

    it("keeps fulfil, reassign, settle and refund working while paused", async function () {
      const { router, pauser, h } = await loadFixture(routerFixture);
      const { id } = await h.request({ redundancy: 2n });
      const { id: missed } = await h.request();
      await router.connect(pauser).pause();
      const [first, second] = await h.assigned(id);
      const output = randomHash();
      await h.fulfill(id, first, output);
      await h.fulfill(id, second, output);
      await h.passDeadline(missed);
      await expect(router.reassign(missed)).to.emit(router, "RequestReassigned");
      await h.passWindows(id);
      // Both shares paid less their cuts; the fee divides evenly, so nothing is refunded.
      const { pay, cut } = slotSplit(MIN_FEE_PER_NODE * 2n, 2n);
      await expect(router.settle(id))
        .to.emit(router, "RequestSettled")
        .withArgs(id, first.address, output, 2n * pay, 2n * cut, 0n);
    });
  });

  describe("views", function () {
    it("report an unknown request as None with no assignments", async function () {
      const { router } = await loadFixture(routerFixture);
      const id = randomHash();
      expect(await router.state(id)).to.equal(RequestState.None);
      expect(await router.getAssignments(id)).to.deep.equal([]);
      expect((await router.getRequest(id)).consumer).to.equal(ethers.ZeroAddress);
    });
  });
});
