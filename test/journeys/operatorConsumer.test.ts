import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bytesToHex, parseEther } from "viem";
import { startLocalSystem, type LocalSystem } from "../../src/devnet/startLocalSystem";
import { readModelManifest } from "../../src/models";
import { ensureCompiledCli, runVerityBin } from "../cli/compiledCli";

const MODELS_DIR = path.resolve(__dirname, "..", "..", "models");
const OWNER = 0;
const CONSUMER = 5;
/** Not funded by startLocalSystem (it mints to accounts 1–12): a brand-new operator. */
const NEWCOMER = 13;
const SIGNER = 14;

/** Operators who start with no tokens, consumers who must not lose fees, and errors a person can read. */
describe("journey: operators get tokens and start, consumers don't lose fees (compiled CLI)", function () {
  this.timeout(400_000);
  let system: LocalSystem;
  let dir: string;
  let deployment: string;
  let chain: string[];
  const INT8 = readModelManifest(MODELS_DIR).models.find((m) => m.name === "iris-int8")!.modelId;
  const keyOf = (index: number) => bytesToHex(system.account(index).getHdKey().privateKey!);
  const as = (index: number) => ({ VERITY_KEY: keyOf(index), VERITY_KEYSTORE: "" });
  const input = (name: string, value: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  };

  before(async function () {
    ensureCompiledCli();
    system = await startLocalSystem({ VERITY_MINIMUM_STAKE: parseEther("100").toString() });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-operator-journey-"));
    deployment = path.join(dir, "localhost.json");
    fs.writeFileSync(deployment, JSON.stringify({ ...system.deployment, rpcUrl: system.chain.rpcUrl }));
    chain = ["--deployment", deployment];
    const registered = await runVerityBin(
      ["model", "register", path.join(MODELS_DIR, "iris-int8.vmodel"), ...chain],
      as(OWNER),
    );
    expect(registered.code, registered.stderr).to.equal(0);
  });

  after(async function () {
    await system?.stop();
  });

  it("uses the deployment file's rpcUrl when no flag or variable names one", async function () {
    const run = await runVerityBin(["model", "list", "--json", ...chain], { VERITY_RPC_URL: "" });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain(INT8);
  });

  it("checks the balance before approving: a newcomer's stake fails with how to get tokens, nothing sent", async function () {
    const balance = await runVerityBin(["token", "balance", "--json", ...chain], as(NEWCOMER));
    expect(JSON.parse(balance.stdout)).to.include({ balance: "0", symbol: "VRTT" });
    const stake = await runVerityBin(["node", "stake", "1000", ...chain], as(NEWCOMER));
    expect(stake.code).to.equal(1);
    expect(stake.stderr).to.contain("holds 0 VRTT; staking 1000 VRTT needs 1000 VRTT").and.contain("verity token mint");
    expect(stake.stderr).to.not.contain("approving");
  });

  it("mints test tokens only for the token's owner, then the newcomer registers and stakes", async function () {
    const refused = await runVerityBin(["token", "mint", "1000", ...chain], as(NEWCOMER));
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain("only the test token's owner");
    const newcomer = system.account(NEWCOMER).address;
    const minted = await runVerityBin(["token", "mint", "1500", "--to", newcomer, "--json", ...chain], as(OWNER));
    expect(minted.code, minted.stderr).to.equal(0);
    expect(JSON.parse(minted.stdout)).to.include({ to: newcomer, minted: "1500", balance: "1500" });
    const signer = system.account(SIGNER).address;
    const register = await runVerityBin(
      ["node", "register", "--signer", signer, "--endpoint", "http://127.0.0.1:9", "--models", INT8, ...chain],
      as(NEWCOMER),
    );
    expect(register.code, register.stderr).to.equal(0);
    const stake = await runVerityBin(["node", "stake", "1000", ...chain], as(NEWCOMER));
    expect(stake.code, stake.stderr).to.equal(0);
  });

  it("names the release date when withdrawing while unbonding", async function () {
    expect((await runVerityBin(["node", "unstake", "10", ...chain], as(NEWCOMER))).code).to.equal(0);
    const run = await runVerityBin(["node", "withdraw", ...chain], as(NEWCOMER));
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/still unbonding, released 10 VRTT on \d{4}-\d\d-\d\dT/);
  });

  it("refuses inputs the model does not take before any transaction (range, shape, dtype)", async function () {
    const submit = (file: string) =>
      runVerityBin(["request", "submit", "--model", INT8, "--input", file, "--fee", "1", ...chain], as(CONSUMER));
    const range = await submit(input("range.json", { dtype: "int8", shape: [1, 4], data: [400, 1, 2, 3] }));
    expect(range.code).to.equal(2);
    expect(range.stderr).to.contain("data[0] is not an int8 (-128..127): 400");
    const shape = await submit(input("shape.json", { dtype: "int8", shape: [1, 3], data: [1, 2, 3] }));
    expect(shape.code).to.equal(2);
    expect(shape.stderr).to.contain("the model takes shape [1, 4], the input has [1, 3]");
    const dtype = await submit(input("dtype.json", { dtype: "float32", shape: [1, 4], data: [1, 2, 3, 4] }));
    expect(dtype.code).to.equal(2);
    expect(dtype.stderr).to.contain("the model takes int8, the input is float32");
    for (const run of [range, shape, dtype]) expect(run.stderr).to.not.contain("approving");
  });

  it("decodes a revert with its arguments in token units", async function () {
    const file = input("ok.json", { dtype: "int8", shape: [1, 4], data: [50, 30, 14, 2] });
    const run = await runVerityBin(
      ["request", "submit", "--model", INT8, "--input", file, "--fee", "0.000000000000000001", ...chain],
      as(CONSUMER),
    );
    expect(run.code).to.equal(4);
    expect(run.stderr).to.match(/RouterFeeTooLow\(fee: 0\.000000000000000001 VRTT, minimum: [\d.]+ VRTT\)/);
  });

  it("refunds a request nobody answered (verity request refund)", async function () {
    const file = input("ok.json", { dtype: "int8", shape: [1, 4], data: [50, 30, 14, 2] });
    const submitted = await runVerityBin(
      ["request", "submit", "--model", INT8, "--input", file, "--fee", "1", "--deadline", "600", "--json", ...chain],
      as(CONSUMER),
    );
    expect(submitted.code, submitted.stderr).to.equal(0);
    const { requestId } = JSON.parse(submitted.stdout) as { requestId: string };
    const stateOf = async () =>
      (JSON.parse((await runVerityBin(["request", "show", requestId, "--json", ...chain])).stdout) as { state: string })
        .state;
    await system.advanceTime(3_600);
    expect(await stateOf()).to.equal("expired");
    const early = await runVerityBin(["request", "refund", requestId, ...chain], as(CONSUMER));
    expect(early.code).to.equal(1);
    expect(early.stderr).to.contain("run `verity request reassign` first");
    for (let round = 0; round < 6 && (await stateOf()) === "expired"; round++) {
      const reassigned = await runVerityBin(["request", "reassign", requestId, ...chain], as(CONSUMER));
      expect(reassigned.code, reassigned.stderr).to.equal(0);
      await system.advanceTime(3_600);
    }
    expect(await stateOf()).to.equal("unservable");
    const refunded = await runVerityBin(["request", "refund", requestId, "--json", ...chain], as(CONSUMER));
    expect(refunded.code, refunded.stderr).to.equal(0);
    expect(JSON.parse(refunded.stdout)).to.include({ before: "unservable", state: "refunded" });
  });

  it("names a stale deployment file as such", async function () {
    const stale = path.join(dir, "stale.json");
    const contracts = Object.fromEntries(
      Object.keys(system.deployment.contracts).map((name, i) => [name, `0x${(i + 1).toString(16).padStart(40, "0")}`]),
    );
    fs.writeFileSync(stale, JSON.stringify({ ...system.deployment, rpcUrl: system.chain.rpcUrl, contracts }));
    const run = await runVerityBin(["model", "list", "--deployment", stale]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain("is stale").and.not.contain('returned no data ("0x")');
  });

  it("explains a zero key and a key with a trailing space", async function () {
    const zero = await runVerityBin(["token", "balance", ...chain], { VERITY_KEY: `0x${"00".repeat(32)}` });
    expect(zero.code).to.equal(2);
    expect(zero.stderr).to.contain("the private key is zero");
    const spaced = await runVerityBin(["token", "balance", ...chain], { VERITY_KEY: `${keyOf(CONSUMER)} ` });
    expect(spaced.code).to.equal(2);
    expect(spaced.stderr).to.contain("trailing whitespace");
  });

  it("exits 2 listing the known networks for an unknown --network, without a stack trace", async function () {
    const run = await runVerityBin(["deploy", "--network", "mainnet"]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('unknown network "mainnet"; known: localhost, hardhat, sepolia');
    expect(run.stderr).to.not.match(/\n\s+at /);
  });
});
