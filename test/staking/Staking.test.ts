import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Interface } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Staking } from "../../typechain-types";
import { shouldBehaveLikeBoundedParameter } from "../helpers/boundedParameter.behavior";
import { deployStakingFixture, INITIAL_BALANCE, MINIMUM_STAKE, UNBONDING_PERIOD } from "../fixtures/staking";

const ONE_HOUR = 3600n;
const YEAR = 365n * 24n * ONE_HOUR;
const MAX_MINIMUM = 10n ** 30n;
const MIN_PARAM = ethers.encodeBytes32String("minimumStake");
const PERIOD_PARAM = ethers.encodeBytes32String("unbondingPeriod");

/** Sets the next block's timestamp and returns it, so events carrying times can be asserted exactly. */
async function nextTimestamp(offset = 10n): Promise<bigint> {
  const t = BigInt(await time.latest()) + offset;
  await time.setNextBlockTimestamp(t);
  return t;
}

/** Deploys a `Staking` over `tokenAddress` with the fixture's parameters and roles. */
async function deployStakingOver(tokenAddress: string, admin: HardhatEthersSigner, treasury: HardhatEthersSigner) {
  const staking = await ethers.deployContract("Staking", [
    tokenAddress,
    admin.address,
    treasury.address,
    MINIMUM_STAKE,
    UNBONDING_PERIOD,
  ]);
  await staking.grantRole(await staking.DISPUTE_ROLE(), admin.address);
  return staking;
}

async function stakedFixture() {
  const f = await deployStakingFixture();
  await f.staking.connect(f.nodeA).stake(MINIMUM_STAKE * 3n);
  return f;
}

async function observedFixture() {
  const f = await deployStakingFixture();
  const observer = await ethers.deployContract("StakeObserverMock", [await f.staking.getAddress()]);
  await f.staking.setStakeObserver(await observer.getAddress());
  return { ...f, observer };
}

async function expectTotals(staking: Staking, active: bigint, unbonding: bigint) {
  expect(await staking.totalActiveStake()).to.equal(active);
  expect(await staking.totalUnbondingStake()).to.equal(unbonding);
  const balance = await ethers
    .getContractAt("IERC20", await staking.token())
    .then(async (t) => t.balanceOf(await staking.getAddress()));
  expect(balance).to.equal(active + unbonding);
}

describe("Staking", function () {
  describe("on deployment", function () {
    it("stores the token, parameters and admin, and emits the parameter events", async function () {
      const { staking, token, admin, treasury } = await loadFixture(deployStakingFixture);
      expect(await staking.token()).to.equal(await token.getAddress());
      expect(await staking.minimumStake()).to.equal(MINIMUM_STAKE);
      expect(await staking.unbondingPeriod()).to.equal(UNBONDING_PERIOD);
      expect(await staking.treasury()).to.equal(treasury.address);
      expect(await staking.stakeObserver()).to.equal(ethers.ZeroAddress);
      expect(await staking.hasRole(await staking.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      const deployment = staking.deploymentTransaction();
      await expect(deployment).to.emit(staking, "ParameterSet").withArgs(MIN_PARAM, MINIMUM_STAKE);
      await expect(deployment).to.emit(staking, "ParameterSet").withArgs(PERIOD_PARAM, UNBONDING_PERIOD);
      await expect(deployment).to.emit(staking, "TreasurySet").withArgs(treasury.address);
    });

    it("exposes its bounds as constants", async function () {
      const { staking } = await loadFixture(deployStakingFixture);
      expect(await staking.MIN_MINIMUM_STAKE()).to.equal(1n);
      expect(await staking.MAX_MINIMUM_STAKE()).to.equal(MAX_MINIMUM);
      expect(await staking.MIN_UNBONDING_PERIOD()).to.equal(ONE_HOUR);
      expect(await staking.MAX_UNBONDING_PERIOD()).to.equal(YEAR);
      expect(await staking.MAX_UNBONDING_REQUESTS()).to.equal(8n);
      expect(await staking.MAX_SLASH_RECIPIENTS()).to.equal(32n);
      expect(await staking.PAUSER_ROLE()).to.equal(ethers.id("PAUSER_ROLE"));
      expect(await staking.DISPUTE_ROLE()).to.equal(ethers.id("DISPUTE_ROLE"));
    });

    describe("reverts", function () {
      type Args = [string, string, string, bigint, bigint];
      async function deploy(args: Args) {
        return ethers.deployContract("Staking", args);
      }
      async function validArgs(): Promise<{ args: Args; factory: Staking }> {
        const { staking, token, admin, treasury } = await loadFixture(deployStakingFixture);
        return {
          args: [await token.getAddress(), admin.address, treasury.address, MINIMUM_STAKE, UNBONDING_PERIOD],
          factory: staking,
        };
      }

      it("if the token, admin or treasury is zero", async function () {
        const { args, factory } = await validArgs();
        for (const index of [0, 1, 2]) {
          const bad = [...args] as Args;
          bad[index] = ethers.ZeroAddress;
          await expect(deploy(bad)).to.be.revertedWithCustomError(factory, "StakingZeroAddress");
        }
      });

      it("if the minimum stake is out of [1, 1e30]", async function () {
        const { args, factory } = await validArgs();
        for (const value of [0n, MAX_MINIMUM + 1n]) {
          await expect(deploy([args[0], args[1], args[2], value, args[4]]))
            .to.be.revertedWithCustomError(factory, "ParameterOutOfBounds")
            .withArgs(MIN_PARAM, value, 1n, MAX_MINIMUM);
        }
      });

      it("if the unbonding period is out of [1 hour, 365 days]", async function () {
        const { args, factory } = await validArgs();
        for (const value of [ONE_HOUR - 1n, YEAR + 1n]) {
          await expect(deploy([args[0], args[1], args[2], args[3], value]))
            .to.be.revertedWithCustomError(factory, "ParameterOutOfBounds")
            .withArgs(PERIOD_PARAM, value, ONE_HOUR, YEAR);
        }
      });
    });
  });

  describe("stake", function () {
    it("adds to the caller's active stake, pulls the tokens and emits Staked", async function () {
      const { staking, token, nodeA } = await loadFixture(deployStakingFixture);
      const tx = staking.connect(nodeA).stake(MINIMUM_STAKE);
      await expect(tx).to.emit(staking, "Staked").withArgs(nodeA.address, nodeA.address, MINIMUM_STAKE, MINIMUM_STAKE);
      await expect(tx).to.changeTokenBalances(token, [nodeA, staking], [-MINIMUM_STAKE, MINIMUM_STAKE]);
      expect(await staking.activeStakeOf(nodeA.address)).to.equal(MINIMUM_STAKE);
      expect(await staking.slashableStakeOf(nodeA.address)).to.equal(MINIMUM_STAKE);
      await expectTotals(staking, MINIMUM_STAKE, 0n);
    });

    it("accepts a top-up of any size once the node is at the minimum", async function () {
      const { staking, nodeA } = await loadFixture(deployStakingFixture);
      await staking.connect(nodeA).stake(MINIMUM_STAKE);
      await expect(staking.connect(nodeA).stake(1n))
        .to.emit(staking, "Staked")
        .withArgs(nodeA.address, nodeA.address, 1n, MINIMUM_STAKE + 1n);
    });

    it("keeps separate balances per node", async function () {
      const { staking, nodeA, nodeB } = await loadFixture(deployStakingFixture);
      await staking.connect(nodeA).stake(MINIMUM_STAKE);
      await staking.connect(nodeB).stake(MINIMUM_STAKE * 2n);
      expect(await staking.activeStakeOf(nodeA.address)).to.equal(MINIMUM_STAKE);
      expect(await staking.activeStakeOf(nodeB.address)).to.equal(MINIMUM_STAKE * 2n);
      await expectTotals(staking, MINIMUM_STAKE * 3n, 0n);
    });

    describe("reverts", function () {
      it("if the amount is zero", async function () {
        const { staking, nodeA } = await loadFixture(deployStakingFixture);
        await expect(staking.connect(nodeA).stake(0n)).to.be.revertedWithCustomError(staking, "StakingZeroAmount");
      });

      it("if the resulting active stake is below the minimum", async function () {
        const { staking, nodeA } = await loadFixture(deployStakingFixture);
        await expect(staking.connect(nodeA).stake(MINIMUM_STAKE - 1n))
          .to.be.revertedWithCustomError(staking, "StakingBelowMinimum")
          .withArgs(nodeA.address, MINIMUM_STAKE - 1n, MINIMUM_STAKE);
      });

      it("if the caller has not approved enough", async function () {
        const { staking, token, other } = await loadFixture(deployStakingFixture);
        await token.mint(other.address, MINIMUM_STAKE);
        await expect(staking.connect(other).stake(MINIMUM_STAKE))
          .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
          .withArgs(await staking.getAddress(), 0n, MINIMUM_STAKE);
      });

      it("while paused", async function () {
        const { staking, pauser, nodeA } = await loadFixture(deployStakingFixture);
        await staking.connect(pauser).pause();
        await expect(staking.connect(nodeA).stake(MINIMUM_STAKE)).to.be.revertedWithCustomError(
          staking,
          "EnforcedPause",
        );
      });
    });
  });

  describe("stakeFor", function () {
    it("adds the caller's tokens to the node's stake, which belongs to the node", async function () {
      const { staking, token, nodeA, thirdParty } = await loadFixture(deployStakingFixture);
      const tx = staking.connect(thirdParty).stakeFor(nodeA.address, MINIMUM_STAKE);
      await expect(tx)
        .to.emit(staking, "Staked")
        .withArgs(nodeA.address, thirdParty.address, MINIMUM_STAKE, MINIMUM_STAKE);
      await expect(tx).to.changeTokenBalances(token, [thirdParty, nodeA, staking], [-MINIMUM_STAKE, 0n, MINIMUM_STAKE]);
      expect(await staking.activeStakeOf(nodeA.address)).to.equal(MINIMUM_STAKE);
      expect(await staking.activeStakeOf(thirdParty.address)).to.equal(0n);
    });

    it("lets only the node unstake and withdraw a third party's top-up, to itself", async function () {
      const { staking, token, nodeA, thirdParty } = await loadFixture(deployStakingFixture);
      await staking.connect(nodeA).stake(MINIMUM_STAKE);
      await staking.connect(thirdParty).stakeFor(nodeA.address, 1n);
      await expect(staking.connect(thirdParty).requestUnstake(1n))
        .to.be.revertedWithCustomError(staking, "StakingInsufficientStake")
        .withArgs(thirdParty.address, 0n, 1n);
      // The top-up cannot be pulled out alone as dust: the node's remainder must stay at the minimum.
      await expect(staking.connect(nodeA).requestUnstake(2n))
        .to.be.revertedWithCustomError(staking, "StakingBelowMinimum")
        .withArgs(nodeA.address, MINIMUM_STAKE - 1n, MINIMUM_STAKE);
      await staking.connect(nodeA).requestUnstake(1n);
      await time.increase(UNBONDING_PERIOD);
      await expect(staking.connect(thirdParty).withdraw())
        .to.be.revertedWithCustomError(staking, "StakingNothingToWithdraw")
        .withArgs(thirdParty.address);
      await expect(staking.connect(nodeA).withdraw()).to.changeTokenBalances(token, [nodeA, thirdParty], [1n, 0n]);
    });

    describe("reverts", function () {
      it("if the node is zero", async function () {
        const { staking, thirdParty } = await loadFixture(deployStakingFixture);
        await expect(
          staking.connect(thirdParty).stakeFor(ethers.ZeroAddress, MINIMUM_STAKE),
        ).to.be.revertedWithCustomError(staking, "StakingZeroAddress");
      });

      it("if the amount is zero", async function () {
        const { staking, nodeA, thirdParty } = await loadFixture(deployStakingFixture);
        await expect(staking.connect(thirdParty).stakeFor(nodeA.address, 0n)).to.be.revertedWithCustomError(
          staking,
          "StakingZeroAmount",
        );
      });

      it("if the node's resulting active stake is below the minimum", async function () {
        const { staking, nodeA, thirdParty } = await loadFixture(deployStakingFixture);
        await expect(staking.connect(thirdParty).stakeFor(nodeA.address, 1n))
          .to.be.revertedWithCustomError(staking, "StakingBelowMinimum")
          .withArgs(nodeA.address, 1n, MINIMUM_STAKE);
      });

      it("while paused", async function () {
        const { staking, pauser, nodeA, thirdParty } = await loadFixture(deployStakingFixture);
        await staking.connect(pauser).pause();
        await expect(staking.connect(thirdParty).stakeFor(nodeA.address, MINIMUM_STAKE)).to.be.revertedWithCustomError(
          staking,
          "EnforcedPause",
        );
      });
    });
  });

  describe("requestUnstake", function () {
    it("moves stake into the unbonding queue with releaseAt fixed at request time", async function () {
      const { staking, nodeA } = await loadFixture(stakedFixture);
      const t = await nextTimestamp();
      await expect(staking.connect(nodeA).requestUnstake(MINIMUM_STAKE))
        .to.emit(staking, "UnstakeRequested")
        .withArgs(nodeA.address, MINIMUM_STAKE, t + UNBONDING_PERIOD, MINIMUM_STAKE * 2n);
      expect(await staking.activeStakeOf(nodeA.address)).to.equal(MINIMUM_STAKE * 2n);
      expect(await staking.unbondingStakeOf(nodeA.address)).to.equal(MINIMUM_STAKE);
      expect(await staking.slashableStakeOf(nodeA.address)).to.equal(MINIMUM_STAKE * 3n);
      const requests = await staking.unbondingRequestsOf(nodeA.address);
      expect(requests.map((r) => [r.amount, r.releaseAt])).to.deep.equal([[MINIMUM_STAKE, t + UNBONDING_PERIOD]]);
      await expectTotals(staking, MINIMUM_STAKE * 2n, MINIMUM_STAKE);
    });

    it("allows unstaking everything", async function () {
      const { staking, nodeA } = await loadFixture(stakedFixture);
      await expect(staking.connect(nodeA).requestUnstake(MINIMUM_STAKE * 3n))
        .to.emit(staking, "UnstakeRequested")
        .withArgs(nodeA.address, MINIMUM_STAKE * 3n, (v: bigint) => v > 0n, 0n);
      expect(await staking.activeStakeOf(nodeA.address)).to.equal(0n);
    });

    it("allows a remainder of exactly the minimum", async function () {
      const { staking, nodeA } = await loadFixture(stakedFixture);
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE * 2n);
      expect(await staking.activeStakeOf(nodeA.address)).to.equal(MINIMUM_STAKE);
    });

    it("keeps open requests' releaseAt when governance changes the period", async function () {
      const { staking, admin, nodeA } = await loadFixture(stakedFixture);
      const t1 = await nextTimestamp();
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE);
      await staking.connect(admin).setUnbondingPeriod(YEAR);
      const t2 = await nextTimestamp();
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE);
      const requests = await staking.unbondingRequestsOf(nodeA.address);
      expect(requests.map((r) => r.releaseAt)).to.deep.equal([t1 + UNBONDING_PERIOD, t2 + YEAR]);
    });

    describe("reverts", function () {
      it("if the amount is zero", async function () {
        const { staking, nodeA } = await loadFixture(stakedFixture);
        await expect(staking.connect(nodeA).requestUnstake(0n)).to.be.revertedWithCustomError(
          staking,
          "StakingZeroAmount",
        );
      });

      it("if the amount exceeds the active stake", async function () {
        const { staking, nodeA } = await loadFixture(stakedFixture);
        await expect(staking.connect(nodeA).requestUnstake(MINIMUM_STAKE * 3n + 1n))
          .to.be.revertedWithCustomError(staking, "StakingInsufficientStake")
          .withArgs(nodeA.address, MINIMUM_STAKE * 3n, MINIMUM_STAKE * 3n + 1n);
      });

      it("if it leaves a non-zero remainder below the minimum", async function () {
        const { staking, nodeA } = await loadFixture(stakedFixture);
        await expect(staking.connect(nodeA).requestUnstake(MINIMUM_STAKE * 3n - 1n))
          .to.be.revertedWithCustomError(staking, "StakingBelowMinimum")
          .withArgs(nodeA.address, 1n, MINIMUM_STAKE);
      });

      it("beyond MAX_UNBONDING_REQUESTS pending requests", async function () {
        const { staking, nodeA } = await loadFixture(deployStakingFixture);
        await staking.connect(nodeA).stake(MINIMUM_STAKE * 10n);
        for (let i = 0; i < 8; i++) await staking.connect(nodeA).requestUnstake(1n);
        await expect(staking.connect(nodeA).requestUnstake(1n))
          .to.be.revertedWithCustomError(staking, "StakingTooManyUnbondingRequests")
          .withArgs(nodeA.address, 8n);
        // A withdrawal frees the slots.
        await time.increase(UNBONDING_PERIOD);
        await staking.connect(nodeA).withdraw();
        await expect(staking.connect(nodeA).requestUnstake(1n)).to.emit(staking, "UnstakeRequested");
      });

      it("while paused", async function () {
        const { staking, pauser, nodeA } = await loadFixture(stakedFixture);
        await staking.connect(pauser).pause();
        await expect(staking.connect(nodeA).requestUnstake(MINIMUM_STAKE)).to.be.revertedWithCustomError(
          staking,
          "EnforcedPause",
        );
      });
    });
  });

  describe("requestUnstakeAll", function () {
    it("moves the whole active stake, whatever it is when it runs, and returns it", async function () {
      const { staking, nodeA } = await loadFixture(stakedFixture);
      expect(await staking.connect(nodeA).requestUnstakeAll.staticCall()).to.equal(MINIMUM_STAKE * 3n);
      const t = await nextTimestamp();
      await expect(staking.connect(nodeA).requestUnstakeAll())
        .to.emit(staking, "UnstakeRequested")
        .withArgs(nodeA.address, MINIMUM_STAKE * 3n, t + UNBONDING_PERIOD, 0n);
      expect(await staking.activeStakeOf(nodeA.address)).to.equal(0n);
      expect(await staking.unbondingStakeOf(nodeA.address)).to.equal(MINIMUM_STAKE * 3n);
      await expectTotals(staking, 0n, MINIMUM_STAKE * 3n);
    });

    it("a 1-wei stakeFor front-run can't block unstaking everything: the top-up is swept along", async function () {
      const { staking, token, nodeA, thirdParty } = await loadFixture(stakedFixture);
      // The attack on an explicit amount: the victim's `requestUnstake(all)` is left with a 1-wei remainder.
      await staking.connect(thirdParty).stakeFor(nodeA.address, 1n);
      await expect(staking.connect(nodeA).requestUnstake(MINIMUM_STAKE * 3n))
        .to.be.revertedWithCustomError(staking, "StakingBelowMinimum")
        .withArgs(nodeA.address, 1n, MINIMUM_STAKE);
      // Unstake-all takes the top-up too, and the node leaves with everything.
      await expect(staking.connect(nodeA).requestUnstakeAll())
        .to.emit(staking, "UnstakeRequested")
        .withArgs(nodeA.address, MINIMUM_STAKE * 3n + 1n, (v: bigint) => v > 0n, 0n);
      await time.increase(UNBONDING_PERIOD);
      await expect(staking.connect(nodeA).withdraw()).to.changeTokenBalances(
        token,
        [nodeA, staking],
        [MINIMUM_STAKE * 3n + 1n, -(MINIMUM_STAKE * 3n + 1n)],
      );
    });

    describe("reverts", function () {
      it("with no active stake", async function () {
        const { staking, nodeB } = await loadFixture(stakedFixture);
        await expect(staking.connect(nodeB).requestUnstakeAll()).to.be.revertedWithCustomError(
          staking,
          "StakingZeroAmount",
        );
      });

      it("while paused", async function () {
        const { staking, pauser, nodeA } = await loadFixture(stakedFixture);
        await staking.connect(pauser).pause();
        await expect(staking.connect(nodeA).requestUnstakeAll()).to.be.revertedWithCustomError(
          staking,
          "EnforcedPause",
        );
      });
    });
  });

  describe("extendSlashableUntil", function () {
    it("holds withdrawals until the given time, pinned at the boundary, and never shortens a hold", async function () {
      const { staking, disputer, nodeA } = await loadFixture(stakedFixture);
      const t = await nextTimestamp();
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE);
      const until = t + UNBONDING_PERIOD + ONE_HOUR;
      await expect(staking.connect(disputer).extendSlashableUntil(nodeA.address, until))
        .to.emit(staking, "SlashableUntilExtended")
        .withArgs(nodeA.address, until);
      await expect(staking.connect(disputer).extendSlashableUntil(nodeA.address, until - 1n)).not.to.emit(
        staking,
        "SlashableUntilExtended",
      );
      expect(await staking.slashableUntil(nodeA.address)).to.equal(until);
      await time.setNextBlockTimestamp(until - 1n);
      await expect(staking.connect(nodeA).withdraw())
        .to.be.revertedWithCustomError(staking, "StakingWithdrawalHeld")
        .withArgs(nodeA.address, until);
      await time.setNextBlockTimestamp(until);
      await expect(staking.connect(nodeA).withdraw())
        .to.emit(staking, "Withdrawn")
        .withArgs(nodeA.address, MINIMUM_STAKE);
    });
  });

  describe("withdraw", function () {
    async function unstakedFixture() {
      const f = await stakedFixture();
      const t = await nextTimestamp();
      await f.staking.connect(f.nodeA).requestUnstake(MINIMUM_STAKE);
      return { ...f, releaseAt: t + UNBONDING_PERIOD };
    }

    it("reverts one second before releaseAt and succeeds exactly at releaseAt", async function () {
      const { staking, token, nodeA, releaseAt } = await loadFixture(unstakedFixture);
      await time.setNextBlockTimestamp(releaseAt - 1n);
      await expect(staking.connect(nodeA).withdraw())
        .to.be.revertedWithCustomError(staking, "StakingNothingToWithdraw")
        .withArgs(nodeA.address);
      await time.setNextBlockTimestamp(releaseAt);
      const tx = staking.connect(nodeA).withdraw();
      await expect(tx).to.emit(staking, "Withdrawn").withArgs(nodeA.address, MINIMUM_STAKE);
      await expect(tx).to.changeTokenBalances(token, [nodeA, staking], [MINIMUM_STAKE, -MINIMUM_STAKE]);
      expect(await staking.unbondingRequestsOf(nodeA.address)).to.deep.equal([]);
      expect(await staking.unbondingStakeOf(nodeA.address)).to.equal(0n);
      await expectTotals(staking, MINIMUM_STAKE * 2n, 0n);
    });

    it("returns the amount withdrawn", async function () {
      const { staking, nodeA, releaseAt } = await loadFixture(unstakedFixture);
      await time.increaseTo(releaseAt);
      expect(await staking.connect(nodeA).withdraw.staticCall()).to.equal(MINIMUM_STAKE);
    });

    it("pays every matured request at once and keeps the rest in order", async function () {
      const { staking, nodeA, releaseAt } = await loadFixture(unstakedFixture);
      await staking.connect(nodeA).requestUnstake(1n);
      const t3 = await nextTimestamp(20n);
      await staking.connect(nodeA).requestUnstake(2n);
      await time.increaseTo(releaseAt + 5n);
      await expect(staking.connect(nodeA).withdraw())
        .to.emit(staking, "Withdrawn")
        .withArgs(nodeA.address, MINIMUM_STAKE + 1n);
      const requests = await staking.unbondingRequestsOf(nodeA.address);
      expect(requests.map((r) => [r.amount, r.releaseAt])).to.deep.equal([[2n, t3 + UNBONDING_PERIOD]]);
      expect(await staking.unbondingStakeOf(nodeA.address)).to.equal(2n);
    });

    it("pays a newer request that matures first under a shorter period, keeping the older one", async function () {
      const { staking, admin, nodeA, releaseAt } = await loadFixture(unstakedFixture);
      await staking.connect(admin).setUnbondingPeriod(ONE_HOUR);
      const t2 = await nextTimestamp();
      await staking.connect(nodeA).requestUnstake(5n);
      await time.increaseTo(t2 + ONE_HOUR);
      await expect(staking.connect(nodeA).withdraw()).to.emit(staking, "Withdrawn").withArgs(nodeA.address, 5n);
      const requests = await staking.unbondingRequestsOf(nodeA.address);
      expect(requests.map((r) => [r.amount, r.releaseAt])).to.deep.equal([[MINIMUM_STAKE, releaseAt]]);
    });

    it("is not frozen by a pause", async function () {
      const { staking, pauser, nodeA, releaseAt } = await loadFixture(unstakedFixture);
      await staking.connect(pauser).pause();
      await time.increaseTo(releaseAt);
      await expect(staking.connect(nodeA).withdraw())
        .to.emit(staking, "Withdrawn")
        .withArgs(nodeA.address, MINIMUM_STAKE);
    });

    describe("reverts", function () {
      it("if there is no request", async function () {
        const { staking, nodeB } = await loadFixture(unstakedFixture);
        await expect(staking.connect(nodeB).withdraw())
          .to.be.revertedWithCustomError(staking, "StakingNothingToWithdraw")
          .withArgs(nodeB.address);
      });

      it("while stake is locked by an open dispute, until it is unlocked", async function () {
        const { staking, disputer, nodeA, releaseAt } = await loadFixture(unstakedFixture);
        await staking.connect(disputer).lock(nodeA.address, 7n);
        await time.increaseTo(releaseAt + 100n);
        await expect(staking.connect(nodeA).withdraw())
          .to.be.revertedWithCustomError(staking, "StakingStakeLocked")
          .withArgs(nodeA.address, 7n);
        await staking.connect(disputer).unlock(nodeA.address, 7n);
        await expect(staking.connect(nodeA).withdraw())
          .to.emit(staking, "Withdrawn")
          .withArgs(nodeA.address, MINIMUM_STAKE);
      });
    });
  });

  describe("lock", function () {
    it("locks the requested amount and emits StakeLocked", async function () {
      const { staking, disputer, nodeA } = await loadFixture(stakedFixture);
      await expect(staking.connect(disputer).lock(nodeA.address, 10n))
        .to.emit(staking, "StakeLocked")
        .withArgs(nodeA.address, 10n, 10n);
      await expect(staking.connect(disputer).lock(nodeA.address, 5n))
        .to.emit(staking, "StakeLocked")
        .withArgs(nodeA.address, 5n, 15n);
      expect(await staking.lockedStakeOf(nodeA.address)).to.equal(15n);
    });

    it("is not capped by the stake: the sum of locks may exceed it (locks only block withdrawals)", async function () {
      const { staking, disputer, nodeA } = await loadFixture(stakedFixture);
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE);
      await staking.connect(disputer).lock(nodeA.address, MINIMUM_STAKE * 3n);
      await expect(staking.connect(disputer).lock(nodeA.address, MINIMUM_STAKE * 10n))
        .to.emit(staking, "StakeLocked")
        .withArgs(nodeA.address, MINIMUM_STAKE * 10n, MINIMUM_STAKE * 13n);
      expect(await staking.lockedStakeOf(nodeA.address)).to.equal(MINIMUM_STAKE * 13n);
      expect(await staking.slashableStakeOf(nodeA.address)).to.equal(MINIMUM_STAKE * 3n);
    });

    it("locks a node without stake all the same", async function () {
      const { staking, disputer, nodeB } = await loadFixture(stakedFixture);
      await expect(staking.connect(disputer).lock(nodeB.address, 10n))
        .to.emit(staking, "StakeLocked")
        .withArgs(nodeB.address, 10n, 10n);
    });

    it("still works while paused", async function () {
      const { staking, pauser, disputer, nodeA } = await loadFixture(stakedFixture);
      await staking.connect(pauser).pause();
      await expect(staking.connect(disputer).lock(nodeA.address, 1n)).to.emit(staking, "StakeLocked");
      await expect(staking.connect(disputer).unlock(nodeA.address, 1n)).to.emit(staking, "StakeUnlocked");
    });
  });

  describe("unlock", function () {
    it("releases locked stake and emits StakeUnlocked", async function () {
      const { staking, disputer, nodeA } = await loadFixture(stakedFixture);
      await staking.connect(disputer).lock(nodeA.address, 10n);
      await expect(staking.connect(disputer).unlock(nodeA.address, 4n))
        .to.emit(staking, "StakeUnlocked")
        .withArgs(nodeA.address, 4n, 6n);
      expect(await staking.lockedStakeOf(nodeA.address)).to.equal(6n);
    });

    it("reverts above the locked amount", async function () {
      const { staking, disputer, nodeA } = await loadFixture(stakedFixture);
      await staking.connect(disputer).lock(nodeA.address, 10n);
      await expect(staking.connect(disputer).unlock(nodeA.address, 11n))
        .to.be.revertedWithCustomError(staking, "StakingUnlockExceedsLocked")
        .withArgs(nodeA.address, 10n, 11n);
    });
  });

  describe("slash", function () {
    it("takes from active stake and pays recipients by share, rounding down, the rest to the treasury", async function () {
      const { staking, token, disputer, treasury, nodeA, nodeB, nodeC } = await loadFixture(stakedFixture);
      const amount = 10n;
      // 10 * 3333 / 10000 = 3 each; the treasury gets 10 - 6 = 4.
      const tx = staking.connect(disputer).slash(nodeA.address, amount, [nodeB.address, nodeC.address], [3333, 3333]);
      await expect(tx).to.emit(staking, "Slashed").withArgs(nodeA.address, amount, amount, 4n);
      await expect(tx).to.emit(staking, "SlashPaid").withArgs(nodeA.address, nodeB.address, 3n);
      await expect(tx).to.emit(staking, "SlashPaid").withArgs(nodeA.address, nodeC.address, 3n);
      await expect(tx).to.changeTokenBalances(token, [staking, nodeB, nodeC, treasury], [-10n, 3n, 3n, 4n]);
      expect(await staking.activeStakeOf(nodeA.address)).to.equal(MINIMUM_STAKE * 3n - amount);
      await expectTotals(staking, MINIMUM_STAKE * 3n - amount, 0n);
    });

    it("returns what was slashed", async function () {
      const { staking, disputer, nodeA } = await loadFixture(stakedFixture);
      expect(await staking.connect(disputer).slash.staticCall(nodeA.address, 10n, [], [])).to.equal(10n);
    });

    it("sends everything to the treasury without recipients", async function () {
      const { staking, token, disputer, treasury, nodeA } = await loadFixture(stakedFixture);
      const tx = staking.connect(disputer).slash(nodeA.address, 50n, [], []);
      await expect(tx).to.emit(staking, "Slashed").withArgs(nodeA.address, 50n, 50n, 50n);
      await expect(tx).to.changeTokenBalances(token, [staking, treasury], [-50n, 50n]);
    });

    it("sends nothing to the treasury when shares take 100% and divide evenly", async function () {
      const { staking, token, disputer, treasury, nodeA, nodeB } = await loadFixture(stakedFixture);
      const tx = staking.connect(disputer).slash(nodeA.address, 100n, [nodeB.address], [10_000]);
      await expect(tx).to.emit(staking, "Slashed").withArgs(nodeA.address, 100n, 100n, 0n);
      await expect(tx).to.changeTokenBalances(token, [nodeB, treasury], [100n, 0n]);
    });

    it("slashes dust: a 1-wei slash pays no recipient and sweeps the wei to the treasury", async function () {
      const { staking, token, disputer, treasury, nodeA, nodeB } = await loadFixture(stakedFixture);
      const tx = staking.connect(disputer).slash(nodeA.address, 1n, [nodeB.address], [9_999]);
      await expect(tx).to.emit(staking, "Slashed").withArgs(nodeA.address, 1n, 1n, 1n);
      await expect(tx).not.to.emit(staking, "SlashPaid");
      await expect(tx).to.changeTokenBalances(token, [nodeB, treasury], [0n, 1n]);
    });

    it("slashes unbonding stake after active stake, newest request first", async function () {
      const { staking, disputer, nodeA } = await loadFixture(stakedFixture);
      const [r1, r2] = [MINIMUM_STAKE, MINIMUM_STAKE / 2n];
      await staking.connect(nodeA).requestUnstake(r1);
      await staking.connect(nodeA).requestUnstake(r2);
      const active = MINIMUM_STAKE * 3n - r1 - r2;
      // Takes all active stake and 10 from the newest request.
      await staking.connect(disputer).slash(nodeA.address, active + 10n, [], []);
      expect(await staking.activeStakeOf(nodeA.address)).to.equal(0n);
      let requests = await staking.unbondingRequestsOf(nodeA.address);
      expect(requests.map((r) => r.amount)).to.deep.equal([r1, r2 - 10n]);
      // Empties the newest request and takes 1 from the older one.
      await staking.connect(disputer).slash(nodeA.address, r2 - 10n + 1n, [], []);
      requests = await staking.unbondingRequestsOf(nodeA.address);
      expect(requests.map((r) => r.amount)).to.deep.equal([r1 - 1n]);
      expect(await staking.unbondingStakeOf(nodeA.address)).to.equal(r1 - 1n);
      await expectTotals(staking, 0n, r1 - 1n);
    });

    it("reaches stake unstaked in full and unbonding, so unstaking cannot dodge a slash", async function () {
      const { staking, token, disputer, treasury, nodeA } = await loadFixture(stakedFixture);
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE * 3n);
      const tx = staking.connect(disputer).slash(nodeA.address, MINIMUM_STAKE, [], []);
      await expect(tx).to.emit(staking, "Slashed").withArgs(nodeA.address, MINIMUM_STAKE, MINIMUM_STAKE, MINIMUM_STAKE);
      await expect(tx).to.changeTokenBalances(token, [treasury], [MINIMUM_STAKE]);
      expect(await staking.unbondingStakeOf(nodeA.address)).to.equal(MINIMUM_STAKE * 2n);
      await time.increase(UNBONDING_PERIOD);
      await expect(staking.connect(nodeA).withdraw())
        .to.emit(staking, "Withdrawn")
        .withArgs(nodeA.address, MINIMUM_STAKE * 2n);
    });

    it("caps a slash above the stake at everything the node has (100%)", async function () {
      const { staking, token, disputer, treasury, nodeA, nodeB } = await loadFixture(stakedFixture);
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE);
      const all = MINIMUM_STAKE * 3n;
      const tx = staking.connect(disputer).slash(nodeA.address, all * 5n, [nodeB.address], [5_000]);
      await expect(tx)
        .to.emit(staking, "Slashed")
        .withArgs(nodeA.address, all * 5n, all, all / 2n);
      await expect(tx).to.changeTokenBalances(token, [staking, nodeB, treasury], [-all, all / 2n, all / 2n]);
      expect(await staking.slashableStakeOf(nodeA.address)).to.equal(0n);
      expect(await staking.unbondingRequestsOf(nodeA.address)).to.deep.equal([]);
      await expectTotals(staking, 0n, 0n);
    });

    it("never changes any lock, even above what remains slashable: each judgment releases its own", async function () {
      const { staking, disputer, nodeA } = await loadFixture(stakedFixture);
      await staking.connect(disputer).lock(nodeA.address, MINIMUM_STAKE * 2n);
      await staking.connect(disputer).lock(nodeA.address, MINIMUM_STAKE * 2n);
      const tx = staking.connect(disputer).slash(nodeA.address, MINIMUM_STAKE * 2n, [], []);
      await expect(tx).not.to.emit(staking, "StakeUnlocked");
      expect(await staking.lockedStakeOf(nodeA.address)).to.equal(MINIMUM_STAKE * 4n);
      // The second judgment finds less than its amount at risk: it takes what is left, never more.
      await expect(staking.connect(disputer).slash(nodeA.address, MINIMUM_STAKE * 2n, [], []))
        .to.emit(staking, "Slashed")
        .withArgs(nodeA.address, MINIMUM_STAKE * 2n, MINIMUM_STAKE, MINIMUM_STAKE);
      for (let i = 0; i < 2; ++i) await staking.connect(disputer).unlock(nodeA.address, MINIMUM_STAKE * 2n);
      expect(await staking.lockedStakeOf(nodeA.address)).to.equal(0n);
    });

    it("keeps locked stake that remains slashable", async function () {
      const { staking, disputer, nodeA } = await loadFixture(stakedFixture);
      await staking.connect(disputer).lock(nodeA.address, MINIMUM_STAKE);
      await expect(staking.connect(disputer).slash(nodeA.address, MINIMUM_STAKE, [], [])).not.to.emit(
        staking,
        "StakeUnlocked",
      );
      expect(await staking.lockedStakeOf(nodeA.address)).to.equal(MINIMUM_STAKE);
    });

    it("returns 0 and moves nothing for a zero amount or a node without stake", async function () {
      const { staking, token, disputer, nodeA, nodeB } = await loadFixture(stakedFixture);
      for (const [node, amount] of [
        [nodeA.address, 0n],
        [nodeB.address, 10n],
      ] as const) {
        expect(await staking.connect(disputer).slash.staticCall(node, amount, [nodeB.address], [5_000])).to.equal(0n);
        const tx = staking.connect(disputer).slash(node, amount, [nodeB.address], [5_000]);
        await expect(tx).not.to.emit(staking, "Slashed");
        await expect(tx).not.to.emit(token, "Transfer");
      }
      await expectTotals(staking, MINIMUM_STAKE * 3n, 0n);
    });

    it("still works while paused", async function () {
      const { staking, pauser, disputer, nodeA } = await loadFixture(stakedFixture);
      await staking.connect(pauser).pause();
      // No recipients: the whole wei slashed goes to the treasury.
      await expect(staking.connect(disputer).slash(nodeA.address, 1n, [], []))
        .to.emit(staking, "Slashed")
        .withArgs(nodeA.address, 1n, 1n, 1n);
    });

    it("accepts MAX_SLASH_RECIPIENTS recipients", async function () {
      const { staking, disputer, nodeA, nodeB } = await loadFixture(stakedFixture);
      const recipients = Array<string>(32).fill(nodeB.address);
      const shares = Array<number>(32).fill(312);
      // 32 * 312 = 9984 bps; each gets 1000 * 312 / 10000 = 31, the treasury 1000 - 992 = 8.
      await expect(staking.connect(disputer).slash(nodeA.address, 1000n, recipients, shares))
        .to.emit(staking, "Slashed")
        .withArgs(nodeA.address, 1000n, 1000n, 8n);
    });

    describe("reverts", function () {
      it("if recipients and shares differ in length", async function () {
        const { staking, disputer, nodeA, nodeB } = await loadFixture(stakedFixture);
        await expect(staking.connect(disputer).slash(nodeA.address, 1n, [nodeB.address], []))
          .to.be.revertedWithCustomError(staking, "StakingLengthMismatch")
          .withArgs(1n, 0n);
      });

      it("with more than MAX_SLASH_RECIPIENTS recipients", async function () {
        const { staking, disputer, nodeA, nodeB } = await loadFixture(stakedFixture);
        await expect(
          staking
            .connect(disputer)
            .slash(nodeA.address, 1n, Array<string>(33).fill(nodeB.address), Array<number>(33).fill(1)),
        )
          .to.be.revertedWithCustomError(staking, "StakingTooManyRecipients")
          .withArgs(33n, 32n);
      });

      it("if shares sum above 10,000 bps", async function () {
        const { staking, disputer, nodeA, nodeB, nodeC } = await loadFixture(stakedFixture);
        await expect(staking.connect(disputer).slash(nodeA.address, 1n, [nodeB.address, nodeC.address], [5_000, 5_001]))
          .to.be.revertedWithCustomError(staking, "StakingInvalidShares")
          .withArgs(10_001n);
      });

      it("if a recipient is the zero address, even for a zero slash", async function () {
        const { staking, disputer, nodeA } = await loadFixture(stakedFixture);
        for (const amount of [0n, 1n]) {
          await expect(
            staking.connect(disputer).slash(nodeA.address, amount, [ethers.ZeroAddress], [1]),
          ).to.be.revertedWithCustomError(staking, "StakingZeroAddress");
        }
      });
    });
  });

  describe("stake observer", function () {
    it("is told after every active-stake change, seeing the new stake", async function () {
      const { staking, observer, disputer, nodeA, thirdParty } = await loadFixture(observedFixture);
      await expect(staking.connect(nodeA).stake(MINIMUM_STAKE * 2n))
        .to.emit(observer, "StakeChangeObserved")
        .withArgs(nodeA.address, MINIMUM_STAKE * 2n);
      await expect(staking.connect(thirdParty).stakeFor(nodeA.address, 10n))
        .to.emit(observer, "StakeChangeObserved")
        .withArgs(nodeA.address, MINIMUM_STAKE * 2n + 10n);
      await expect(staking.connect(nodeA).requestUnstake(10n))
        .to.emit(observer, "StakeChangeObserved")
        .withArgs(nodeA.address, MINIMUM_STAKE * 2n);
      await expect(staking.connect(disputer).slash(nodeA.address, 5n, [], []))
        .to.emit(observer, "StakeChangeObserved")
        .withArgs(nodeA.address, MINIMUM_STAKE * 2n - 5n);
      expect(await observer.calls()).to.equal(4n);
    });

    it("is not told about slashes or withdrawals that leave the active stake unchanged", async function () {
      const { staking, observer, disputer, nodeA } = await loadFixture(observedFixture);
      await staking.connect(nodeA).stake(MINIMUM_STAKE);
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE);
      await expect(staking.connect(disputer).slash(nodeA.address, 5n, [], [])).not.to.emit(
        observer,
        "StakeChangeObserved",
      );
      await time.increase(UNBONDING_PERIOD);
      await expect(staking.connect(nodeA).withdraw()).not.to.emit(observer, "StakeChangeObserved");
    });

    it("can be removed by setting zero", async function () {
      const { staking, observer, admin, nodeA } = await loadFixture(observedFixture);
      await expect(staking.connect(admin).setStakeObserver(ethers.ZeroAddress))
        .to.emit(staking, "StakeObserverSet")
        .withArgs(ethers.ZeroAddress);
      await expect(staking.connect(nodeA).stake(MINIMUM_STAKE)).not.to.emit(observer, "StakeChangeObserved");
    });
  });

  describe("governance", function () {
    const boundedContext = async () => {
      const { staking, admin, other } = await loadFixture(deployStakingFixture);
      return { contract: staking, admin, stranger: other };
    };
    shouldBehaveLikeBoundedParameter({ name: "minimumStake", min: 1n, max: MAX_MINIMUM }, async () => {
      const ctx = await boundedContext();
      return {
        ...ctx,
        set: (signer, value) => ctx.contract.connect(signer).setMinimumStake(value),
        get: () => ctx.contract.minimumStake(),
      };
    });
    shouldBehaveLikeBoundedParameter({ name: "unbondingPeriod", min: ONE_HOUR, max: YEAR }, async () => {
      const ctx = await boundedContext();
      return {
        ...ctx,
        set: (signer, value) => ctx.contract.connect(signer).setUnbondingPeriod(value),
        get: () => ctx.contract.unbondingPeriod(),
      };
    });

    it("sets the treasury, never to zero", async function () {
      const { staking, admin, other } = await loadFixture(deployStakingFixture);
      await expect(staking.connect(admin).setTreasury(other.address))
        .to.emit(staking, "TreasurySet")
        .withArgs(other.address);
      expect(await staking.treasury()).to.equal(other.address);
      await expect(staking.connect(admin).setTreasury(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        staking,
        "StakingZeroAddress",
      );
    });

    it("sets the stake observer", async function () {
      const { staking, admin, other } = await loadFixture(deployStakingFixture);
      await expect(staking.connect(admin).setStakeObserver(other.address))
        .to.emit(staking, "StakeObserverSet")
        .withArgs(other.address);
      expect(await staking.stakeObserver()).to.equal(other.address);
    });

    it("lets a raised minimum bind new stake but lets existing nodes exit in full", async function () {
      const { staking, admin, nodeA } = await loadFixture(stakedFixture);
      await staking.connect(admin).setMinimumStake(MINIMUM_STAKE * 10n);
      await expect(staking.connect(nodeA).stake(1n))
        .to.be.revertedWithCustomError(staking, "StakingBelowMinimum")
        .withArgs(nodeA.address, MINIMUM_STAKE * 3n + 1n, MINIMUM_STAKE * 10n);
      await expect(staking.connect(nodeA).requestUnstake(MINIMUM_STAKE * 3n)).to.emit(staking, "UnstakeRequested");
    });

    it("pauses and unpauses with the pauser role", async function () {
      const { staking, pauser, nodeA } = await loadFixture(deployStakingFixture);
      await expect(staking.connect(pauser).pause()).to.emit(staking, "Paused").withArgs(pauser.address);
      expect(await staking.paused()).to.equal(true);
      await expect(staking.connect(pauser).unpause()).to.emit(staking, "Unpaused").withArgs(pauser.address);
      const active = await staking.activeStakeOf(nodeA.address);
      await expect(staking.connect(nodeA).stake(MINIMUM_STAKE))
        .to.emit(staking, "Staked")
        .withArgs(nodeA.address, nodeA.address, MINIMUM_STAKE, active + MINIMUM_STAKE);
    });
  });

  describe("roles", function () {
    it("reject every restricted function from an account without the role", async function () {
      const { staking, other, nodeA } = await loadFixture(stakedFixture);
      const admin = await staking.DEFAULT_ADMIN_ROLE();
      const pauser = await staking.PAUSER_ROLE();
      const dispute = await staking.DISPUTE_ROLE();
      const s = staking.connect(other);
      const calls: [() => Promise<unknown>, string][] = [
        [() => s.setMinimumStake(1n), admin],
        [() => s.setUnbondingPeriod(ONE_HOUR), admin],
        [() => s.setTreasury(other.address), admin],
        [() => s.setStakeObserver(other.address), admin],
        [() => s.pause(), pauser],
        [() => s.unpause(), pauser],
        [() => s.lock(nodeA.address, 1n), dispute],
        [() => s.unlock(nodeA.address, 0n), dispute],
        [() => s.extendSlashableUntil(nodeA.address, 1n), dispute],
        [() => s.slash(nodeA.address, 1n, [], []), dispute],
      ];
      for (const [call, role] of calls) {
        await expect(call())
          .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
          .withArgs(other.address, role);
      }
    });

    it("do not let the admin or pauser slash without the dispute role", async function () {
      const { staking, admin, pauser, nodeA } = await loadFixture(stakedFixture);
      const dispute = await staking.DISPUTE_ROLE();
      for (const account of [admin, pauser]) {
        await expect(staking.connect(account).slash(nodeA.address, 1n, [], []))
          .to.be.revertedWithCustomError(staking, "AccessControlUnauthorizedAccount")
          .withArgs(account.address, dispute);
      }
    });
  });

  describe("with unusual tokens", function () {
    it("rejects a fee-on-transfer token at stake time", async function () {
      const { admin, treasury, nodeA } = await loadFixture(deployStakingFixture);
      const fot = await ethers.deployContract("FeeOnTransferTokenMock", [100n]);
      const staking = await deployStakingOver(await fot.getAddress(), admin, treasury);
      await fot.mint(nodeA.address, INITIAL_BALANCE);
      await fot.connect(nodeA).approve(await staking.getAddress(), ethers.MaxUint256);
      await expect(staking.connect(nodeA).stake(MINIMUM_STAKE))
        .to.be.revertedWithCustomError(staking, "StakingTransferAmountMismatch")
        .withArgs(MINIMUM_STAKE, (MINIMUM_STAKE * 99n) / 100n);
    });

    it("reverts on a token that returns false, in and out", async function () {
      const { admin, treasury, nodeA } = await loadFixture(deployStakingFixture);
      const bad = await ethers.deployContract("FalseReturningTokenMock");
      const staking = await deployStakingOver(await bad.getAddress(), admin, treasury);
      await bad.mint(nodeA.address, INITIAL_BALANCE);
      await bad.connect(nodeA).approve(await staking.getAddress(), ethers.MaxUint256);
      await staking.connect(nodeA).stake(MINIMUM_STAKE * 2n);
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE);
      await time.increase(UNBONDING_PERIOD);
      await bad.setFailing(true);
      for (const call of [
        () => staking.connect(nodeA).stake(MINIMUM_STAKE),
        () => staking.connect(nodeA).withdraw(),
        () => staking.connect(admin).slash(nodeA.address, 1n, [], []),
      ]) {
        await expect(call())
          .to.be.revertedWithCustomError(staking, "SafeERC20FailedOperation")
          .withArgs(await bad.getAddress());
      }
    });

    it("works with a token whose transfers return nothing (USDT-style)", async function () {
      const { admin, treasury, nodeA, nodeB } = await loadFixture(deployStakingFixture);
      const usdt = await ethers.deployContract("NoReturnTokenMock");
      const staking = await deployStakingOver(await usdt.getAddress(), admin, treasury);
      const stakingAddress = await staking.getAddress();
      await usdt.mint(nodeA.address, INITIAL_BALANCE);
      await usdt.connect(nodeA).approve(stakingAddress, ethers.MaxUint256);
      await staking.connect(nodeA).stake(MINIMUM_STAKE * 2n);
      await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE);
      await staking.connect(admin).slash(nodeA.address, 10n, [nodeB.address], [5_000]);
      await time.increase(UNBONDING_PERIOD);
      await staking.connect(nodeA).withdraw();
      // The slash took from the active stake, so the unbonding request is withdrawn in full.
      expect(await usdt.balanceOf(nodeA.address)).to.equal(INITIAL_BALANCE - MINIMUM_STAKE);
      expect(await usdt.balanceOf(nodeB.address)).to.equal(5n);
      expect(await usdt.balanceOf(treasury.address)).to.equal(5n);
      expect(await usdt.balanceOf(stakingAddress)).to.equal(MINIMUM_STAKE - 10n);
      await expectTotals(staking, MINIMUM_STAKE - 10n, 0n);
    });

    describe("with a token that calls back into Staking", function () {
      async function reentrantFixture() {
        const { admin, treasury, nodeA, nodeB } = await deployStakingFixture();
        const token = await ethers.deployContract("ReentrantTokenMock");
        const staking = await deployStakingOver(await token.getAddress(), admin, treasury);
        const stakingAddress = await staking.getAddress();
        await token.mint(nodeA.address, INITIAL_BALANCE);
        await token.connect(nodeA).approve(stakingAddress, ethers.MaxUint256);
        await staking.connect(nodeA).stake(MINIMUM_STAKE * 2n);
        await staking.connect(nodeA).requestUnstake(MINIMUM_STAKE);
        await time.increase(UNBONDING_PERIOD);
        return { token, staking, stakingAddress, admin, nodeA, nodeB };
      }

      it("a harmless callback goes through, so the hook is live", async function () {
        const { token, staking, stakingAddress, nodeA } = await loadFixture(reentrantFixture);
        await token.setHook(stakingAddress, staking.interface.encodeFunctionData("totalActiveStake"));
        await expect(staking.connect(nodeA).withdraw())
          .to.emit(staking, "Withdrawn")
          .withArgs(nodeA.address, MINIMUM_STAKE);
        expect(await token.hookTarget()).to.equal(ethers.ZeroAddress);
      });

      it("reentering withdraw from withdraw reverts", async function () {
        const { token, staking, stakingAddress, nodeA } = await loadFixture(reentrantFixture);
        await token.setHook(stakingAddress, staking.interface.encodeFunctionData("withdraw"));
        await expect(staking.connect(nodeA).withdraw()).to.be.revertedWithCustomError(
          staking,
          "ReentrancyGuardReentrantCall",
        );
      });

      for (const [name, args] of [
        ["stake", [MINIMUM_STAKE]],
        ["stakeFor", [ethers.Wallet.createRandom().address, MINIMUM_STAKE]],
        ["requestUnstake", [1n]],
        ["slash", [ethers.Wallet.createRandom().address, 1n, [], []]],
      ] as const) {
        it(`reentering ${name} from withdraw reverts, even when the token holds the dispute role`, async function () {
          const { token, staking, stakingAddress, admin, nodeA } = await loadFixture(reentrantFixture);
          const tokenAddress = await token.getAddress();
          await staking.connect(admin).grantRole(await staking.DISPUTE_ROLE(), tokenAddress);
          const calldata = (staking.interface as Interface).encodeFunctionData(name, [...args]);
          await token.setHook(stakingAddress, calldata);
          await expect(staking.connect(nodeA).withdraw()).to.be.revertedWithCustomError(
            staking,
            "ReentrancyGuardReentrantCall",
          );
        });
      }

      it("reentering from a slash payout reverts", async function () {
        const { token, staking, stakingAddress, admin, nodeA, nodeB } = await loadFixture(reentrantFixture);
        await token.setHook(stakingAddress, staking.interface.encodeFunctionData("withdraw"));
        await expect(
          staking.connect(admin).slash(nodeA.address, 10n, [nodeB.address], [5_000]),
        ).to.be.revertedWithCustomError(staking, "ReentrancyGuardReentrantCall");
      });

      it("reentering from the stake pull reverts", async function () {
        const { token, staking, stakingAddress, nodeA } = await loadFixture(reentrantFixture);
        await token.setHook(stakingAddress, staking.interface.encodeFunctionData("stake", [MINIMUM_STAKE]));
        await expect(staking.connect(nodeA).stake(MINIMUM_STAKE)).to.be.revertedWithCustomError(
          staking,
          "ReentrancyGuardReentrantCall",
        );
      });
    });
  });
});
