import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type {
  AttestationRegistry,
  InferenceConsumerMock,
  InferenceRouter,
  ModelRegistry,
  NodeRegistry,
  ReceiverHookTokenMock,
  RouterDisputesMock,
  Staking,
} from "../../typechain-types";
import {
  CHALLENGE_WINDOW,
  DISPUTE_ROLE,
  LIVENESS_PENALTY,
  MAX_REASSIGNMENTS,
  MIN_FEE_PER_NODE,
  MODEL_ID,
  NODE_STAKE,
  PROTOCOL_FEE_BPS,
  deployRouterFixture,
} from "../fixtures/router";
import { modelRegistration } from "../fixtures/registry";
import { MINIMUM_STAKE, UNBONDING_PERIOD } from "../fixtures/staking";
import { randomHash, randomWallet } from "../helpers/receipts";
import type { Domain } from "../helpers/receipts";
import { shouldBehaveLikePullCredits } from "../helpers/pullCredits.behavior";
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

function slotSplit(fee: bigint, redundancy: bigint) {
  const share = fee / redundancy;
  const cut = (share * PROTOCOL_FEE_BPS) / BPS;
  return { share, cut, pay: share - cut };
}

/** Puts every fixture node at exactly the minimum active stake: one liveness penalty would make it inactive. */
async function atMinimumStake(f: Awaited<ReturnType<typeof routerFixture>>) {
  for (const node of f.routerNodes) {
    await f.staking.connect(node.operator).requestUnstake(NODE_STAKE - MINIMUM_STAKE);
    await f.nodes.syncWeight(node.address);
  }
}

/**
 * The router system over `ReceiverHookTokenMock`, a stake token that calls a recipient that asked for it on every
 * transfer to it (ERC-777 style; a reverting hook is a recipient that refuses tokens, like a blacklisted address).
 * Two nodes serve `MODEL_ID`; the consumer is an `InferenceConsumerMock` contract (it has no receive hook, so a hooked
 * transfer to it reverts).
 */
async function hookedRouterFixture() {
  const signers = await ethers.getSigners();
  const [admin, treasury, operatorA, operatorB, modelOwner, keeper] = signers;
  const token = (await ethers.deployContract("ReceiverHookTokenMock")) as unknown as ReceiverHookTokenMock;
  const staking = (await ethers.deployContract("Staking", [
    await token.getAddress(),
    admin.address,
    treasury.address,
    MINIMUM_STAKE,
    UNBONDING_PERIOD,
  ])) as unknown as Staking;
  const models = (await ethers.deployContract("ModelRegistry")) as unknown as ModelRegistry;
  const nodes = (await ethers.deployContract("NodeRegistry", [
    await models.getAddress(),
    await staking.getAddress(),
    admin.address,
  ])) as unknown as NodeRegistry;
  await staking.connect(admin).setStakeObserver(await nodes.getAddress());
  const attestations = (await ethers.deployContract("AttestationRegistry", [
    await nodes.getAddress(),
    await models.getAddress(),
    CHALLENGE_WINDOW,
    admin.address,
  ])) as unknown as AttestationRegistry;
  await nodes.connect(admin).setNodeObserver(await attestations.getAddress());
  await models.connect(admin).setModelObserver(await attestations.getAddress());
  const disputes = (await ethers.deployContract("RouterDisputesMock", [
    await attestations.getAddress(),
  ])) as unknown as RouterDisputesMock;
  await attestations.connect(admin).grantRole(DISPUTE_ROLE, await disputes.getAddress());
  const router = (await ethers.deployContract("InferenceRouter", [
    {
      staking: await staking.getAddress(),
      nodes: await nodes.getAddress(),
      models: await models.getAddress(),
      attestations: await attestations.getAddress(),
      disputes: await disputes.getAddress(),
    },
    {
      minFeePerNode: MIN_FEE_PER_NODE,
      protocolFeeBps: PROTOCOL_FEE_BPS,
      livenessPenalty: LIVENESS_PENALTY,
      maxReassignments: MAX_REASSIGNMENTS,
    },
    admin.address,
  ])) as unknown as InferenceRouter;
  await disputes.setRouter(await router.getAddress());
  await staking.connect(admin).grantRole(DISPUTE_ROLE, await router.getAddress());
  await models.connect(modelOwner).registerModel({ ...modelRegistration(MODEL_ID), id: MODEL_ID });

  const routerNodes = [];
  for (const operator of [operatorA, operatorB]) {
    const signer = randomWallet();
    await token.mint(operator.address, NODE_STAKE);
    await token.connect(operator).approve(await staking.getAddress(), NODE_STAKE);
    await nodes.connect(operator).registerNode(signer.address, "https://node.verity.test", 0, [MODEL_ID]);
    await staking.connect(operator).stake(NODE_STAKE);
    routerNodes.push({ operator, address: operator.address, signer });
  }
  const consumerContract = (await ethers.deployContract("InferenceConsumerMock", [
    await router.getAddress(),
  ])) as unknown as InferenceConsumerMock;
  await token.mint(await consumerContract.getAddress(), ethers.parseEther("10"));

  const { chainId } = await ethers.provider.getNetwork();
  const domain: Domain = { name: "Verity", version: "1", chainId, verifyingContract: await attestations.getAddress() };
  const f = {
    token,
    staking,
    models,
    nodes,
    attestations,
    disputes,
    router,
    consumerContract,
    admin,
    pauser: admin,
    treasury,
    consumer: admin as HardhatEthersSigner,
    keeper,
    stranger: keeper,
    verifier: keeper,
    modelOwner,
    routerNodes,
    domain,
  };
  return { ...f, h: new RouterHelper(f as never) };
}

describe("InferenceRouter attacks", function () {
  describe("griefing nodes through the router (unservable input)", function () {
    it("an unpublished input URI no longer gets the assigned nodes penalized: a node at the minimum stake stays active", async function () {
      const f = await loadFixture(noReassignmentFixture);
      const { router, staking, nodes, h } = f;
      await atMinimumStake(f);
      // The attack: a request naming a URI that was never published; nobody can serve it.
      const { id } = await h.request({ redundancy: 2n, inputHash: randomHash(), inputURI: "https://nowhere/x" });
      const assigned = await h.assigned(id);
      const stakes = await Promise.all(assigned.map((n) => staking.slashableStakeOf(n.address)));
      await h.passDeadline(id);
      expect(await router.state(id)).to.equal(RequestState.Unservable);
      await expect(router.refund(id)).to.not.emit(router, "NodePenalized");
      for (const [i, node] of assigned.entries()) {
        expect(await staking.slashableStakeOf(node.address)).to.equal(stakes[i]);
        expect(await nodes.isActive(node.address)).to.equal(true);
      }
    });

    it("an input URI withheld after a node's claim costs the consumer: claiming nodes are paid from its fee, nobody is penalized", async function () {
      const { router, staking, consumer, treasury, h } = await loadFixture(routerFixture);
      const fee = ethers.parseEther("1");
      const { id } = await h.request({ redundancy: 2n, fee, inputHash: randomHash(), inputURI: "https://nowhere/x" });
      const [a, b] = await h.assigned(id);
      const { responseTime } = await router.getRequest(id);
      const claimedAt = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(claimedAt);
      await expect(router.connect(a.operator).claimInputUnavailable(id))
        .to.emit(router, "InputClaimedUnavailable")
        .withArgs(id, a.address, false, claimedAt + responseTime);
      await router.connect(b.operator).claimInputUnavailable(id);
      expect((await router.getRequest(id)).publishBy).to.equal(claimedAt + responseTime);
      // The request waits for the publication past its deadline, then takes no more rounds.
      await h.passDeadline(id);
      expect(await router.state(id)).to.equal(RequestState.Pending);
      await time.increaseTo(claimedAt + responseTime);
      expect(await router.state(id)).to.equal(RequestState.Unservable);
      await expect(router.reassign(id))
        .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
        .withArgs(id, RequestState.Unservable, RequestState.Expired);

      const { pay, cut } = slotSplit(fee, 2n);
      const stakes = await Promise.all([a, b].map((n) => staking.slashableStakeOf(n.address)));
      const changes = await h.creditChanges(async () => {
        const tx = router.refund(id);
        await expect(tx).to.emit(router, "InputClaimCompensated").withArgs(id, a.address, pay);
        await expect(tx).to.emit(router, "InputClaimCompensated").withArgs(id, b.address, pay);
        await expect(tx)
          .to.emit(router, "RequestRefunded")
          .withArgs(id, consumer.address, fee - 2n * (pay + cut));
        await expect(tx).to.not.emit(router, "NodePenalized");
      }, [a.address, b.address, treasury.address, consumer.address]);
      expect(changes).to.deep.equal([pay, pay, 2n * cut, fee - 2n * (pay + cut)]);
      for (const [i, node] of [a, b].entries()) {
        expect(await staking.slashableStakeOf(node.address)).to.equal(stakes[i]);
      }
    });

    it("a published input answers the claim: every node gets a full response time again and a lazy one is penalized", async function () {
      const { router, staking, stranger, h } = await loadFixture(routerFixture);
      const input = ethers.hexlify(ethers.randomBytes(40));
      const { id } = await h.request({ inputHash: ethers.keccak256(input), input: "0x" });
      const [lazy] = await h.assigned(id);
      const { responseTime } = await router.getRequest(id);
      await router.connect(lazy.operator).claimInputUnavailable(id);
      const publishedAt = BigInt(await time.latest()) + 100n;
      await time.setNextBlockTimestamp(publishedAt);
      const tx = router.connect(stranger).publishInput(id, input);
      await expect(tx).to.emit(router, "InputPublished").withArgs(id, stranger.address, input);
      await expect(tx)
        .to.emit(router, "RequestDeadlineExtended")
        .withArgs(id, publishedAt + responseTime);
      expect((await router.getAssignments(id))[0].inputClaimed).to.equal(false);
      await time.increaseTo(publishedAt + responseTime);
      const stake = await staking.slashableStakeOf(lazy.address);
      await expect(router.reassign(id))
        .to.emit(router, "NodePenalized")
        .withArgs(id, lazy.address, LIVENESS_PENALTY, LIVENESS_PENALTY);
      expect(await staking.slashableStakeOf(lazy.address)).to.equal(stake - LIVENESS_PENALTY);
    });

    it("a lazy node with the input on chain is still penalized, and its claim to be unable to run it only excuses it", async function () {
      const { router, staking, h } = await loadFixture(routerFixture);
      const { id, tx } = await h.request({ redundancy: 2n });
      await expect(tx).to.emit(router, "InputPublished");
      expect((await router.getRequest(id)).inputOnChain).to.equal(true);
      const [lazy, declining] = await h.assigned(id);
      await expect(router.connect(declining.operator).claimInputUnavailable(id))
        .to.emit(router, "InputClaimedUnavailable")
        .withArgs(id, declining.address, true, 0n);
      await h.passDeadline(id);
      const stakes = await Promise.all([lazy, declining].map((n) => staking.slashableStakeOf(n.address)));
      const reassigned = router.reassign(id);
      await expect(reassigned)
        .to.emit(router, "NodePenalized")
        .withArgs(id, lazy.address, LIVENESS_PENALTY, LIVENESS_PENALTY);
      expect(await staking.slashableStakeOf(lazy.address)).to.equal(stakes[0] - LIVENESS_PENALTY);
      expect(await staking.slashableStakeOf(declining.address)).to.equal(stakes[1]);
    });

    describe("reverts", function () {
      it("a claim by a node not assigned, a second claim, and a claim once the request is no longer pending", async function () {
        const { router, h, routerNodes } = await loadFixture(routerFixture);
        const { id } = await h.request({ inputHash: randomHash() });
        const [assigned] = await h.assigned(id);
        const outsider = routerNodes.find((n) => n.address !== assigned.address)!;
        await expect(router.connect(outsider.operator).claimInputUnavailable(id))
          .to.be.revertedWithCustomError(router, "RouterNodeNotAssigned")
          .withArgs(id, outsider.address);
        await router.connect(assigned.operator).claimInputUnavailable(id);
        await expect(router.connect(assigned.operator).claimInputUnavailable(id))
          .to.be.revertedWithCustomError(router, "RouterInputAlreadyClaimed")
          .withArgs(id, assigned.address);
        await time.increaseTo((await router.getRequest(id)).publishBy);
        await expect(router.connect(assigned.operator).claimInputUnavailable(id))
          .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
          .withArgs(id, RequestState.Unservable, RequestState.Pending);
      });

      it("a claim by a node that already fulfilled its slot", async function () {
        const { router, h } = await loadFixture(routerFixture);
        const { id } = await h.request({ redundancy: 2n });
        const [done] = await h.assigned(id);
        await h.fulfill(id, done);
        await expect(router.connect(done.operator).claimInputUnavailable(id))
          .to.be.revertedWithCustomError(router, "RouterAlreadyFulfilled")
          .withArgs(id, done.address);
      });

      it("a publication of other bytes, a second publication, or one after the request stopped being pending", async function () {
        const { router, h } = await loadFixture(routerFixture);
        const input = ethers.hexlify(ethers.randomBytes(40));
        const { id } = await h.request({ inputHash: ethers.keccak256(input), input: "0x" });
        const other = ethers.hexlify(ethers.randomBytes(40));
        await expect(router.publishInput(id, other))
          .to.be.revertedWithCustomError(router, "RouterInputHashMismatch")
          .withArgs(ethers.keccak256(input), ethers.keccak256(other));
        await router.publishInput(id, input);
        await expect(router.publishInput(id, input))
          .to.be.revertedWithCustomError(router, "RouterInputOnChain")
          .withArgs(id);
        const { id: late } = await h.request({ inputHash: ethers.keccak256(input), input: "0x" });
        await h.passDeadline(late);
        await expect(router.publishInput(late, input))
          .to.be.revertedWithCustomError(router, "RouterUnexpectedState")
          .withArgs(late, RequestState.Expired, RequestState.Pending);
      });

      it("a request whose input on chain does not hash to its input hash, or is too long", async function () {
        const { router, consumer, h } = await loadFixture(routerFixture);
        const input = ethers.hexlify(ethers.randomBytes(40));
        const wrongHash = randomHash();
        await expect(router.connect(consumer).request(await h.params({ input, inputHash: wrongHash })))
          .to.be.revertedWithCustomError(router, "RouterInputHashMismatch")
          .withArgs(wrongHash, ethers.keccak256(input));
        const long = ethers.hexlify(ethers.randomBytes(16_385));
        await expect(
          router.connect(consumer).request(await h.params({ input: long, inputHash: ethers.keccak256(long) })),
        )
          .to.be.revertedWithCustomError(router, "RouterInputTooLong")
          .withArgs(16_385n, 16_384n);
      });
    });
  });

  describe("unbounded strings", function () {
    it("caps inputURI at 512 bytes with a named error", async function () {
      const { router, consumer, h } = await loadFixture(routerFixture);
      expect(await router.MAX_INPUT_URI_LENGTH()).to.equal(512n);
      await expect(router.connect(consumer).request(await h.params({ inputURI: "x".repeat(512) }))).to.emit(
        router,
        "RequestCreated",
      );
      await expect(router.connect(consumer).request(await h.params({ inputURI: "x".repeat(513) })))
        .to.be.revertedWithCustomError(router, "RouterInputURITooLong")
        .withArgs(513n, 512n);
    });
  });

  describe("disagreeing fulfilments (a wrong first fulfilment, an honest second)", function () {
    it("the wrong first one is disputed and never paid; the honest one is paid once its dispute resolves", async function () {
      const { router, disputes, attestations, stranger, consumer, h } = await loadFixture(routerFixture);
      const fee = ethers.parseEther("1");
      const { id } = await h.request({ redundancy: 2n, fee });
      const [liar, honest] = await h.assigned(id);
      const wrong = await h.fulfill(id, liar);
      const right = await h.attest(await h.receiptFor(id, honest));
      await expect(h.fulfillWith(id, right))
        .to.emit(disputes, "RouterDisputeOpened")
        .withArgs(right.receiptHash, ethers.ZeroHash, honest.address, wrong.receipt.outputHash);
      // The other side of the disagreement goes under judgment too.
      await expect(router.connect(stranger).disputeFulfillment(id, wrong.receipt, wrong.batchId, wrong.proof))
        .to.emit(disputes, "RouterDisputeOpened")
        .withArgs(wrong.receiptHash, ethers.ZeroHash, liar.address, right.receipt.outputHash);
      expect(await attestations.receiptState(wrong.receiptHash)).to.equal(ReceiptState.Disputed);
      await disputes.resolve(wrong.receiptHash, true);
      await h.passWindows(id);
      expect(await router.state(id)).to.equal(RequestState.Verifying);
      await disputes.resolve(right.receiptHash, false);
      const { pay, cut } = slotSplit(fee, 2n);
      const changes = await h.creditChanges(async () => {
        await expect(router.settle(id))
          .to.emit(router, "RequestSettled")
          .withArgs(id, honest.address, right.receipt.outputHash, pay, cut, fee - pay - cut);
      }, [liar.address, honest.address, consumer.address]);
      expect(changes).to.deep.equal([0n, pay, fee - pay - cut]);
    });

    it("a wrong first fulfilment nobody disputed is not paid once the honest one contradicting it is upheld", async function () {
      const { router, disputes, consumer, h } = await loadFixture(routerFixture);
      const fee = ethers.parseEther("1");
      const { id } = await h.request({ redundancy: 2n, fee });
      const [liar, honest] = await h.assigned(id);
      await h.fulfill(id, liar);
      const right = await h.fulfill(id, honest);
      await disputes.resolve(right.receiptHash, false);
      await h.passWindows(id);
      const { pay, cut } = slotSplit(fee, 2n);
      const changes = await h.creditChanges(() => router.settle(id), [liar.address, honest.address, consumer.address]);
      expect(changes).to.deep.equal([0n, pay, fee - pay - cut]);
    });

    it("an honest first fulfilment is paid when the disagreeing second is rejected", async function () {
      const { router, disputes, h } = await loadFixture(routerFixture);
      const fee = ethers.parseEther("1");
      const { id } = await h.request({ redundancy: 3n, fee });
      const [a, b, c] = await h.assigned(id);
      const output = randomHash();
      await h.fulfill(id, a, output);
      const liar = await h.fulfill(id, b);
      const third = await h.fulfill(id, c, output);
      await disputes.resolve(liar.receiptHash, true);
      await disputes.resolve(third.receiptHash, false);
      await h.passWindows(id);
      const { pay } = slotSplit(fee, 3n);
      expect(await h.creditChanges(() => router.settle(id), [a.address, b.address, c.address])).to.deep.equal([
        pay,
        0n,
        pay,
      ]);
    });
  });

  describe("pushed payments", function () {
    it("a consumer that refuses tokens can't block settlement: every party is credited and claims on its own", async function () {
      const { router, token, consumerContract, treasury, h } = await loadFixture(hookedRouterFixture);
      const consumerAddress = await consumerContract.getAddress();
      const fee = MIN_FEE_PER_NODE * 3n; // leaves a refund for the consumer
      const { id } = await h.requestFromContract({ fee });
      const [node] = await h.assigned(id);
      await h.fulfillAll(id);
      await h.passWindows(id);
      // The consumer (and the node) now refuse any token sent to them.
      await token.setHooked(consumerAddress, true);
      await token.setHooked(node.address, true);
      const { pay, cut } = slotSplit(fee, 1n);
      await expect(router.settle(id))
        .to.emit(router, "RequestSettled")
        .withArgs(id, node.address, anyHash(), pay, cut, 0n);
      expect(await router.state(id)).to.equal(RequestState.Settled);
      expect(await router.claimableOf(node.address)).to.equal(pay);
      expect(await router.claimableOf(treasury.address)).to.equal(cut);
      // The node claims to an address of its choice; its own refusal only blocks its own claim.
      await expect(router.connect(node.operator).claim(node.address)).to.be.reverted;
      const payee = ethers.Wallet.createRandom().address;
      await expect(router.connect(node.operator).claim(payee))
        .to.emit(router, "CreditClaimed")
        .withArgs(node.address, payee, pay);
      expect(await token.balanceOf(payee)).to.equal(pay);
    });

    it("a consumer that refuses tokens can't block its refund either", async function () {
      const { router, token, consumerContract, h } = await loadFixture(hookedRouterFixture);
      await router.connect(h.f.admin).setMaxReassignments(0);
      const consumerAddress = await consumerContract.getAddress();
      const fee = MIN_FEE_PER_NODE * 2n;
      const { id } = await h.requestFromContract({ fee, redundancy: 2n });
      await h.passDeadline(id);
      await token.setHooked(consumerAddress, true);
      await expect(router.refund(id)).to.emit(router, "RequestRefunded").withArgs(id, consumerAddress, fee);
      expect(await router.claimableOf(consumerAddress)).to.equal(fee);
    });

    shouldBehaveLikePullCredits(async () => {
      const { router, token, treasury, h } = await loadFixture(hookedRouterFixture);
      const { id } = await h.requestFromContract({ fee: MIN_FEE_PER_NODE * 3n });
      await h.fulfillAll(id);
      await h.passWindows(id);
      await router.settle(id);
      const stranger = (await ethers.getSigners())[12]!;
      return { credits: router, token, creditor: treasury, stranger };
    });

    describe("claim reverts", function () {
      it("with nothing to claim, or to the zero address", async function () {
        const { router, stranger } = await loadFixture(routerFixture);
        await expect(router.connect(stranger).claim(stranger.address))
          .to.be.revertedWithCustomError(router, "PullCreditsNothingToClaim")
          .withArgs(stranger.address);
        await expect(router.connect(stranger).claim(ethers.ZeroAddress)).to.be.revertedWithCustomError(
          router,
          "PullCreditsZeroRecipient",
        );
      });
    });
  });
});

/** Any output hash (the test fixes none). */
function anyHash() {
  return (value: unknown) => typeof value === "string" && /^0x[0-9a-f]{64}$/i.test(value);
}
