import { Hono } from "hono";
import { isNodeActive } from "../chain/actions/isNodeActive";
import { getErrorMessage, getSecp256k1Backend } from "../protocol";
import { listenHttp, type HttpListener } from "../service/listenHttp";
import type { VerifierContext } from "./context";

/** What the verifier's loop tells its health route: when a step last finished, and the last step's error. */
export interface VerifierHealthState {
  lastProgressAt: number;
  lastError: string | undefined;
}

/**
 * `GET /health` of the verifier, shaped as the node's and the keeper's: `{status:"ok"|"degraded", problems, account,
 * chainId, crypto, active, cursor, lastBlock, lastError, lastProgressAt}`. `degraded` while the chain doesn't answer,
 * the verifier is not an active staked node (it cannot sit on committees) or its last step failed.
 */
export function createVerifierHealthApp(context: VerifierContext, state: VerifierHealthState): Hono {
  const app = new Hono();
  app.get("/health", async (c) => {
    const problems: string[] = [];
    const account = context.clients.walletClient?.account.address ?? context.beneficiary;
    let lastBlock: string | null = null;
    let active = false;
    try {
      lastBlock = (await context.clients.publicClient.getBlockNumber({ cacheTime: 0 })).toString(10);
      active = await isNodeActive(context.clients.publicClient, {
        address: context.addresses.nodeRegistry,
        node: account,
      });
      if (!active) problems.push(`${account} is not an active verifier (registered with stake, not jailed)`);
    } catch (error) {
      problems.push(`chain: ${getErrorMessage(error).split("\n")[0]}`);
    }
    if (state.lastError !== undefined) problems.push(`last step failed: ${state.lastError}`);
    const cursor = context.store.cursor();
    return c.json({
      status: problems.length === 0 ? "ok" : "degraded",
      problems,
      account,
      chainId: context.chainId,
      crypto: getSecp256k1Backend(),
      active,
      cursor: cursor === undefined ? null : cursor.toString(10),
      lastBlock,
      lastError: state.lastError ?? null,
      lastProgressAt: new Date(state.lastProgressAt).toISOString(),
    });
  });
  app.notFound((c) => c.json({ error: "NotFound", message: `No route ${c.req.method} ${c.req.path}.` }, 404));
  return app;
}

/** Serves {@link createVerifierHealthApp} on `host:port` (port 0: a free one). */
export function serveVerifierHealth(
  context: VerifierContext,
  state: VerifierHealthState,
  listen: { host: string; port: number },
): Promise<HttpListener> {
  return listenHttp({ fetch: createVerifierHealthApp(context, state).fetch, ...listen, requestTimeoutMs: 10_000 });
}
