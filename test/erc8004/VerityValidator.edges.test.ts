import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { VerityValidator } from "../../typechain-types";
import { Answer, ValidatorHelper, deployValidatorFixture } from "../fixtures/erc8004";
import { randomHash } from "../helpers/receipts";

/** The validator's edges not reached through the reference-like test registry. */
describe("VerityValidator edges", function () {
  it("treats a request a zero-answering registry reports as empty (validator zero) as unknown, like a reverting one", async function () {
    const f = await loadFixture(deployValidatorFixture);
    const mock = await ethers.deployContract("ZeroStatusValidationRegistryMock");
    const validator = (await ethers.deployContract("VerityValidator", [
      await f.attestation.getAddress(),
      await mock.getAddress(),
    ])) as unknown as VerityValidator;
    const ref = await new ValidatorHelper(f).single();
    const requestHash = randomHash();
    await expect(validator.update(requestHash, ref.receipt, ref.batchId, ref.proof, randomHash()))
      .to.be.revertedWithCustomError(validator, "ValidatorUnknownRequest")
      .withArgs(requestHash);
    // its view of the receipt itself is unaffected by the registry
    expect(await validator.currentAnswer(ref.receipt, ref.batchId, ref.proof)).to.equal(Answer.Soft);
    expect(await validator.answerOf(requestHash)).to.equal(Answer.None);
  });

  it("maps None to no response (0, empty tag)", async function () {
    const f = await loadFixture(deployValidatorFixture);
    const [response, tag] = await f.validator.responseOf(Answer.None);
    expect([response, tag]).to.deep.equal([0n, ""]);
  });
});
