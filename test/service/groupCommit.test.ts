import Database from "better-sqlite3";
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GroupCommit } from "../../src/service/GroupCommit";

/** A WAL database with `synchronous = FULL`, as the node and keeper stores open theirs. */
function openWal(file: string): Database.Database {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)");
  return db;
}

const settledFlag = <T>(promise: Promise<T>) => {
  const state = { settled: false, error: undefined as unknown };
  promise.then(
    () => (state.settled = true),
    (error: unknown) => ((state.settled = true), (state.error = error)),
  );
  return state;
};
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("GroupCommit", function () {
  let dir: string;
  const open: Database.Database[] = [];

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-group-commit-"));
  });

  afterEach(function () {
    for (const db of open.splice(0)) if (db.open) db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const database = (name = "db.sqlite") => {
    const file = path.join(dir, name);
    const db = openWal(file);
    open.push(db);
    return { db, file };
  };

  it("commits the jobs of one turn in one transaction; a throwing job rolls back and rejects alone", async function () {
    const { db } = database();
    const commits: number[] = [];
    const group = new GroupCommit(db, { onCommit: (jobs) => commits.push(jobs) });
    const insert = db.prepare("INSERT INTO t (k, v) VALUES (?, ?)");
    const results = await Promise.allSettled([
      group.run(() => insert.run(1, "a").changes),
      group.run(() => {
        insert.run(2, "b");
        insert.run(1, "duplicate"); // throws: its savepoint (with row 2) rolls back
      }),
      group.run(() => insert.run(3, "c").changes),
    ]);
    expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled"]);
    expect(commits).to.deep.equal([3]);
    expect(db.prepare("SELECT k FROM t ORDER BY k").pluck().all()).to.deep.equal([1, 3]);
  });

  describe("with background sync", function () {
    it("settles a group only after the WAL's fsync, serves the event loop meanwhile, and commits what queued during an fsync as one group after it", async function () {
      const { db, file } = database();
      const held: ((error: Error | null) => void)[] = [];
      const fsyncs: number[] = [];
      const group = new GroupCommit(db, {
        backgroundSync: {
          file,
          fsync: (fd, done) => {
            fsyncs.push(fd);
            held.push(done);
          },
        },
      });
      const insert = db.prepare("INSERT INTO t (k, v) VALUES (?, ?)");
      const first = settledFlag(group.run(() => insert.run(1, "a")));
      await turn();
      // Committed (another connection reads it), written with SQLite's own sync off, and FULL again afterwards.
      const reader = new Database(file, { readonly: true });
      open.push(reader);
      expect(reader.prepare("SELECT count(*) FROM t").pluck().get()).to.equal(1);
      expect(db.pragma("synchronous", { simple: true })).to.equal(2);
      expect(fsyncs).to.have.length(1);
      expect(fs.fstatSync(fsyncs[0]!).ino).to.equal(fs.statSync(`${file}-wal`).ino);
      await turn();
      expect(first.settled, "answered before the fsync").to.equal(false);

      // Jobs queued while that fsync runs wait for it, then commit as ONE group with one fsync.
      const second = settledFlag(group.run(() => insert.run(2, "b")));
      await turn();
      const third = settledFlag(group.run(() => insert.run(3, "c")));
      await turn();
      expect(fsyncs).to.have.length(1);
      expect(reader.prepare("SELECT count(*) FROM t").pluck().get()).to.equal(1);
      held.shift()!(null);
      await turn();
      expect(first).to.deep.equal({ settled: true, error: undefined });
      expect(reader.prepare("SELECT count(*) FROM t").pluck().get()).to.equal(3);
      expect([second.settled, third.settled]).to.deep.equal([false, false]);
      expect(fsyncs).to.have.length(2);
      held.shift()!(null);
      await turn();
      expect([second.settled, third.settled]).to.deep.equal([true, true]);
      group.close();
    });

    it("rejects a group whose fsync fails, and makes everything durable synchronously at close", async function () {
      const { db, file } = database();
      let fail = true;
      const held: ((error: Error | null) => void)[] = [];
      const group = new GroupCommit(db, {
        backgroundSync: {
          file,
          fsync: (_fd, done) => (fail ? done(new Error("EIO")) : held.push(done)),
        },
      });
      const insert = db.prepare("INSERT INTO t (k, v) VALUES (?, ?)");
      const failed = group.run(() => insert.run(1, "a"));
      await failed.then(
        () => expect.fail("settled despite the failed fsync"),
        (error: Error) => expect(error.message).to.equal("EIO"),
      );
      fail = false;
      const pending = settledFlag(group.run(() => insert.run(2, "b")));
      await turn();
      expect(held).to.have.length(1);
      const queued = settledFlag(group.run(() => insert.run(3, "c")));
      group.close(); // commits the queued job (SQLite's own fsync) and fsyncs the WAL for the earlier one itself
      await turn();
      expect([pending.settled, queued.settled]).to.deep.equal([true, true]);
      expect([pending.error, queued.error]).to.deep.equal([undefined, undefined]);
      held.shift()!(null); // the thread pool's fsync ends after close: nothing settles twice
      await turn();
      // After close, commits are SQLite's own (synchronous = FULL), settled at once.
      const after = await group.run(() => insert.run(4, "d").changes);
      expect(after).to.equal(1);
      expect(db.prepare("SELECT k FROM t ORDER BY k").pluck().all()).to.deep.equal([1, 2, 3, 4]);
    });
  });
});
