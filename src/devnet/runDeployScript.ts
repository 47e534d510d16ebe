import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { readDeploymentFile, type DeploymentRecord } from "../chain/deployment";

const run = promisify(execFile);
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
  await run(
    process.execPath,
    [require.resolve("hardhat/internal/cli/bootstrap"), "run", "deploy/deploy.ts", "--network", "localhost"],
    {
      cwd: root,
      env: { ...process.env, ...environment, VERITY_LOCAL_RPC_URL: rpcUrl, VERITY_DEPLOYMENTS_DIR: deploymentsDir },
    },
  );
  return readDeploymentFile(path.join(deploymentsDir, "localhost.json"));
}
