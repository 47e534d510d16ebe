import { readDeploymentFile } from "../chain/deployment";
import { resolveRpcUrl } from "../config/dotEnv";

/** Where a local `hardhat node` listens by default. */
export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

/** The `--rpc-url` help of the long-running services, which resolve it with `resolveServiceRpcUrl`. */
export const SERVICE_RPC_URL_HELP =
  "JSON-RPC node (env VERITY_RPC_URL; default: the deployment file's rpcUrl, else http://127.0.0.1:8545)";

/**
 * The JSON-RPC URL of `node serve`, `keeper run` and `verifier run`, in the order every other command uses
 * (`resolveRpcUrl`: flag, environment, the deployment's recorded `rpcUrl`, `.env`, 127.0.0.1:8545). A
 * deployment file that cannot be read gives the default here; the command reads it again and reports the problem.
 */
export function resolveServiceRpcUrl(
  flag: string | undefined,
  deploymentFile: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  let recorded: string | undefined;
  try {
    recorded = readDeploymentFile(deploymentFile).rpcUrl;
  } catch {
    recorded = undefined;
  }
  return resolveRpcUrl(flag, recorded, env).url;
}

/**
 * Checks, before a service starts, that the chain answers at `rpcUrl` with the deployment's chain id: a service
 * started before its chain then fails with `chain unreachable at <url>` (exit 3) instead of a library's request dump.
 */
export async function assertServiceChain(rpcUrl: string, deploymentFile: string): Promise<void> {
  const [{ createVerityClients }, { assertChain }] = await Promise.all([
    import("../chain/createVerityClients"),
    import("./options"),
  ]);
  const { chainId } = readDeploymentFile(deploymentFile);
  await assertChain(createVerityClients({ rpcUrl, chainId, retryCount: 1 }), rpcUrl, chainId);
}
