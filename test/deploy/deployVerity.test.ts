import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre, { ethers } from "hardhat";
import { deployVerity } from "../../deploy/deployVerity";
import { readDeploymentFile } from "../../src/chain/deployment";

describe("deployVerity", function () {
  it("deploys, wires and records the system, handing the admin roles over", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-deploy-"));
    const [deployer, admin, treasury] = await ethers.getSigners();
    const options = {
      deploymentsDir: dir,
      admin: admin.address,
      treasury: treasury.address,
      minimumStake: 5n,
      unbondingPeriod: 3600n,
      challengeWindow: 600n,
    };
    const record = await deployVerity(hre, options);
    expect(readDeploymentFile(path.join(dir, "hardhat.json"))).to.deep.equal(record);
    expect(record.chainId).to.equal(31337);

    const staking = await ethers.getContractAt("Staking", record.contracts.staking!);
    const nodeRegistry = await ethers.getContractAt("NodeRegistry", record.contracts.nodeRegistry!);
    const attestation = await ethers.getContractAt("AttestationRegistry", record.contracts.attestationRegistry!);
    expect(await staking.token()).to.equal(record.contracts.token);
    expect(await staking.stakeObserver()).to.equal(record.contracts.nodeRegistry);
    expect(await nodeRegistry.nodeObserver()).to.equal(record.contracts.attestationRegistry);
    const modelRegistry = await ethers.getContractAt("ModelRegistry", record.contracts.modelRegistry!);
    expect(await modelRegistry.modelObserver()).to.equal(record.contracts.attestationRegistry);
    expect(await staking.minimumStake()).to.equal(5n);
    expect(await staking.unbondingPeriod()).to.equal(3600n);
    expect(await staking.treasury()).to.equal(treasury.address);
    expect(await attestation.challengeWindow()).to.equal(600n);
    const disputeManager = await ethers.getContractAt("DisputeManager", record.contracts.disputeManager!);
    const disputeRole = await staking.DISPUTE_ROLE();
    for (const holder of ["disputeManager", "equivocationSlasher", "dataAvailabilityManager", "fraudGame"] as const) {
      expect(await staking.hasRole(disputeRole, record.contracts[holder]!)).to.equal(true);
      expect(await nodeRegistry.hasRole(disputeRole, record.contracts[holder]!)).to.equal(true);
    }
    expect(await attestation.hasRole(disputeRole, record.contracts.disputeManager!)).to.equal(true);
    expect(await attestation.hasRole(disputeRole, record.contracts.fraudGame!)).to.equal(true);
    // Receipts the fraud game can decide are disputed only there (not by the committee).
    expect(await attestation.fraudJudge()).to.equal(record.contracts.fraudGame);
    const fraudGame = await ethers.getContractAt("FraudGame", record.contracts.fraudGame!);
    expect(await fraudGame.hasRole(await fraudGame.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
    expect(await fraudGame.hasRole(await fraudGame.DEFAULT_ADMIN_ROLE(), deployer.address)).to.equal(false);
    expect(await staking.hasRole(disputeRole, record.contracts.inferenceRouter!)).to.equal(true);
    const routerRole = await disputeManager.ROUTER_ROLE();
    expect(await disputeManager.hasRole(routerRole, record.contracts.inferenceRouter!)).to.equal(true);
    for (const contract of [staking, nodeRegistry, attestation, disputeManager]) {
      const role = await contract.DEFAULT_ADMIN_ROLE();
      expect(await contract.hasRole(role, admin.address)).to.equal(true);
      expect(await contract.hasRole(role, deployer.address)).to.equal(false);
    }
  });
});
