import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { deployVerity } from "../../deploy/deployVerity";

// The local-chain case (test ERC-8004 registries deployed too) runs through deploy/deploy.ts in
// test/erc8004/validator.e2e.test.ts.
describe("deployVerity: the ERC-8004 validator", function () {
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
