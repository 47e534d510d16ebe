import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPublicClient, encodeAbiParameters, getAddress, http } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { localIgnitionDeploymentId } from "../../src/chain/deployment";
import { startLocalChain, type LocalChain } from "../../src/devnet/startLocalChain";
import { EtherscanApiMock } from "./EtherscanApiMock";
import { deployKilledAfterSending, type InterruptedDeploy } from "./interruptDeploy";
import { DEAD_RPC_URL, parseJsonRun, runVerity } from "./runVerity";

const DEPLOYER = mnemonicToAccount("test test test test test test test test test test test junk").address;

/** Where each deployed contract's source lives, by its name in the deployment file. */
const SOURCES: Record<string, string> = {
  token: "contracts/token/VerityTestToken.sol:VerityTestToken",
  modelRegistry: "contracts/registry/ModelRegistry.sol:ModelRegistry",
  staking: "contracts/staking/Staking.sol:Staking",
  nodeRegistry: "contracts/registry/NodeRegistry.sol:NodeRegistry",
  attestationRegistry: "contracts/attestation/AttestationRegistry.sol:AttestationRegistry",
  disputeManager: "contracts/dispute/DisputeManager.sol:DisputeManager",
  equivocationSlasher: "contracts/dispute/EquivocationSlasher.sol:EquivocationSlasher",
  dataAvailabilityManager: "contracts/dispute/DataAvailabilityManager.sol:DataAvailabilityManager",
  inferenceRouter: "contracts/router/InferenceRouter.sol:InferenceRouter",
  oneStepExecutor: "contracts/dispute/fraud/OneStepExecutor.sol:OneStepExecutor",
  fraudGame: "contracts/dispute/FraudGame.sol:FraudGame",
  // The ERC-8004 validator, with the test registries a local chain gets.
  verityValidator: "contracts/erc8004/VerityValidator.sol:VerityValidator",
  validationRegistry: "contracts/test/ValidationRegistryForTests.sol:ValidationRegistryForTests",
  identityRegistry: "contracts/test/IdentityRegistryForTests.sol:IdentityRegistryForTests",
};

interface DeployResult {
  startBlock: number;
  network: string;
  chainId: number;
  contracts: Record<string, string>;
  verified: boolean;
  deploymentFile: string;
}

describe("verity deploy", function () {
  this.timeout(400_000);
  let chain: LocalChain;
  let explorer: EtherscanApiMock;
  let dir: string;
  let first: DeployResult;
  let killedJournal: InterruptedDeploy["journal"] = [];
  const explorerEnv = () => ({
    VERITY_EXPLORER_API_KEY: "test-explorer-key",
    VERITY_EXPLORER_API_URL: explorer.url,
    VERITY_EXPLORER_URL: "http://explorer.local",
    VERITY_EXPLORER_CHAIN_ID: undefined,
    VERITY_KEY: undefined,
    VERITY_KEYSTORE: undefined,
  });

  before(async function () {
    [chain, explorer] = await Promise.all([startLocalChain(), new EtherscanApiMock()]);
    await explorer.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-deploy-"));
  });

  after(async function () {
    await Promise.all([chain?.stop(), explorer?.stop()]);
  });

  describe("with an explorer key", function () {
    it("a deploy killed while the validator is on its way leaves a journal a re-run can resume", async function () {
      // The validator comes after the core (it reads the attestation registry): the run dies after sending it and
      // before it is confirmed. (When it was a second Ignition module in the same journal, the re-run failed with
      // "Invariant violated: neither timeouts or failures".)
      const validatorFuture = "VerityLocal#VerityValidator";
      const { signal, journal } = await deployKilledAfterSending(chain.rpcUrl, dir, validatorFuture);
      killedJournal = journal;
      expect(signal).to.equal("SIGKILL");
      const lines = journal.filter((line) => line.futureId === validatorFuture).map((line) => line.type);
      expect(lines).to.include("TRANSACTION_SEND");
      expect(lines, "killed before the confirmation").to.not.include("DEPLOYMENT_EXECUTION_STATE_COMPLETE");
      expect(fs.existsSync(path.join(dir, "localhost.json")), "no deployment file before the end").to.equal(false);
    });

    it("deploys every contract (resuming the killed run), writes the deployment file and prints the addresses as JSON", async function () {
      const run = await runVerity(
        ["deploy", "--network", "localhost", "--rpc-url", chain.rpcUrl, "--deployments-dir", dir, "--json"],
        explorerEnv(),
      );
      first = parseJsonRun<DeployResult>(run);
      // The resumed run kept what the killed one had deployed.
      const staking = killedJournal.find((line) => line.futureId === "VerityLocal#Staking" && line.result?.address);
      expect(staking?.result?.address, "the killed run had deployed Staking").to.be.a("string");
      expect(first.contracts.staking).to.equal(getAddress(staking!.result!.address!));
      expect(run.stderr, "progress on stderr with --json").to.contain("deploying to localhost");
      expect(first).to.include({ network: "localhost", chainId: 31337, verified: true });
      expect(Object.keys(first.contracts).sort()).to.deep.equal(Object.keys(SOURCES).sort());
      expect(JSON.parse(fs.readFileSync(path.join(dir, "localhost.json"), "utf8")).contracts).to.deep.equal(
        first.contracts,
      );
    });

    it("submitted each contract's source once, with its compiler, name and address", function () {
      const submitted = new Map(explorer.submissions.map((submission) => [submission.address, submission]));
      expect(explorer.submissions).to.have.length(Object.keys(SOURCES).length);
      for (const [name, address] of Object.entries(first.contracts)) {
        const submission = submitted.get(address.toLowerCase());
        expect(submission, name).to.not.equal(undefined);
        expect(submission!.contractName).to.equal(SOURCES[name]);
        expect(submission!.apikey).to.equal("test-explorer-key");
        expect(submission!.compilerVersion).to.equal("v0.8.28+commit.7893614a");
        expect(submission!.codeFormat).to.equal("solidity-standard-json-input");
        expect(submission!.input.language).to.equal("Solidity");
        const file = SOURCES[name]!.split(":")[0]!;
        expect(submission!.input.sources[file]?.content, file).to.contain(`contract ${SOURCES[name]!.split(":")[1]}`);
        expect(submission!.input.settings).to.deep.include({ evmVersion: "cancun" });
      }
    });

    it("submitted the ABI-encoded constructor arguments", function () {
      const argumentsOf = (name: string) =>
        explorer.submissions.find((s) => s.address === first.contracts[name]!.toLowerCase())!.constructorArguments;
      const { modelRegistry, staking } = first.contracts;
      const addresses = [{ type: "address" }, { type: "address" }, { type: "address" }] as const;
      expect(`0x${argumentsOf("nodeRegistry")}`).to.equal(
        encodeAbiParameters(addresses, [modelRegistry as `0x${string}`, staking as `0x${string}`, DEPLOYER]),
      );
      expect(`0x${argumentsOf("token")}`).to.equal(encodeAbiParameters([{ type: "address" }], [DEPLOYER]));
      expect(argumentsOf("modelRegistry")).to.equal("");
    });

    it("resumes: a second run deploys nothing new, finds every source verified and prints a table", async function () {
      const client = createPublicClient({ transport: http(chain.rpcUrl) });
      const blockBefore = await client.getBlockNumber();
      const run = await runVerity(
        ["deploy", "--network", "localhost", "--rpc-url", chain.rpcUrl, "--deployments-dir", dir],
        explorerEnv(),
      );
      expect(run.code, run.stderr).to.equal(0);
      for (const address of Object.values(first.contracts)) expect(run.stdout).to.contain(address);
      expect(run.stdout).to.contain("deploymentFile");
      expect(run.stderr).to.contain("already verified");
      // The rerun keeps the first deployment's start block, so indexers still see the whole history.
      const record = JSON.parse(fs.readFileSync(path.join(dir, "localhost.json"), "utf8")) as { startBlock: number };
      expect(record.startBlock).to.equal(first.startBlock);
      expect(explorer.submissions).to.have.length(Object.keys(SOURCES).length);
      // Not a single transaction: Ignition's journal and the role checks find everything done.
      expect(await client.getBlockNumber()).to.equal(blockBefore);
    });
  });

  describe("when the chain stops", function () {
    it("its deployment journal (about 100 MB of build info) goes with it", async function () {
      const genesis = await createPublicClient({ transport: http(chain.rpcUrl) }).getBlock({ blockNumber: 0n });
      const journal = path.join(
        "ignition",
        "deployments",
        localIgnitionDeploymentId(genesis.timestamp, `${chain.port}`),
      );
      expect(fs.existsSync(journal), journal).to.equal(true);
      await chain.stop();
      expect(fs.existsSync(journal), journal).to.equal(false);
    });
  });

  describe("failures", function () {
    it("exits 3 when the chain is down", async function () {
      const run = await runVerity(["deploy", "--rpc-url", DEAD_RPC_URL, "--deployments-dir", dir], explorerEnv());
      expect(run.code).to.equal(3);
      expect(run.stderr).to.contain(`chain unreachable at ${DEAD_RPC_URL}`);
    });

    it("exits 2 on a bad network name, and on a remote network without a key", async function () {
      const bad = await runVerity(["deploy", "--network", "../etc"]);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain("--network: not a network name");
      const keyless = await runVerity(["deploy", "--network", "sepolia"], {
        VERITY_KEY: undefined,
        VERITY_KEYSTORE: undefined,
      });
      expect(keyless.code).to.equal(2);
      expect(keyless.stderr).to.contain("needs a key");
    });
  });
});
