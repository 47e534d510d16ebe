/**
 * `npx hardhat run deploy/deploy.ts [--network <name>]` (or `verity deploy`): deploys and wires Verity, prints the
 * addresses, and verifies every deployed contract's source when an explorer API key is set.
 *
 * Configuration comes from the environment (or `.env`): VERITY_STAKE_TOKEN (an existing ERC-20; without it a test
 * token is deployed), VERITY_ADMIN, VERITY_TREASURY, VERITY_MINIMUM_STAKE (base units), VERITY_UNBONDING_PERIOD
 * (seconds), VERITY_CHALLENGE_WINDOW (seconds), VERITY_COMMITTEE_SIZE and VERITY_QUORUM (dispute committees; defaults
 * 3 and 2), VERITY_DEPLOYMENTS_DIR (where `<network>.json` goes), VERITY_ERC8004_VALIDATION_REGISTRY (the network's
 * ERC-8004 Validation Registry for `VerityValidator`; without it a local chain gets test ERC-8004 registries and any
 * other chain no validator). For a remote network use
 * `verity deploy --network sepolia` (it passes VERITY_KEY on as VERITY_DEPLOYER_KEY), or set VERITY_RPC_URL and
 * VERITY_DEPLOYER_KEY and run this script with `--network sepolia` (or `--network remote`).
 *
 * Verification: VERITY_EXPLORER_API_KEY (Etherscan v2), plus VERITY_EXPLORER_API_URL / VERITY_EXPLORER_URL for an
 * explorer of another chain (see hardhat.config.ts). It runs `ignition verify` on the deployment's journal, so it
 * covers every contract Ignition deployed and skips those already verified (re-running is safe).
 */
import hre from "hardhat";
import { deployVerity, getDeploymentId } from "./deployVerity";
import { DEFAULT_DISPUTE_PARAMETERS } from "./modules/VerityCore";

function optionalBigInt(name: string): bigint | undefined {
  const value = process.env[name];
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return BigInt(value);
}

async function main(): Promise<void> {
  const env = process.env;
  const minimumStake = optionalBigInt("VERITY_MINIMUM_STAKE");
  const unbondingPeriod = optionalBigInt("VERITY_UNBONDING_PERIOD");
  const challengeWindow = optionalBigInt("VERITY_CHALLENGE_WINDOW");
  const committeeSize = optionalBigInt("VERITY_COMMITTEE_SIZE");
  const quorum = optionalBigInt("VERITY_QUORUM");
  const disputeParameters = {
    ...DEFAULT_DISPUTE_PARAMETERS,
    ...(committeeSize !== undefined ? { committeeSize: Number(committeeSize) } : {}),
    ...(quorum !== undefined ? { quorum: Number(quorum) } : {}),
  };
  const record = await deployVerity(hre, {
    ...(env.VERITY_STAKE_TOKEN ? { stakeToken: env.VERITY_STAKE_TOKEN } : {}),
    ...(env.VERITY_ADMIN ? { admin: env.VERITY_ADMIN } : {}),
    ...(env.VERITY_TREASURY ? { treasury: env.VERITY_TREASURY } : {}),
    ...(minimumStake !== undefined ? { minimumStake } : {}),
    ...(unbondingPeriod !== undefined ? { unbondingPeriod } : {}),
    ...(challengeWindow !== undefined ? { challengeWindow } : {}),
    ...(committeeSize !== undefined || quorum !== undefined ? { disputeParameters } : {}),
    ...(env.VERITY_DEPLOYMENTS_DIR ? { deploymentsDir: env.VERITY_DEPLOYMENTS_DIR } : {}),
    ...(env.VERITY_ERC8004_VALIDATION_REGISTRY ? { validationRegistry: env.VERITY_ERC8004_VALIDATION_REGISTRY } : {}),
  });
  console.log(`Verity on ${record.network} (chain ${record.chainId}):`);
  console.table(record.contracts);
  if (env.VERITY_EXPLORER_API_KEY || env.VERITY_EXPLORER_KEY) await verifySources(record.chainId);
}

/** Verifies the sources of every contract in this network's Ignition journal on the configured explorer. */
async function verifySources(chainId: number): Promise<void> {
  const deploymentId = (await getDeploymentId(hre)) ?? `chain-${chainId}`;
  // A custom explorer's chain id defaults to the connected chain's (hardhat.config.ts leaves it 0 when unset).
  for (const chain of hre.config.etherscan.customChains) if (chain.chainId === 0) chain.chainId = chainId;
  console.log(`Verifying the sources of deployment ${deploymentId}`);
  await hre.run({ scope: "ignition", task: "verify" }, { deploymentId });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
