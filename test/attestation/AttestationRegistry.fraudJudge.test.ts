import { expect } from "chai";
import { ethers } from "hardhat";
import { deployAnotherFraudGame } from "../fixtures/fraudGame";
import { setupFraudJudge } from "../fixtures/fraudJudge";
import { ReceiptState } from "../fixtures/dispute";

describe("AttestationRegistry: the fraud judge", function () {
  this.timeout(120_000);

  it("is the FraudGame in the Ignition deployment", async function () {
    const f = await setupFraudJudge();
    expect(await f.attestation.fraudJudge()).to.equal(await f.game.getAddress());
  });

  describe("setFraudJudge", function () {
    it("is admin only", async function () {
      const f = await setupFraudJudge();
      await expect(f.attestation.connect(f.stranger).setFraudJudge(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.attestation, "AccessControlUnauthorizedAccount")
        .withArgs(f.stranger.address, await f.attestation.DEFAULT_ADMIN_ROLE());
    });

    it("takes zero (no fraud judge: every holder of DISPUTE_ROLE disputes every receipt, as before) and back", async function () {
      const f = await setupFraudJudge();
      const gameAddress = await f.game.getAddress();
      await expect(f.attestation.setFraudJudge(ethers.ZeroAddress))
        .to.emit(f.attestation, "FraudJudgeSet")
        .withArgs(gameAddress, ethers.ZeroAddress);
      expect(await f.attestation.fraudJudge()).to.equal(ethers.ZeroAddress);
      expect(await f.attestation.fraudJudgeOf(f.commitment.modelId)).to.equal(ethers.ZeroAddress);
      const receipt = await f.attest(f.input, f.wrongRun());
      await f.disputes
        .connect(f.challenger2)
        .challenge(receipt, ethers.ZeroHash, [], ethers.id("another output"), f.challenger2.address, 2n ** 255n);
      expect(await f.attestation.receiptState(f.hashReceipt(receipt))).to.equal(ReceiptState.Disputed);

      await expect(f.attestation.setFraudJudge(gameAddress))
        .to.emit(f.attestation, "FraudJudgeSet")
        .withArgs(ethers.ZeroAddress, gameAddress);
      expect(await f.attestation.fraudJudgeOf(f.commitment.modelId)).to.equal(gameAddress);
    });

    describe("reverts", function () {
      it("for an account that is not a contract answering isFraudProvable", async function () {
        const f = await setupFraudJudge();
        for (const judge of [f.stranger.address, await f.token.getAddress()]) {
          await expect(f.attestation.setFraudJudge(judge))
            .to.be.revertedWithCustomError(f.attestation, "AttestationFraudJudgeNotAJudge")
            .withArgs(judge);
        }
      });

      it("for a judge without DISPUTE_ROLE, and accepts it once granted", async function () {
        const f = await setupFraudJudge();
        const second = await deployAnotherFraudGame(f, f.deployer.address);
        const address = await second.getAddress();
        await expect(f.attestation.setFraudJudge(address))
          .to.be.revertedWithCustomError(f.attestation, "AttestationFraudJudgeWithoutRole")
          .withArgs(address);
        await f.attestation.grantRole(await f.attestation.DISPUTE_ROLE(), address);
        await expect(f.attestation.setFraudJudge(address))
          .to.emit(f.attestation, "FraudJudgeSet")
          .withArgs(await f.game.getAddress(), address);
      });
    });
  });

  describe("DISPUTE_ROLE of the fraud judge", function () {
    it("can't be revoked while it is the judge; can once the judge changed", async function () {
      const f = await setupFraudJudge();
      const role = await f.attestation.DISPUTE_ROLE();
      const gameAddress = await f.game.getAddress();
      await expect(f.attestation.revokeRole(role, gameAddress))
        .to.be.revertedWithCustomError(f.attestation, "AttestationFraudJudgeWithoutRole")
        .withArgs(gameAddress);
      // Other holders and other roles are revoked as usual.
      await expect(f.attestation.revokeRole(role, await f.disputes.getAddress())).to.emit(f.attestation, "RoleRevoked");
      await f.attestation.setFraudJudge(ethers.ZeroAddress);
      await expect(f.attestation.revokeRole(role, gameAddress)).to.emit(f.attestation, "RoleRevoked");
      expect(await f.attestation.hasRole(role, gameAddress)).to.equal(false);
    });
  });
});
