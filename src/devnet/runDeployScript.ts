import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { getErrorMessage } from "../protocol";
import { readDeploymentFile, type DeploymentRecord } from "../chain/deployment";

const run = promisify(execFile);
const DEPLOY_ATTEMPTS = 3;
const DROPPED_CONNECTION = /other side closed|ECONNRESET|socket hang up|UND_ERR_SOCKET/;
const root = path.resolve(__dirname, "..", "..");

/**
 * Runs `deploy/deploy.ts` (the users' path) against the JSON-RPC node at `rpcUrl` as the `localhost` network,
 * writing `<deploymentsDir>/localhost.json`, and returns that record. `environment` adds deploy settings
 * (`VERITY_MINIMUM_STAKE`, ...).
 */
export async function runDeployScript(
  rpcUrl: string,
  deploymentsDir: string,
  environment: Record<string, string> = {},
): Promise<DeploymentRecord> {
  const deploy = () =>
    run(
      process.execPath,
      [require.resolve("hardhat/internal/cli/bootstrap"), "run", "deploy/deploy.ts", "--network", "localhost"],
      {
        cwd: root,
        env: {
          ...withoutVerification(process.env),
          ...environment,
          VERITY_LOCAL_RPC_URL: rpcUrl,
          VERITY_DEPLOYMENTS_DIR: deploymentsDir,
        },
      },
    );
  for (let attempt = 1; ; attempt++) {
    try {
      await deploy();
      break;
    } catch (error) {
      // A loaded machine can drop a kept-alive connection ("other side closed"); Ignition's journal makes the
      // re-run continue where the first one stopped, so a dropped connection is retried, anything else is not.
      if (attempt >= DEPLOY_ATTEMPTS || !DROPPED_CONNECTION.test(getErrorMessage(error))) throw error;
    }
  }
  return readDeploymentFile(path.join(deploymentsDir, "localhost.json"));
}

/** The environment without explorer keys: a development chain has no explorer, so its deploy never verifies. */
function withoutVerification(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { VERITY_EXPLORER_API_KEY: _key, VERITY_EXPLORER_KEY: _legacyKey, ...rest } = environment;
  return rest;
}
