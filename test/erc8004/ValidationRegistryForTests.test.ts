import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { IdentityRegistryForTests, ValidationRegistryForTests } from "../../typechain-types";
import { randomHash } from "../helpers/receipts";

/** The test Validation Registry alone, with two agents: 0 owned by `owner`, 1 owned by `other`. */
async function deployRegistryFixture() {
  const [owner, other, operator, validatorA, validatorB, stranger] = await ethers.getSigners();
  const identity = (await ethers.deployContract("IdentityRegistryForTests")) as unknown as IdentityRegistryForTests;
  const registry = (await ethers.deployContract("ValidationRegistryForTests", [
    await identity.getAddress(),
  ])) as unknown as ValidationRegistryForTests;
  await identity.connect(owner).register("ipfs://agent-0");
  await identity.connect(other).register("ipfs://agent-1");
  return { identity, registry, owner, other, operator, validatorA, validatorB, stranger };
}

describe("ValidationRegistryForTests (ERC-8004 reference v2.0.0 behaviour)", function () {
  it("records a request by the agent's owner or operator, and lists it by agent and validator", async function () {
    const f = await loadFixture(deployRegistryFixture);
    const [first, second] = [randomHash(), randomHash()];
    await expect(f.registry.connect(f.owner).validationRequest(f.validatorA.address, 0n, "ipfs://req", first))
      .to.emit(f.registry, "ValidationRequest")
      .withArgs(f.validatorA.address, 0n, "ipfs://req", first);
    await f.identity.connect(f.owner).setApprovalForAll(f.operator.address, true);
    await f.registry.connect(f.operator).validationRequest(f.validatorB.address, 0n, "", second);
    expect(await f.registry.getAgentValidations(0n)).to.deep.equal([first, second]);
    expect(await f.registry.getValidatorRequests(f.validatorA.address)).to.deep.equal([first]);
    expect(await f.registry.getIdentityRegistry()).to.equal(await f.identity.getAddress());
    const status = await f.registry.getValidationStatus(first);
    expect([status.validatorAddress, status.agentId, status.response, status.tag]).to.deep.equal([
      f.validatorA.address,
      0n,
      0n,
      "",
    ]);
  });

  it("lets only the request's validator answer, as often as it likes, with at most 100", async function () {
    const f = await loadFixture(deployRegistryFixture);
    const hash = randomHash();
    await f.registry.connect(f.owner).validationRequest(f.validatorA.address, 0n, "", hash);
    await expect(f.registry.connect(f.validatorB).validationResponse(hash, 100, "", ethers.ZeroHash, "soft"))
      .to.be.revertedWithCustomError(f.registry, "ValidationNotValidator")
      .withArgs(hash, f.validatorB.address, f.validatorA.address);
    await expect(f.registry.connect(f.validatorA).validationResponse(hash, 101, "", ethers.ZeroHash, ""))
      .to.be.revertedWithCustomError(f.registry, "ValidationResponseOutOfRange")
      .withArgs(101);
    const evidence = randomHash();
    await f.registry.connect(f.validatorA).validationResponse(hash, 100, "", ethers.ZeroHash, "soft");
    await expect(f.registry.connect(f.validatorA).validationResponse(hash, 40, "ipfs://why", evidence, "final"))
      .to.emit(f.registry, "ValidationResponse")
      .withArgs(f.validatorA.address, 0n, hash, 40, "ipfs://why", evidence, "final");
    const status = await f.registry.getValidationStatus(hash);
    expect([status.response, status.responseHash, status.tag]).to.deep.equal([40n, evidence, "final"]);
  });

  it("averages answered requests, filtered by validators and tag", async function () {
    const f = await loadFixture(deployRegistryFixture);
    const hashes = [randomHash(), randomHash(), randomHash(), randomHash()];
    const validators = [f.validatorA, f.validatorA, f.validatorB, f.validatorB];
    for (let i = 0; i < 4; ++i) {
      await f.registry.connect(f.owner).validationRequest(validators[i].address, 0n, "", hashes[i]);
    }
    await f.registry.connect(f.validatorA).validationResponse(hashes[0], 100, "", ethers.ZeroHash, "final");
    await f.registry.connect(f.validatorA).validationResponse(hashes[1], 0, "", ethers.ZeroHash, "rejected");
    await f.registry.connect(f.validatorB).validationResponse(hashes[2], 51, "", ethers.ZeroHash, "final");
    // hashes[3] is unanswered and counts nowhere.
    expect(await f.registry.getSummary(0n, [], "")).to.deep.equal([3n, 50n]);
    expect(await f.registry.getSummary(0n, [f.validatorA.address], "")).to.deep.equal([2n, 50n]);
    expect(await f.registry.getSummary(0n, [], "final")).to.deep.equal([2n, 75n]);
    expect(await f.registry.getSummary(0n, [f.validatorB.address], "rejected")).to.deep.equal([0n, 0n]);
    expect(await f.registry.getSummary(1n, [], "")).to.deep.equal([0n, 0n]);
  });

  describe("reverts", function () {
    it("for a request by anyone but the agent's owner or operator", async function () {
      const f = await loadFixture(deployRegistryFixture);
      await expect(f.registry.connect(f.stranger).validationRequest(f.validatorA.address, 0n, "", randomHash()))
        .to.be.revertedWithCustomError(f.registry, "ValidationNotAuthorized")
        .withArgs(0n, f.stranger.address);
    });

    it("for a zero validator or a request hash already requested (by any agent)", async function () {
      const f = await loadFixture(deployRegistryFixture);
      const hash = randomHash();
      await expect(
        f.registry.connect(f.owner).validationRequest(ethers.ZeroAddress, 0n, "", hash),
      ).to.be.revertedWithCustomError(f.registry, "ValidationZeroAddress");
      await f.registry.connect(f.owner).validationRequest(f.validatorA.address, 0n, "", hash);
      await expect(f.registry.connect(f.other).validationRequest(f.validatorB.address, 1n, "", hash))
        .to.be.revertedWithCustomError(f.registry, "ValidationRequestExists")
        .withArgs(hash);
    });

    it("for the status of, or an answer to, an unknown request", async function () {
      const f = await loadFixture(deployRegistryFixture);
      const hash = randomHash();
      await expect(f.registry.getValidationStatus(hash))
        .to.be.revertedWithCustomError(f.registry, "ValidationUnknownRequest")
        .withArgs(hash);
      await expect(f.registry.connect(f.validatorA).validationResponse(hash, 1, "", ethers.ZeroHash, ""))
        .to.be.revertedWithCustomError(f.registry, "ValidationUnknownRequest")
        .withArgs(hash);
    });
  });
});
