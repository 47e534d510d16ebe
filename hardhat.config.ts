import path from "node:path";
import { subtask, task } from "hardhat/config";
import { TASK_COMPILE, TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";
import "dotenv/config";
import { writeViemAbis } from "./scripts/writeViemAbis";

/** The solc version shipped by the pinned `solc` npm package; Hardhat cannot download compilers here. */
const SOLC_VERSION = "0.8.28";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  const compilerPath = path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js");
  return { compilerPath, isSolcJs: true, version: SOLC_VERSION, longVersion: `${SOLC_VERSION}+commit.7893614a` };
});

task(TASK_COMPILE, async (args, hre, runSuper) => {
  const result = await runSuper(args);
  await writeViemAbis(hre);
  return result;
});

const env = process.env;
const rpcUrl = env.VERITY_RPC_URL;
/**
 * The deployer's key: `verity deploy` validates VERITY_KEY (or decrypts VERITY_KEYSTORE) and passes it to this process
 * only, as VERITY_DEPLOYER_KEY. A malformed value is left out rather than breaking every Hardhat task at config load.
 */
const deployerKey = env.VERITY_DEPLOYER_KEY;
const accounts = deployerKey && /^(0x)?[0-9a-fA-F]{64}$/.test(deployerKey) ? [deployerKey] : [];

/**
 * Source verification (hardhat-verify, through `hardhat ignition verify` or `verity deploy`): VERITY_EXPLORER_API_KEY
 * alone uses the Etherscan v2 API (every chain Etherscan knows, e.g. Sepolia). A custom explorer adds
 * VERITY_EXPLORER_API_URL (its Etherscan-compatible API), VERITY_EXPLORER_URL (its web pages) and
 * VERITY_EXPLORER_CHAIN_ID (`deploy/deploy.ts` fills in the connected chain's id when unset).
 */
const explorerApiKey = env.VERITY_EXPLORER_API_KEY || env.VERITY_EXPLORER_KEY || "";
const explorerApiUrl = env.VERITY_EXPLORER_API_URL;
const CUSTOM_EXPLORER_NETWORK = "verity-explorer";

const config: HardhatUserConfig = {
  solidity: {
    compilers: [
      { version: SOLC_VERSION, settings: { optimizer: { enabled: true, runs: 10_000 }, evmVersion: "cancun" } },
    ],
    // Neither the dispute manager nor the router is gas-targeted; both outgrow the 24,576-byte code limit at 10,000 runs.
    overrides: {
      "contracts/dispute/DisputeManager.sol": {
        version: SOLC_VERSION,
        settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
      },
      // The fraud game is played rarely; its moves stay far under their targets at 1,000 runs.
      "contracts/dispute/FraudGame.sol": {
        version: SOLC_VERSION,
        settings: { optimizer: { enabled: true, runs: 1_000 }, evmVersion: "cancun" },
      },
      "contracts/router/InferenceRouter.sol": {
        version: SOLC_VERSION,
        settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
      },
    },
  },
  networks: {
    hardhat: { chainId: 31337 },
    localhost: { url: env.VERITY_LOCAL_RPC_URL ?? "http://127.0.0.1:8545", chainId: 31337 },
    sepolia: { url: rpcUrl || "https://ethereum-sepolia-rpc.publicnode.com", chainId: 11155111, accounts },
    ...(rpcUrl ? { remote: { url: rpcUrl, accounts } } : {}),
  },
  etherscan: explorerApiUrl
    ? {
        apiKey: { [CUSTOM_EXPLORER_NETWORK]: explorerApiKey },
        customChains: [
          {
            network: CUSTOM_EXPLORER_NETWORK,
            chainId: Number(env.VERITY_EXPLORER_CHAIN_ID ?? 0),
            urls: { apiURL: explorerApiUrl, browserURL: env.VERITY_EXPLORER_URL ?? explorerApiUrl },
          },
        ],
      }
    : { apiKey: explorerApiKey },
  sourcify: { enabled: false },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  gasReporter: { enabled: process.env.REPORT_GAS === "true", offline: true },
  mocha: { timeout: 120_000, jobs: 3 },
};

export default config;
