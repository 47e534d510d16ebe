import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { deployVerity } from "../../deploy/deployVerity";

describe("deployVerity: the ERC-8004 validator", function () {
  it("on a local chain, deploys test ERC-8004 registries and the validator answering into them", async function () {
    const record = await deployVerity(hre, { writeFile: false });
    const { verityValidator, validationRegistry, identityRegistry, attestationRegistry } = record.contracts;
    const validator = await ethers.getContractAt("VerityValidator", verityValidator!);
    expect(await validator.attestationRegistry()).to.equal(attestationRegistry);
    expect(await validator.validationRegistry()).to.equal(validationRegistry);
    const registry = await ethers.getContractAt("ValidationRegistryForTests", validationRegistry!);
    expect(await registry.getIdentityRegistry()).to.equal(identityRegistry);
  });

  it("answers into the Validation Registry it is given, deploying no test registry", async function () {
    const identity = await ethers.deployContract("IdentityRegistryForTests");
    const existing = await ethers.deployContract("ValidationRegistryForTests", [await identity.getAddress()]);
    const record = await deployVerity(hre, { writeFile: false, validationRegistry: await existing.getAddress() });
    expect(record.contracts.validationRegistry).to.equal(await existing.getAddress());
    expect(record.contracts.identityRegistry).to.equal(undefined);
    const validator = await ethers.getContractAt("VerityValidator", record.contracts.verityValidator!);
    expect(await validator.validationRegistry()).to.equal(await existing.getAddress());
    expect(await validator.attestationRegistry()).to.equal(record.contracts.attestationRegistry);
  });
});
