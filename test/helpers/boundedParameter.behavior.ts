import { expect } from "chai";
import { ethers } from "hardhat";
import type { ContractTransactionResponse, Interface, Signer } from "ethers";

/** What the shared suite needs from one bounded parameter of one contract, in a fresh state. */
export type BoundedParameterContext = {
  /** The contract under test (any TypeChain contract inheriting `IBoundedParameters`). */
  contract: { interface: Interface; getAddress(): Promise<string> };
  /** An account holding `role`. */
  admin: Signer;
  /** An account without `role`. */
  stranger: Signer & { address: string };
  /** Sets the parameter to `value` as `signer`. */
  set(signer: Signer, value: bigint): Promise<ContractTransactionResponse>;
  /** Reads the parameter back. */
  get(): Promise<bigint>;
};

/** The parameter as the contract names it and the bounds it must enforce (the test's own statement of them). */
export type BoundedParameterSpec = {
  /** The parameter's Solidity name, as `ParameterOutOfBounds` and `ParameterSet` carry it (e.g. "slashBps"). */
  name: string;
  min: bigint;
  max: bigint;
  /** The largest value the setter's argument type holds: no "above max" case when `max` is it. */
  typeMax?: bigint;
  /** The role the setter needs; `DEFAULT_ADMIN_ROLE` unless told. */
  role?: string;
  /**
   * Checks the setter's event for `value`. Default: `ParameterSet(name, value)`. Setters of a whole parameter set
   * (`setParameters`) emit their own event and pass a check of it.
   */
  expectEvent?: (tx: ContractTransactionResponse, ctx: BoundedParameterContext, value: bigint) => Promise<void>;
};

/**
 * The behaviour every bounded parameter shares (`contracts/libraries/BoundedParameters.sol`): `min` and `max` are
 * accepted, stored and announced; one below `min` and one above `max` revert with
 * `ParameterOutOfBounds(name, value, min, max)` and leave the value as it was; an account without the role is refused
 * with `AccessControlUnauthorizedAccount`. `setup` must return a fresh state (a `loadFixture`).
 */
export function shouldBehaveLikeBoundedParameter(
  spec: BoundedParameterSpec,
  setup: () => Promise<BoundedParameterContext>,
): void {
  const { name, min, max } = spec;
  const parameter = ethers.encodeBytes32String(name);
  const role = spec.role ?? ethers.ZeroHash;
  const expectEvent =
    spec.expectEvent ??
    (async (tx: ContractTransactionResponse, ctx: BoundedParameterContext, value: bigint) => {
      await expect(tx).to.emit(ctx.contract, "ParameterSet").withArgs(parameter, value);
    });

  describe(`bounded parameter ${name} in [${min}, ${max}]`, function () {
    it("accepts both bounds, stores them and announces each", async function () {
      const ctx = await setup();
      for (const value of [min, max]) {
        const tx = await ctx.set(ctx.admin, value);
        await expectEvent(tx, ctx, value);
        expect(await ctx.get()).to.equal(value);
      }
    });

    const outside: [string, bigint][] = [];
    if (min > 0n) outside.push(["one below the minimum", min - 1n]);
    if (spec.typeMax === undefined || max < spec.typeMax) outside.push(["one above the maximum", max + 1n]);
    for (const [label, value] of outside) {
      it(`refuses ${label} with ParameterOutOfBounds naming it, and keeps the value`, async function () {
        const ctx = await setup();
        const before = await ctx.get();
        await expect(ctx.set(ctx.admin, value))
          .to.be.revertedWithCustomError(ctx.contract, "ParameterOutOfBounds")
          .withArgs(parameter, value, min, max);
        expect(await ctx.get()).to.equal(before);
      });
    }

    it("refuses an account without the role", async function () {
      const ctx = await setup();
      const before = await ctx.get();
      await expect(ctx.set(ctx.stranger, min))
        .to.be.revertedWithCustomError(ctx.contract, "AccessControlUnauthorizedAccount")
        .withArgs(ctx.stranger.address, role);
      expect(await ctx.get()).to.equal(before);
    });
  });
}

/**
 * The event check for a field of a whole parameter set: the transaction emits `ParametersSet` once, and its struct's
 * `field` is the value set.
 */
export function expectParametersSetField(field: string): NonNullable<BoundedParameterSpec["expectEvent"]> {
  return async (tx, ctx, value) => {
    const receipt = await tx.wait();
    const events = (receipt?.logs ?? [])
      .map((log) => ctx.contract.interface.parseLog(log))
      .filter((event) => event?.name === "ParametersSet");
    expect(events).to.have.length(1);
    expect(events[0]!.args[0][field]).to.equal(value);
  };
}
