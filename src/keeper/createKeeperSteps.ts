import type { Logger } from "pino";
import { getErrorMessage } from "../protocol";
import { sleep } from "../service/backoff";
import { createLoop, type Loop } from "../service/createLoop";
import { RetrySchedule } from "../service/RetrySchedule";
import type { Batcher } from "./Batcher";
import { NodeBatchError, PermanentError } from "./errors";
import type { JailSweeper } from "./JailSweeper";
import type { KeeperStore } from "./KeeperStore";
import type { KeeperMetrics } from "./metrics";
import type { RequestWatcher } from "./RequestWatcher";
import type { RouterWorker } from "./RouterWorker";
import type { ValidatorWorker } from "./ValidatorWorker";

/** Permanent failures of one batch plan before its receipts are re-batched (it is never retried forever). */
const MAX_PERMANENT_ATTEMPTS = 5;
/** Backoff of failures that may heal soon (RPC or node down, HTTP 5xx). */
const TRANSIENT = { baseMs: 250, maxMs: 30_000 };
/** Backoff of failures that need someone to act (a node refusing to sign, a contract refusing a batch). */
const PERMANENT = { baseMs: 2_000, maxMs: 300_000 };

export interface KeeperStepsParameters {
  store: KeeperStore;
  batcher: Batcher;
  router: RouterWorker | undefined;
  requests: RequestWatcher | undefined;
  validator: ValidatorWorker | undefined;
  jails: JailSweeper | undefined;
  metrics: KeeperMetrics;
  logger: Logger;
  signal: AbortSignal;
}

/** One pass of the keeper's work, with each job's retries scheduled apart. */
export interface KeeperSteps {
  /** Advances every open batch, plans due batches, and runs the router and validator workers; true if any moved. */
  step(): Promise<boolean>;
  /** Makes the next passes plan every queued receipt, whatever the batch size or age, until none is queued. */
  planEverything(): void;
  /** When the loop must look again at the latest: a backed-off job's retry time, else `idleUntil`. */
  nextDueAt(idleUntil: number): number;
  lastError(): string | undefined;
  lastProgressAt(): number;
}

/**
 * The keeper's jobs: one per open batch, batch planning, the router worker, the request watcher, the validator
 * worker and the jail sweeper. A job that
 * fails backs off on its own (exponential, jittered; longer for permanent failures), while the others go on; a batch
 * that keeps failing permanently is given up after {@link MAX_PERMANENT_ATTEMPTS} and its receipts are re-batched.
 */
export function createKeeperSteps(p: KeeperStepsParameters): KeeperSteps {
  const retries = new RetrySchedule();
  let lastError: string | undefined;
  let lastProgress = Date.now();
  let planAll = false;

  /** Runs job `key` if due; records its outcome; returns whether it made progress. */
  const run = async (
    key: string,
    job: () => Promise<boolean>,
    onFailure?: (error: unknown, attempts: number) => boolean,
  ) => {
    if (!retries.due(key)) return false;
    try {
      const progressed = await job();
      retries.clear(key);
      lastProgress = Date.now();
      return progressed;
    } catch (error) {
      const permanent = error instanceof PermanentError || error instanceof NodeBatchError;
      const { attempts, delayMs } = retries.failed(key, permanent ? PERMANENT : TRANSIENT);
      lastError = `${key}: ${getErrorMessage(error)}`;
      p.metrics.errors.inc({ kind: permanent ? "permanent" : "transient" });
      p.logger.warn(
        { key, attempt: attempts, retryInMs: delayMs, err: getErrorMessage(error) },
        "step failed; will retry",
      );
      if (permanent && onFailure?.(error, attempts)) {
        retries.clear(key);
        return true;
      }
      return false;
    }
  };

  return {
    async step() {
      let progressed = false;
      for (const batch of p.store.openBatches()) {
        if (p.signal.aborted) return progressed;
        const advanced = await run(
          `batch:${batch.id}`,
          () => p.batcher.advance(batch.id),
          (error, attempts) => p.batcher.giveUp(batch.id, error, attempts, MAX_PERMANENT_ATTEMPTS),
        );
        progressed ||= advanced;
      }
      const planned = await run("plan", async () => {
        const all = planAll;
        const count = await p.batcher.planDue(all);
        if (all && !p.store.hasQueued()) planAll = false;
        return count > 0;
      });
      const { router, requests, validator, jails } = p;
      const routed = router ? await run("router", () => router.step()) : false;
      const watched = requests ? await run("requests", () => requests.step()) : false;
      const validated = validator ? await run("validator", () => validator.step()) : false;
      const swept = jails ? await run("jails", () => jails.step()) : false;
      return progressed || planned || routed || watched || validated || swept;
    },
    planEverything() {
      planAll = true;
    },
    nextDueAt: (idleUntil) => retries.nextDueAt(idleUntil),
    lastError: () => lastError,
    lastProgressAt: () => lastProgress,
  };
}

/**
 * Runs the keeper's steps: again at once while they make progress, else when the next backed-off job is due or after
 * `pollingIntervalMs`, whichever comes first (a wake-up runs them at once).
 */
export function startKeeperLoop(steps: KeeperSteps, pollingIntervalMs: number, logger: Logger): Loop {
  return createLoop(
    async () => {
      if (await steps.step()) return { delayMs: 0 };
      const now = Date.now();
      return { delayMs: Math.max(10, steps.nextDueAt(now + pollingIntervalMs) - now) };
    },
    (error) => logger.error({ err: getErrorMessage(error) }, "keeper step threw"),
  );
}

export interface FlushKeeperParameters {
  steps: KeeperSteps;
  loop: Loop;
  /** True once nothing is queued, no batch is open and every router fulfilment is done. */
  idle: () => boolean;
  /** True once the keeper is closed (the flush fails). */
  closed: () => boolean;
  pollingIntervalMs: number;
  timeoutMs?: number | undefined;
}

/** Plans every queued receipt and waits until the keeper is idle; rejects on close or after `timeoutMs`. */
export async function flushKeeper(p: FlushKeeperParameters): Promise<void> {
  const deadline = Date.now() + (p.timeoutMs ?? Number.POSITIVE_INFINITY);
  for (;;) {
    if (p.closed()) throw new Error("keeper closed");
    if (Date.now() > deadline) throw new Error(`flush timed out; last error: ${p.steps.lastError() ?? "none"}`);
    if (p.idle()) return;
    p.steps.planEverything();
    p.loop.wake();
    await sleep(Math.min(p.pollingIntervalMs, 100));
  }
}
