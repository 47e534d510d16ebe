import { isIP } from "node:net";

/** Least length of a batch token when one is required: a guessable token is no token. */
export const MIN_BATCH_TOKEN_LENGTH = 16;

/** True when `host` names only this machine: `localhost`, 127.0.0.0/8 or `::1` (not `0.0.0.0` nor `::`). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1" || bare === "0:0:0:0:0:0:0:1";
  return false;
}

/**
 * Why a node listening on `host` with this batch token would let strangers have it sign batches, or undefined when
 * it would not: beyond loopback, `POST /v1/batches` needs a token of at least {@link MIN_BATCH_TOKEN_LENGTH}
 * characters (`VERITY_BATCH_TOKEN`).
 */
export function checkBatchTokenExposure(host: string, batchToken: string | undefined): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  if (batchToken === undefined || batchToken === "") {
    return `listening on ${host}, beyond loopback, batch signing needs a bearer token: set VERITY_BATCH_TOKEN (at least ${MIN_BATCH_TOKEN_LENGTH} characters), or listen on 127.0.0.1`;
  }
  if (batchToken.length < MIN_BATCH_TOKEN_LENGTH) {
    return `listening on ${host}, beyond loopback, the batch token must have at least ${MIN_BATCH_TOKEN_LENGTH} characters (VERITY_BATCH_TOKEN has ${batchToken.length})`;
  }
  return undefined;
}
