import { expect } from "chai";
import { ethers } from "hardhat";
import type { Interface, Signer } from "ethers";

/** What the shared suite needs: a contract inheriting `PullCredits` with a credit made to `creditor`. */
export type PullCreditsContext = {
  /** The contract under test (any TypeChain contract inheriting `IPullCredits`). */
  credits: {
    claim(to: string): Promise<unknown>;
    claimableOf(account: string): Promise<bigint>;
    totalClaimable(): Promise<bigint>;
    connect(signer: Signer): PullCreditsContext["credits"];
    getAddress(): Promise<string>;
    interface: Interface;
  };
  /** The token credits are paid in. */
  token: { balanceOf(account: string): Promise<bigint> };
  /** An account holding a credit (and nothing else of the total, unless `others` says so). */
  creditor: Signer & { address: string };
  /** An account with no credit. */
  stranger: Signer & { address: string };
};

/**
 * The behaviour every contract inheriting `contracts/utils/PullCredits.sol` shares: `claim(to)` pays the caller's
 * whole credit to `to` once, with `CreditClaimed`, lowers `totalClaimable` by as much, and reverts with the named
 * errors of `IPullCredits` for a zero recipient and for nothing to claim. `setup` must return a fresh state (a
 * `loadFixture`) in which `creditor` holds a non-zero credit.
 */
export function shouldBehaveLikePullCredits(setup: () => Promise<PullCreditsContext>): void {
  describe("pull credits", function () {
    it("pays the whole credit to the named recipient once, and lowers the total by as much", async function () {
      const { credits, token, creditor } = await setup();
      const amount = await credits.claimableOf(creditor.address);
      expect(amount).to.be.greaterThan(0n);
      const total = await credits.totalClaimable();
      expect(total).to.be.greaterThanOrEqual(amount);
      const payee = ethers.Wallet.createRandom().address;
      await expect(credits.connect(creditor).claim(payee))
        .to.emit(credits, "CreditClaimed")
        .withArgs(creditor.address, payee, amount);
      expect(await token.balanceOf(payee)).to.equal(amount);
      expect(await credits.claimableOf(creditor.address)).to.equal(0n);
      expect(await credits.totalClaimable()).to.equal(total - amount);
      expect(await token.balanceOf(await credits.getAddress())).to.be.greaterThanOrEqual(total - amount);
      await expect(credits.connect(creditor).claim(payee))
        .to.be.revertedWithCustomError(credits, "PullCreditsNothingToClaim")
        .withArgs(creditor.address);
    });

    describe("reverts a claim", function () {
      it("to the zero address, even with a credit", async function () {
        const { credits, creditor } = await setup();
        await expect(credits.connect(creditor).claim(ethers.ZeroAddress))
          .to.be.revertedWithCustomError(credits, "PullCreditsZeroRecipient")
          .withArgs();
      });

      it("with nothing to claim", async function () {
        const { credits, stranger } = await setup();
        await expect(credits.connect(stranger).claim(stranger.address))
          .to.be.revertedWithCustomError(credits, "PullCreditsNothingToClaim")
          .withArgs(stranger.address);
      });
    });
  });
}
