import { backoffDelay } from "./backoff";

/** How a failure is retried: `backoffDelay` from `baseMs`, capped at `maxMs`. */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * When each of a service's keyed jobs may run again after failures: exponential backoff with jitter per key, and the
 * earliest retry time so the service's loop sleeps exactly until the next job is due.
 */
export class RetrySchedule {
  private readonly entries = new Map<string, { attempts: number; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether `key` may run now (it never failed, or its backoff has passed). */
  due(key: string): boolean {
    return (this.entries.get(key)?.at ?? 0) <= this.now();
  }

  /** Records a failure of `key`; returns its attempt count and the delay before the next try, in milliseconds. */
  failed(key: string, policy: RetryPolicy): { attempts: number; delayMs: number } {
    const entry = this.entries.get(key) ?? { attempts: 0, at: 0 };
    entry.attempts++;
    const delayMs = backoffDelay(entry.attempts, policy.baseMs, policy.maxMs);
    entry.at = this.now() + delayMs;
    this.entries.set(key, entry);
    return { attempts: entry.attempts, delayMs };
  }

  /** Forgets `key`'s failures (it succeeded, or was given up). */
  clear(key: string): void {
    this.entries.delete(key);
  }

  /** The earliest time a backed-off key is due, or `otherwise` if that is earlier or nothing is backed off. */
  nextDueAt(otherwise: number): number {
    let at = otherwise;
    for (const entry of this.entries.values()) at = Math.min(at, entry.at);
    return at;
  }
}
