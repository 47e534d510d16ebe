import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestClient, http, parseEther } from "viem";
import { mnemonicToAccount, type HDAccount } from "viem/accounts";
import { createVerityClients, type VerityClients } from "../chain/createVerityClients";
import type { DeploymentRecord, VerityContracts } from "../chain/deployment";
import { mint } from "../chain/actions/mint";
import { sendContractCall } from "../chain/sendContractCall";
import { startLocalChain, type LocalChain } from "./startLocalChain";
import { reuseLocalSystem } from "./reuseLocalSystem";
import { runDeployScript } from "./runDeployScript";

/** The mnemonic of `hardhat node`'s well-known development accounts. */
const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/**
 * Deploy settings of the demo: 100-token minimum stake, and committees of 2 with quorum 2, since the demo has three
 * verifiers and the challenger never sits on its own dispute's committee.
 */
export const DEMO_DEPLOY_ENVIRONMENT: Record<string, string> = {
  VERITY_MINIMUM_STAKE: parseEther("100").toString(),
  VERITY_COMMITTEE_SIZE: "2",
  VERITY_QUORUM: "2",
};

/** A whole Verity deployment on a real `hardhat node`, with funded accounts. */
export interface LocalSystem {
  chain: LocalChain;
  deployment: DeploymentRecord;
  addresses: VerityContracts;
  /** Development account `index` (0 deployed and owns the test token). */
  account(index: number): HDAccount;
  clients(index: number): VerityClients;
  /** Moves chain time forward by `seconds` and mines a block. */
  advanceTime(seconds: number): Promise<void>;
  mine(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a `hardhat node`, deploys Verity to it with `deploy/deploy.ts` (the users' path), and mints 1,000,000 test
 * tokens to development accounts 1–12. With `VERITY_DEVNET_REUSE=1` (as `npm test` sets) a stopped system with the
 * same settings is reverted to its deployed state and handed out again (see `reuseLocalSystem`).
 */
export async function startLocalSystem(environment: Record<string, string> = {}): Promise<LocalSystem> {
  return process.env.VERITY_DEVNET_REUSE === "1"
    ? reuseLocalSystem(environment, startFreshLocalSystem)
    : startFreshLocalSystem(environment);
}

async function startFreshLocalSystem(environment: Record<string, string>): Promise<LocalSystem> {
  const chain = await startLocalChain();
  const deploymentsDir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-e2e-"));
  let deployment: DeploymentRecord;
  try {
    deployment = await runDeployScript(chain.rpcUrl, deploymentsDir, environment);
  } catch (error) {
    await chain.stop();
    throw error;
  }
  const addresses = deployment.contracts;
  const account = (index: number) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
  const clients = (index: number) =>
    createVerityClients({
      rpcUrl: chain.rpcUrl,
      chainId: deployment.chainId,
      account: account(index),
      pollingInterval: 50,
    });
  const testClient = createTestClient({ mode: "hardhat", transport: http(chain.rpcUrl) });

  const owner = clients(0);
  for (let index = 1; index <= 12; index++) {
    await sendContractCall(
      owner,
      mint({ address: addresses.token, to: account(index).address, amount: parseEther("1000000") }),
    );
  }

  return {
    chain,
    deployment,
    addresses,
    account,
    clients,
    async advanceTime(seconds) {
      await testClient.increaseTime({ seconds });
      await testClient.mine({ blocks: 1 });
    },
    async mine() {
      await testClient.mine({ blocks: 1 });
    },
    stop: () => chain.stop(),
  };
}
