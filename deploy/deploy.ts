/**
 * `npx hardhat run deploy/deploy.ts [--network <name>]`: deploys and wires Verity, then prints the addresses.
 *
 * Configuration comes from the environment (or `.env`): VERITY_STAKE_TOKEN (an existing ERC-20; without it a test
 * token is deployed), VERITY_ADMIN, VERITY_TREASURY, VERITY_MINIMUM_STAKE (base units), VERITY_UNBONDING_PERIOD
 * (seconds), VERITY_CHALLENGE_WINDOW (seconds), VERITY_COMMITTEE_SIZE and VERITY_QUORUM (dispute committees; defaults
 * 3 and 2), VERITY_DEPLOYMENTS_DIR (where `<network>.json` goes). For a remote network set VERITY_RPC_URL and VERITY_DEPLOYER_KEY and pass `--network remote`.
 */
import hre from "hardhat";
import { deployVerity } from "./deployVerity";
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
  });
  console.log(`Verity on ${record.network} (chain ${record.chainId}):`);
  console.table(record.contracts);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
