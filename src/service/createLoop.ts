/** A background loop: runs `step` until stopped; `step` returns how long to wait before the next run. */
export interface Loop {
  /** Runs the next step now, unless the loop is backing off after a failure (`step` returned `backoff: true`). */
  wake(): void;
  /** Stops the loop and waits for the running step to finish. */
  stop(): Promise<void>;
}

export type LoopStep = () => Promise<{ delayMs: number; backoff?: boolean }>;

/** Starts a loop that never runs two steps at once and never throws (a throwing step is retried after `errorDelayMs`). */
export function createLoop(step: LoopStep, onError: (error: unknown) => void, errorDelayMs = 1_000): Loop {
  let stopped = false;
  let backingOff = false;
  // A wake-up that came while a step was running: the next step runs without sleeping.
  let wokenWhileRunning = false;
  let wakeUp: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wakeUp = resolve;
      timer = setTimeout(resolve, ms);
    }).finally(() => {
      clearTimeout(timer);
      wakeUp = undefined;
    });
  const running = (async () => {
    while (!stopped) {
      wokenWhileRunning = false;
      let delayMs: number;
      try {
        const result = await step();
        delayMs = result.delayMs;
        backingOff = result.backoff ?? false;
      } catch (error) {
        onError(error);
        delayMs = errorDelayMs;
        backingOff = true;
      }
      if (stopped) break;
      if (delayMs > 0 && !(wokenWhileRunning && !backingOff)) await sleep(delayMs);
    }
  })();
  return {
    wake() {
      if (!wakeUp) wokenWhileRunning = true;
      else if (!backingOff) wakeUp();
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      await running;
    },
  };
}
