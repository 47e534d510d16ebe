import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

async function deployTokenFixture() {
  const [owner, holder, spender, other] = await ethers.getSigners();
  const token = await ethers.deployContract("VerityTestToken", [owner.address]);
  return { token, owner, holder, spender, other };
}

describe("VerityTestToken", function () {
  it("has the Verity test token name, symbol and 18 decimals", async function () {
    const { token, owner } = await loadFixture(deployTokenFixture);
    expect(await token.name()).to.equal("Verity Test Token");
    expect(await token.symbol()).to.equal("VRTT");
    expect(await token.decimals()).to.equal(18n);
    expect(await token.owner()).to.equal(owner.address);
    expect(await token.totalSupply()).to.equal(0n);
  });

  describe("mint", function () {
    it("lets the owner mint to anyone", async function () {
      const { token, holder } = await loadFixture(deployTokenFixture);
      await expect(token.mint(holder.address, 5n))
        .to.emit(token, "Transfer")
        .withArgs(ethers.ZeroAddress, holder.address, 5n);
      expect(await token.balanceOf(holder.address)).to.equal(5n);
      expect(await token.totalSupply()).to.equal(5n);
    });

    it("reverts for anyone but the owner", async function () {
      const { token, other } = await loadFixture(deployTokenFixture);
      await expect(token.connect(other).mint(other.address, 5n))
        .to.be.revertedWithCustomError(token, "OwnableUnauthorizedAccount")
        .withArgs(other.address);
    });
  });

  describe("permit", function () {
    it("sets an allowance from an EIP-712 signature", async function () {
      const { token, holder, spender } = await loadFixture(deployTokenFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const { chainId } = await ethers.provider.getNetwork();
      const domain = {
        name: "Verity Test Token",
        version: "1",
        chainId,
        verifyingContract: await token.getAddress(),
      };
      const types = {
        Permit: [
          { name: "owner", type: "address" },
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      };
      const value = 42n;
      const signature = await holder.signTypedData(domain, types, {
        owner: holder.address,
        spender: spender.address,
        value,
        nonce: 0n,
        deadline,
      });
      const { v, r, s } = ethers.Signature.from(signature);
      await expect(token.permit(holder.address, spender.address, value, deadline, v, r, s))
        .to.emit(token, "Approval")
        .withArgs(holder.address, spender.address, value);
      expect(await token.allowance(holder.address, spender.address)).to.equal(value);
      expect(await token.nonces(holder.address)).to.equal(1n);
      await expect(token.permit(holder.address, spender.address, value, deadline, v, r, s))
        .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
        .withArgs((signer: string) => signer !== holder.address, holder.address);
    });
  });
});
