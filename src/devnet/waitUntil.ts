import { BaseError } from "../protocol";
/** Thrown when a condition the scenario waits for does not come true in time; names what was awaited. */
export class ScenarioTimeoutError extends BaseError {
  override name = "ScenarioTimeoutError";
}

export interface WaitUntilOptions {
  /** Give up after this many milliseconds (default 30 s). */
  timeoutMs?: number;
  /** Pause between checks in milliseconds (default 200). */
  intervalMs?: number;
  /** Runs between checks, e.g. to mine a block so that services polling the chain see a new head. */
  between?: () => Promise<void>;
}

/**
 * Polls `condition` until it returns true. Transient errors inside `condition` count as "not yet"; the last one is
 * quoted if the wait times out, so a failure says both what was awaited and what went wrong.
 */
export async function waitUntil(
  what: string,
  condition: () => Promise<boolean> | boolean,
  options: WaitUntilOptions = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message.split("\n")[0]})` : "";
      throw new ScenarioTimeoutError(`timed out waiting for ${what}${cause}`);
    }
    await options.between?.();
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}
