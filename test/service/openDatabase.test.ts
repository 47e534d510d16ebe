import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { KEEPER_MIGRATIONS, KeeperStore } from "../../src/keeper/KeeperStore";
import { NODE_MIGRATIONS, NodeStore } from "../../src/node/NodeStore";
import {
  StoreNotFoundError,
  StoreVersionError,
  getSchemaVersion,
  openDatabase,
  type Migration,
} from "../../src/service/openDatabase";
import { VERDICT_MIGRATIONS, VerdictStore } from "../../src/verifier/VerdictStore";
import { runVerity } from "../cli/runVerity";

const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: "items", up: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)" },
  { version: 2, description: "items.size", up: "ALTER TABLE items ADD COLUMN size INTEGER NOT NULL DEFAULT 0" },
];

function tempFile(name = "store.sqlite"): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verity-store-")), name);
}

/** Writes a file at schema `version` (user_version only), as a newer Verity would have left it. */
function writeVersion(file: string, version: number): void {
  const db = new Database(file);
  db.pragma(`user_version = ${version}`);
  db.close();
}

describe("openDatabase", function () {
  describe("on a new file", function () {
    it("applies every migration and records the latest version", function () {
      const db = openDatabase({ file: tempFile(), name: "test database", migrations: MIGRATIONS });
      expect(getSchemaVersion(db)).to.equal(2);
      db.prepare("INSERT INTO items (name, size) VALUES ('a', 3)").run();
      db.close();
    });
  });

  describe("on an older file", function () {
    it("applies only the newer migrations and keeps the rows", function () {
      const file = tempFile();
      const v1 = openDatabase({ file, name: "test database", migrations: MIGRATIONS.slice(0, 1) });
      v1.prepare("INSERT INTO items (name) VALUES ('kept')").run();
      v1.close();
      const db = openDatabase({ file, name: "test database", migrations: MIGRATIONS });
      expect(getSchemaVersion(db)).to.equal(2);
      expect(db.prepare("SELECT name, size FROM items").all()).to.deep.equal([{ name: "kept", size: 0 }]);
      db.close();
    });

    it("rolls a failing migration back whole, leaving the previous version", function () {
      const file = tempFile();
      openDatabase({ file, name: "test database", migrations: MIGRATIONS.slice(0, 1) }).close();
      const broken: Migration[] = [
        MIGRATIONS[0]!,
        { version: 2, description: "broken", up: "ALTER TABLE items ADD COLUMN x INTEGER; SELECT * FROM missing" },
      ];
      expect(() => openDatabase({ file, name: "test database", migrations: broken })).to.throw(
        "could not be migrated to schema version 2",
      );
      const db = new Database(file);
      expect(getSchemaVersion(db)).to.equal(1);
      expect((db.prepare("PRAGMA table_info(items)").all() as { name: string }[]).map((c) => c.name)).to.deep.equal([
        "id",
        "name",
      ]);
      db.close();
    });
  });

  describe("reverts", function () {
    it("on a file from a newer version, naming both versions, without writing to it", function () {
      const file = tempFile();
      writeVersion(file, 3);
      let error: unknown;
      try {
        openDatabase({ file, name: "test database", migrations: MIGRATIONS, pragmas: ["journal_mode = WAL"] });
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(StoreVersionError);
      expect(error).to.include({ file, version: 3, supported: 2 });
      expect((error as Error).message).to.contain("has schema version 3; this Verity reads versions up to 2");
      const db = new Database(file);
      expect(db.pragma("journal_mode", { simple: true })).to.equal("delete");
      db.close();
    });

    it("on a missing file when it must exist, without creating it", function () {
      const file = tempFile("typo.sqlite");
      expect(() => openDatabase({ file, name: "test database", migrations: MIGRATIONS, mustExist: true }))
        .to.throw(StoreNotFoundError)
        .with.property("file", file);
      expect(fs.existsSync(file)).to.equal(false);
    });

    it("on migrations numbered out of order", function () {
      expect(() => openDatabase({ file: tempFile(), name: "test database", migrations: [MIGRATIONS[1]!] })).to.throw(
        "migrations are out of order",
      );
    });
  });
});

describe("the stores", function () {
  const stores = [
    { name: "KeeperStore", migrations: KEEPER_MIGRATIONS, open: (file: string) => new KeeperStore(file) },
    { name: "NodeStore", migrations: NODE_MIGRATIONS, open: (file: string) => new NodeStore(file) },
    { name: "VerdictStore", migrations: VERDICT_MIGRATIONS, open: (file: string) => new VerdictStore(file) },
  ];

  for (const { name, migrations, open } of stores) {
    describe(name, function () {
      it("records its schema version in a new database", function () {
        const file = tempFile();
        open(file).close();
        const db = new Database(file);
        expect(getSchemaVersion(db)).to.equal(migrations.length);
        db.close();
      });

      it("adopts a database written before versioning (version 0 with the tables) as version 1", function () {
        const file = tempFile();
        const db = new Database(file);
        const first = migrations[0]!.up;
        if (typeof first === "string") db.exec(first);
        else first(db);
        expect(getSchemaVersion(db)).to.equal(0);
        db.close();
        open(file).close();
        const reopened = new Database(file);
        expect(getSchemaVersion(reopened)).to.equal(migrations.length);
        reopened.close();
      });

      it("refuses a database from a newer version", function () {
        const file = tempFile();
        writeVersion(file, migrations.length + 1);
        expect(() => open(file)).to.throw(StoreVersionError);
      });
    });
  }
});

describe("status commands", function () {
  for (const service of ["keeper", "verifier"]) {
    describe(`verity ${service} status`, function () {
      it("exits 2 on a missing database and does not create it", async function () {
        const file = tempFile("typo.sqlite");
        const run = await runVerity([service, "status", "--db", file]);
        expect(run.code).to.equal(2);
        expect(run.stderr).to.contain(`No ${service} database at ${file}.`);
        expect(fs.existsSync(file)).to.equal(false);
      });

      it("exits 2 on a database from a newer version", async function () {
        const file = tempFile();
        writeVersion(file, 99);
        const run = await runVerity([service, "status", "--db", file]);
        expect(run.code).to.equal(2);
        expect(run.stderr).to.contain("has schema version 99");
      });
    });
  }
});
