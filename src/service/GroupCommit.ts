import type Database from "better-sqlite3";

interface Pending {
  job: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** How a {@link GroupCommit} groups writes. */
export interface GroupCommitOptions {
  /** Most jobs in one transaction (default 8,192); a fuller queue commits at once. */
  maxJobs?: number;
  /** Called after each commit with the number of jobs it made durable (metrics). */
  onCommit?: (jobs: number) => void;
}

/**
 * Group commit over one SQLite connection: writes enqueued during the same turn of the event loop run in ONE
 * transaction (one WAL fsync with `synchronous = FULL`), and each caller's promise settles only after that
 * transaction has committed. So nothing is acknowledged before it is durable, and N concurrent requests pay for one
 * fsync instead of N.
 *
 * Each job runs in its own savepoint inside the group: a job that throws rolls back only its own writes and rejects
 * only its own promise. If the commit itself fails, every job of the group is rejected.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly maxJobs: number;

  constructor(
    private readonly db: Database.Database,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.maxJobs = options.maxJobs ?? 8_192;
  }

  /** Jobs waiting for the next commit. */
  get pending(): number {
    return this.queue.length;
  }

  /** Runs `job` in the next group transaction; resolves with its result once that transaction is durable. */
  run<T>(job: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length >= this.maxJobs) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now (synchronously). */
  flush(): void {
    this.scheduled = false;
    const group = this.queue;
    if (group.length === 0) return;
    this.queue = [];
    const outcomes: { ok: boolean; value: unknown }[] = new Array(group.length);
    try {
      this.db.transaction(() => {
        for (let i = 0; i < group.length; i++) {
          try {
            // A nested better-sqlite3 transaction is a SAVEPOINT: a throwing job undoes only its own writes.
            outcomes[i] = { ok: true, value: this.db.transaction(group[i]!.job)() };
          } catch (error) {
            outcomes[i] = { ok: false, value: error };
          }
        }
      })();
    } catch (error) {
      for (const pending of group) pending.reject(error);
      return;
    }
    this.options.onCommit?.(group.length);
    group.forEach((pending, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.value);
    });
  }
}
