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

const rpcUrl = process.env.VERITY_RPC_URL;
const deployerKey = process.env.VERITY_DEPLOYER_KEY;

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: { optimizer: { enabled: true, runs: 10_000 }, evmVersion: "cancun" },
  },
  networks: {
    hardhat: { chainId: 31337 },
    localhost: { url: process.env.VERITY_LOCAL_RPC_URL ?? "http://127.0.0.1:8545", chainId: 31337 },
    ...(rpcUrl ? { remote: { url: rpcUrl, accounts: deployerKey ? [deployerKey] : [] } } : {}),
  },
  etherscan: { apiKey: process.env.VERITY_EXPLORER_KEY ?? "" },
  sourcify: { enabled: false },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  gasReporter: { enabled: process.env.REPORT_GAS === "true", offline: true },
  mocha: { timeout: 120_000 },
};

export default config;
