import type Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";

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
  /**
   * The database file, to make commits durable OFF the event loop: the group's transaction is written to the WAL
   * without SQLite's own fsync (`synchronous = NORMAL` for that transaction only), then the WAL file is fsynced on
   * libuv's thread pool, and the jobs' promises settle after that fsync. Jobs queued while an fsync runs commit as one
   * group when it ends (then their fsync), so there is one commit and one fsync in flight at a time. Without it, SQLite fsyncs inside the commit (`synchronous = FULL`) and the event loop waits.
   * Only for a connection in WAL mode whose other writes keep `synchronous = FULL`.
   */
  backgroundSync?: { file: string; fsync?: (fd: number, done: (error: Error | null) => void) => void };
}

/**
 * Group commit over one SQLite connection: writes enqueued during the same turn of the event loop run in ONE
 * transaction (one WAL fsync), and each caller's promise settles only after that transaction is durable. So nothing
 * is acknowledged before it is on disk, and N concurrent requests pay for one fsync instead of N.
 *
 * Each job runs in its own savepoint inside the group: a job that throws rolls back only its own writes and rejects
 * only its own promise. If the commit itself (or the fsync after it) fails, every job of the group is rejected.
 *
 * With `backgroundSync`, the fsync runs on libuv's thread pool while the event loop serves the next requests (see
 * {@link GroupCommitOptions.backgroundSync}). A transaction in the WAL is durable once the WAL file is: SQLite
 * recovers committed frames from it after a crash, and a checkpoint copies frames to the database only after syncing
 * the WAL and syncs the database after (WAL with `synchronous = NORMAL`).
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly maxJobs: number;
  /** Committed, waiting for the next fsync of the WAL. */
  private unsynced: (() => void)[] = [];
  private unsyncedFailures: ((error: unknown) => void)[] = [];
  private syncing = false;
  private walFd: number | undefined;
  private closed = false;

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

  /**
   * Commits everything queued now (synchronously; with `backgroundSync`, the fsync follows on the thread pool). A
   * scheduled flush while an fsync runs waits for it: the jobs queued meanwhile then commit as one group.
   */
  flush(): void {
    this.scheduled = false;
    const group = this.queue;
    if (group.length === 0) return;
    if (this.syncing && this.queue.length < this.maxJobs && !this.closed) return; // committed when the fsync ends
    this.queue = [];
    const outcomes: { ok: boolean; value: unknown }[] = new Array(group.length);
    const background = this.options.backgroundSync !== undefined && !this.closed;
    try {
      if (background) this.db.pragma("synchronous = NORMAL");
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
      } finally {
        if (background) this.db.pragma("synchronous = FULL");
      }
    } catch (error) {
      for (const pending of group) pending.reject(error);
      return;
    }
    const settle = () => {
      this.options.onCommit?.(group.length);
      group.forEach((pending, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) pending.resolve(outcome.value);
        else pending.reject(outcome.value);
      });
    };
    if (!background) return settle();
    this.unsynced.push(settle);
    this.unsyncedFailures.push((error) => group.forEach((pending) => pending.reject(error)));
    this.syncWal();
  }

  /** Commits what is queued and makes every commit durable before returning (at shutdown); then commits are direct. */
  close(): void {
    this.closed = true;
    this.flush(); // with SQLite's own fsync
    if (this.unsynced.length > 0) {
      const fd = this.openWal();
      fs.fsyncSync(fd);
      this.settleSynced(null);
    }
    if (!this.syncing) this.closeWal();
  }

  private syncWal(): void {
    if (this.syncing || this.unsynced.length === 0) return;
    let fd: number;
    try {
      fd = this.openWal();
    } catch (error) {
      this.settleSynced(error);
      return;
    }
    this.syncing = true;
    const settling = this.unsynced.length;
    const fsync = this.options.backgroundSync!.fsync ?? fs.fsync;
    fsync(fd, (error) => {
      this.syncing = false;
      this.settleSynced(error, settling);
      if (this.closed) return this.closeWal();
      this.flush(); // what queued during the fsync: one group, and its fsync
      this.syncWal();
    });
  }

  /** Settles the first `count` committed groups: durable, or failed with the fsync's error. */
  private settleSynced(error: unknown, count = this.unsynced.length): void {
    const settles = this.unsynced.splice(0, count);
    const failures = this.unsyncedFailures.splice(0, count);
    if (error) failures.forEach((fail) => fail(error));
    else settles.forEach((settle) => settle());
  }

  /** The WAL file, opened once (its directory entry fsynced then, so a WAL created since is durable too). */
  private openWal(): number {
    if (this.walFd === undefined) {
      const file = this.options.backgroundSync!.file;
      this.walFd = fs.openSync(`${file}-wal`, "r");
      const dir = fs.openSync(path.dirname(path.resolve(file)), "r");
      try {
        fs.fsyncSync(dir);
      } finally {
        fs.closeSync(dir);
      }
    }
    return this.walFd;
  }

  private closeWal(): void {
    if (this.walFd === undefined) return;
    fs.closeSync(this.walFd);
    this.walFd = undefined;
  }
}
