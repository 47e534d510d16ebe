import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Hex } from "viem";
import { ReceiptState, Verdict } from "../fixtures/dispute";
import { Answer, RESPONSES, ValidatorHelper, deployValidatorFixture } from "../fixtures/erc8004";
import type { FiledRequest, ValidatorSystem } from "../fixtures/erc8004";
import { hashReceipt, makeReceipt, randomHash } from "../helpers/receipts";
import { VALIDATION_REQUEST_TYPEHASH, getValidationRequestHash } from "../../src/protocol";

async function setup() {
  const f = await loadFixture(deployValidatorFixture);
  return { ...f, v: new ValidatorHelper(f) };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** Expects `update` of `request` to move its answer from `previous` to `answer`, in the validator and the registry. */
async function expectPushed(f: Setup, request: FiledRequest, previous: Answer, answer: Answer) {
  const receiptHash = hashReceipt(request.receipt);
  const { response, tag } = RESPONSES[answer];
  await expect(f.v.update(request))
    .to.emit(f.validator, "AnswerUpdated")
    .withArgs(request.requestHash, receiptHash, f.pusher.address, previous, answer)
    .and.to.emit(f.registry, "ValidationResponse")
    .withArgs(await f.validator.getAddress(), f.agentId, request.requestHash, response, "", receiptHash, tag);
  expect(await f.validator.answerOf(request.requestHash)).to.equal(answer);
  const status = await f.registry.getValidationStatus(request.requestHash);
  expect([status.response, status.responseHash, status.tag]).to.deep.equal([response, receiptHash, tag]);
}

/** Drives a committee dispute on `request`'s receipt to a verdict by all three members. */
async function decide(f: Setup, request: FiledRequest, verdict: Verdict) {
  const id = await f.v.challenge(request);
  await f.v.disputes.draw(id);
  await f.v.disputes.vote(id, [verdict, verdict, verdict]);
  await f.manager.resolve(id);
  return id;
}

/** The window end of a receipt attested singly. */
async function windowEndOf(f: ValidatorSystem, request: FiledRequest): Promise<bigint> {
  return (await f.attestation.getReceipt(request.receipt)).windowEnd;
}

describe("VerityValidator", function () {
  describe("deployment", function () {
    it("reverts with a zero attestation registry or Validation Registry", async function () {
      const f = await setup();
      const factory = await ethers.getContractFactory("VerityValidator");
      for (const args of [
        [ethers.ZeroAddress, await f.registry.getAddress()],
        [await f.attestation.getAddress(), ethers.ZeroAddress],
      ]) {
        await expect(factory.deploy(args[0], args[1])).to.be.revertedWithCustomError(factory, "ValidatorZeroAddress");
      }
    });

    it("names both registries and maps answers to the documented responses", async function () {
      const f = await setup();
      expect(await f.validator.attestationRegistry()).to.equal(await f.attestation.getAddress());
      expect(await f.validator.validationRegistry()).to.equal(await f.registry.getAddress());
      for (const answer of [Answer.None, Answer.Soft, Answer.Final, Answer.Rejected]) {
        const [response, tag] = await f.validator.responseOf(answer);
        expect({ response, tag }).to.deep.equal(RESPONSES[answer]);
      }
    });

    it("computes request hashes exactly as src/protocol does", async function () {
      const f = await setup();
      expect(await f.validator.REQUEST_TYPEHASH()).to.equal(VALIDATION_REQUEST_TYPEHASH);
      const { chainId } = await ethers.provider.getNetwork();
      const validator = (await f.validator.getAddress()) as Hex;
      for (let i = 0; i < 8; ++i) {
        const [agentId, receiptHash, salt] = [BigInt(i * 977), randomHash() as Hex, randomHash() as Hex];
        const batchId = (i % 2 === 0 ? ethers.ZeroHash : randomHash()) as Hex;
        expect(await f.validator.requestHashOf(agentId, receiptHash, batchId, salt)).to.equal(
          getValidationRequestHash({ chainId, validator, agentId, receiptHash, batchId, salt }),
        );
      }
    });
  });

  describe("for a receipt attested singly", function () {
    it("answers 100 'soft' once the receipt is attested", async function () {
      const f = await setup();
      const request = await f.v.request(await f.v.single());
      expect(await f.validator.answerOf(request.requestHash)).to.equal(Answer.None);
      await expectPushed(f, request, Answer.None, Answer.Soft);
    });

    it("moves soft → final at the exact end of the window, not a second before", async function () {
      const f = await setup();
      const request = await f.v.request(await f.v.single());
      await expectPushed(f, request, Answer.None, Answer.Soft);
      const windowEnd = await windowEndOf(f, request);
      await time.setNextBlockTimestamp(windowEnd - 1n);
      await expect(f.v.update(request))
        .to.be.revertedWithCustomError(f.validator, "ValidatorAnswerUnchanged")
        .withArgs(request.requestHash, Answer.Soft);
      await time.setNextBlockTimestamp(windowEnd);
      await expectPushed(f, request, Answer.Soft, Answer.Final);
      expect(await f.registry.getSummary(f.agentId, [await f.validator.getAddress()], "final")).to.deep.equal([
        1n,
        100n,
      ]);
    });

    it("answers final directly when nobody pushed soft, and final is terminal", async function () {
      const f = await setup();
      const request = await f.v.request(await f.v.single());
      await time.increaseTo(await windowEndOf(f, request));
      await expectPushed(f, request, Answer.None, Answer.Final);
      await time.increase(30n * 24n * 3600n);
      await expect(f.v.update(request))
        .to.be.revertedWithCustomError(f.validator, "ValidatorAnswerUnchanged")
        .withArgs(request.requestHash, Answer.Final);
    });
  });

  describe("for a batch leaf with its proof", function () {
    it("answers soft, then final after the batch's window", async function () {
      const f = await setup();
      const request = await f.v.request(await f.v.leaf(5, 3));
      await expectPushed(f, request, Answer.None, Answer.Soft);
      await time.increaseTo((await f.attestation.getBatch(request.batchId)).windowEnd);
      await expectPushed(f, request, Answer.Soft, Answer.Final);
    });
  });

  describe("when a dispute decides", function () {
    it("moves soft → 0 'rejected' once the committee finds the node wrong, and never back", async function () {
      const f = await setup();
      const request = await f.v.request(await f.v.single());
      await expectPushed(f, request, Answer.None, Answer.Soft);
      await decide(f, request, Verdict.NodeWrong);
      expect(await f.attestation.receiptState(hashReceipt(request.receipt))).to.equal(ReceiptState.Rejected);
      await expectPushed(f, request, Answer.Soft, Answer.Rejected);
      await time.increase(30n * 24n * 3600n);
      await expect(f.v.update(request))
        .to.be.revertedWithCustomError(f.validator, "ValidatorAnswerUnchanged")
        .withArgs(request.requestHash, Answer.Rejected);
      expect(await f.registry.getSummary(f.agentId, [], "")).to.deep.equal([1n, 0n]);
    });

    it("rejects a batch leaf the committee finds wrong", async function () {
      const f = await setup();
      const request = await f.v.request(await f.v.leaf(3, 2));
      await decide(f, request, Verdict.NodeWrong);
      await expectPushed(f, request, Answer.None, Answer.Rejected);
    });

    it("keeps soft while a dispute is open past the window, then final once the receipt is upheld", async function () {
      const f = await setup();
      const request = await f.v.request(await f.v.single());
      await expectPushed(f, request, Answer.None, Answer.Soft);
      const id = await f.v.challenge(request);
      await f.v.disputes.draw(id);
      await f.v.disputes.vote(id, [Verdict.NodeRight, Verdict.NodeRight, Verdict.NodeRight]);
      // The vote took longer than the window: the window has closed, the dispute is still open.
      expect(await time.latest()).to.be.greaterThan(await windowEndOf(f, request));
      expect(await f.validator.currentAnswer(request.receipt, request.batchId, request.proof)).to.equal(Answer.Soft);
      await expect(f.v.update(request))
        .to.be.revertedWithCustomError(f.validator, "ValidatorAnswerUnchanged")
        .withArgs(request.requestHash, Answer.Soft);
      await f.manager.resolve(id);
      await expectPushed(f, request, Answer.Soft, Answer.Final);
    });
  });

  describe("reverts", function () {
    it("for a request the registry does not hold", async function () {
      const f = await setup();
      const ref = await f.v.single();
      const unknown = { ...ref, requestHash: randomHash(), salt: randomHash() };
      await expect(f.v.update(unknown))
        .to.be.revertedWithCustomError(f.validator, "ValidatorUnknownRequest")
        .withArgs(unknown.requestHash);
    });

    it("for a request that names another validator", async function () {
      const f = await setup();
      const request = await f.v.request(await f.v.single(), f.stranger.address);
      await expect(f.v.update(request))
        .to.be.revertedWithCustomError(f.validator, "ValidatorWrongValidator")
        .withArgs(request.requestHash, f.stranger.address);
    });

    it("for a receipt, batch or salt other than the request's", async function () {
      const f = await setup();
      const request = await f.v.request(await f.v.single());
      const other = await f.v.single();
      const variants = [
        { ...request, receipt: other.receipt },
        { ...request, salt: randomHash() },
        { ...request, batchId: (await f.v.leaf(2, 0)).batchId },
      ];
      for (const variant of variants) {
        const expected = await f.v.requestHashOf(variant, variant.salt);
        await expect(f.v.update(variant))
          .to.be.revertedWithCustomError(f.validator, "ValidatorRequestMismatch")
          .withArgs(request.requestHash, expected);
      }
    });

    it("for a request about a receipt that does not exist (never attested, or in no batch of its node)", async function () {
      const f = await setup();
      const unattested = { receipt: makeReceipt(f.node.address, f.modelId), batchId: ethers.ZeroHash, proof: [] };
      const leaf = await f.v.leaf(4, 0);
      const cases = [
        unattested,
        { receipt: unattested.receipt, batchId: randomHash(), proof: [] },
        // a real batch, but of another node than the receipt names
        { receipt: makeReceipt(f.nodeB.address, f.modelId), batchId: leaf.batchId, proof: leaf.proof },
      ];
      for (const ref of cases) {
        const request = await f.v.request(ref);
        await expect(f.v.update(request))
          .to.be.revertedWithCustomError(f.validator, "ValidatorReceiptNotFound")
          .withArgs(hashReceipt(ref.receipt), ref.batchId);
        await expect(f.validator.currentAnswer(ref.receipt, ref.batchId, ref.proof)).to.be.revertedWithCustomError(
          f.validator,
          "ValidatorReceiptNotFound",
        );
      }
    });

    it("for a wrong proof: another leaf's, a truncated one, or any proof of a single receipt", async function () {
      const f = await setup();
      const leaf = await f.v.leaf(4, 1);
      const single = await f.v.single();
      const cases = [
        { ...leaf, proof: leaf.batch.proof(leaf.batch.receipts[2]) },
        { ...leaf, proof: leaf.proof.slice(1) },
        { ...single, proof: [randomHash()] },
      ];
      for (const ref of cases) {
        const request = await f.v.request(ref);
        await expect(f.v.update(request))
          .to.be.revertedWithCustomError(f.validator, "ValidatorWrongProof")
          .withArgs(hashReceipt(ref.receipt), ref.batchId);
      }
    });

    it("for a repeated response, leaving the registry's record as it was", async function () {
      const f = await setup();
      const request = await f.v.request(await f.v.single());
      await f.v.update(request);
      const before = await f.registry.getValidationStatus(request.requestHash);
      await expect(f.v.update(request))
        .to.be.revertedWithCustomError(f.validator, "ValidatorAnswerUnchanged")
        .withArgs(request.requestHash, Answer.Soft);
      expect(await f.registry.getValidationStatus(request.requestHash)).to.deep.equal(before);
    });
  });

  describe("against a front-running accomplice of the node", function () {
    it("its early soft push doesn't stop anyone from pushing the rejection, nor can it undo it", async function () {
      const f = await setup();
      const request = await f.v.request(await f.v.single());
      await f.v.update(request, f.accomplice);
      // The honest keeper's identical push is refused, without changing anything.
      await expect(f.v.update(request, f.keeper)).to.be.revertedWithCustomError(
        f.validator,
        "ValidatorAnswerUnchanged",
      );
      const id = await f.v.challenge(request);
      await f.v.disputes.draw(id);
      await f.v.disputes.vote(id, [Verdict.NodeWrong, Verdict.NodeWrong, Verdict.NodeWrong]);
      // Pushing while the dispute runs, even past the window, can't make the receipt final.
      expect(await time.latest()).to.be.greaterThan(await windowEndOf(f, request));
      await expect(f.v.update(request, f.accomplice))
        .to.be.revertedWithCustomError(f.validator, "ValidatorAnswerUnchanged")
        .withArgs(request.requestHash, Answer.Soft);
      await f.manager.resolve(id);
      await expectPushed(f, request, Answer.Soft, Answer.Rejected);
      await expect(f.v.update(request, f.accomplice))
        .to.be.revertedWithCustomError(f.validator, "ValidatorAnswerUnchanged")
        .withArgs(request.requestHash, Answer.Rejected);
    });

    it("can't answer in the registry itself, nor point the request at an honest receipt", async function () {
      const f = await setup();
      const request = await f.v.request(await f.v.single());
      await expect(
        f.registry.connect(f.accomplice).validationResponse(request.requestHash, 100, "", randomHash(), "final"),
      )
        .to.be.revertedWithCustomError(f.registry, "ValidationNotValidator")
        .withArgs(request.requestHash, f.accomplice.address, await f.validator.getAddress());
      const honest = await f.v.single();
      await time.increaseTo(await windowEndOf(f, { ...honest, requestHash: "", salt: "" }));
      await expect(
        f.validator.connect(f.accomplice).update(request.requestHash, honest.receipt, honest.batchId, [], request.salt),
      ).to.be.revertedWithCustomError(f.validator, "ValidatorRequestMismatch");
    });

    it("that copies an agent's request hash under its own agent makes it unanswerable, not answered", async function () {
      const f = await setup();
      const ref = await f.v.single();
      const salt = randomHash();
      const requestHash = await f.v.requestHashOf(ref, salt);
      await f.identity.connect(f.accomplice).register("https://accomplice.example/agent.json");
      const accompliceAgent = 1n;
      await f.registry
        .connect(f.accomplice)
        .validationRequest(await f.validator.getAddress(), accompliceAgent, "", requestHash);
      await expect(f.v.update({ ...ref, requestHash, salt }))
        .to.be.revertedWithCustomError(f.validator, "ValidatorRequestMismatch")
        .withArgs(requestHash, await f.v.requestHashOf(ref, salt, accompliceAgent));
      // The agent files again with a fresh salt and gets its answer.
      await expectPushed(f, await f.v.request(ref), Answer.None, Answer.Soft);
    });
  });
});
