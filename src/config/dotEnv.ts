import dotenv from "dotenv";

/** The variables `.env` supplied (the environment had none of that name when it was read). */
const fromDotEnv = new Set<string>();

/**
 * Reads `.env` in the working directory into `process.env` without overriding anything the environment already sets
 * (as `dotenv/config` does), and remembers which names came from the file: `VERITY_RPC_URL` ranks differently there.
 */
export function loadDotEnv(): void {
  const before = new Set(Object.keys(process.env));
  const { parsed } = dotenv.config({ quiet: true });
  for (const name of Object.keys(parsed ?? {})) if (!before.has(name)) fromDotEnv.add(name);
}

/**
 * The JSON-RPC URL commands use, highest first: the `--rpc-url` flag; `VERITY_RPC_URL` set in the environment (the
 * shell, a CI job); the `rpcUrl` a local deployment recorded in its deployment file; `VERITY_RPC_URL` from `.env`;
 * `http://127.0.0.1:8545`. A `.env` is project-wide and usually names a remote network's node, while a recorded URL
 * belongs to the one local chain its file describes (remote deployments record none), so the file is the better
 * witness for the local chain; a variable set in the shell is a deliberate choice for this run and still wins.
 * Returns the URL and the name of its source (for error messages).
 */
export function resolveRpcUrl(
  flag: string | undefined,
  recorded: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { url: string; source: string } {
  if (flag) return { url: flag, source: "--rpc-url" };
  const variable = env.VERITY_RPC_URL || undefined;
  const inFile = variable !== undefined && fromDotEnv.has("VERITY_RPC_URL") && env === process.env;
  if (variable !== undefined && !inFile) return { url: variable, source: "VERITY_RPC_URL" };
  if (recorded) return { url: recorded, source: "rpcUrl" };
  if (variable !== undefined) return { url: variable, source: "VERITY_RPC_URL (.env)" };
  return { url: "http://127.0.0.1:8545", source: "rpcUrl" };
}
