import fs from "node:fs";
import Database from "better-sqlite3";
import { BaseError } from "../protocol";

/** One forward step of a store's schema: `up` runs once, in a transaction, to go from `version - 1` to `version`. */
export interface Migration {
  /** The schema version after this step: 1, 2, 3, ... in order. */
  version: number;
  /** What the step does, for the error when it fails. */
  description: string;
  /** SQL statements, or a function for a step SQL alone cannot express. */
  up: string | ((db: Database.Database) => void);
}

export interface OpenDatabaseParameters {
  /** The SQLite file. */
  file: string;
  /** What the store is called in errors ("keeper database"). */
  name: string;
  /** Every step from an empty database to the current schema, by version. */
  migrations: readonly Migration[];
  /** Pragmas set on every open, before migrating (e.g. `journal_mode = WAL`). */
  pragmas?: readonly string[] | undefined;
  /** True when a missing file is an error (status commands) instead of a new, empty database. */
  mustExist?: boolean | undefined;
}

/** The database file does not exist (and the caller would not create one). */
export class StoreNotFoundError extends BaseError {
  override name = "StoreNotFoundError";
  readonly file: string;

  constructor(name: string, file: string) {
    super(`No ${name} at ${file}.`, { details: "check the path (--db); this command does not create a database" });
    this.file = file;
  }
}

/** The database was written by a newer Verity: its schema version is above the latest this code knows. */
export class StoreVersionError extends BaseError {
  override name = "StoreVersionError";
  readonly file: string;
  readonly version: number;
  readonly supported: number;

  constructor(name: string, file: string, version: number, supported: number) {
    super(`The ${name} at ${file} has schema version ${version}; this Verity reads versions up to ${supported}.`, {
      details: "it was written by a newer Verity; run that version, or point --db at another file",
    });
    this.file = file;
    this.version = version;
    this.supported = supported;
  }
}

/** The schema version of an open database (`PRAGMA user_version`; 0 for a new or never-versioned file). */
export function getSchemaVersion(db: Database.Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/**
 * Opens a store's SQLite file and brings its schema to the latest version: the migrations above the file's
 * `user_version` run in order, each in its own transaction together with the version bump, so a crash leaves the file
 * at one version or the next. A file from a newer version is refused before anything is written
 * ({@link StoreVersionError}); with `mustExist`, a missing file is refused without creating it
 * ({@link StoreNotFoundError}).
 */
export function openDatabase(parameters: OpenDatabaseParameters): Database.Database {
  const { file, name, migrations } = parameters;
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new BaseError(`The ${name}'s migrations are out of order.`, {
        details: `migration ${index} has version ${migration.version}, expected ${index + 1}`,
      });
    }
  });
  if (parameters.mustExist && (file === ":memory:" || !fs.existsSync(file))) throw new StoreNotFoundError(name, file);
  const db = new Database(file, { fileMustExist: parameters.mustExist ?? false });
  try {
    const latest = migrations.length;
    const current = getSchemaVersion(db);
    if (current > latest) throw new StoreVersionError(name, file, current, latest);
    for (const pragma of parameters.pragmas ?? []) db.pragma(pragma);
    for (const migration of migrations.slice(current)) {
      try {
        db.transaction(() => {
          if (typeof migration.up === "string") db.exec(migration.up);
          else migration.up(db);
          db.pragma(`user_version = ${migration.version}`);
        })();
      } catch (error) {
        throw new BaseError(`The ${name} at ${file} could not be migrated to schema version ${migration.version}.`, {
          details: `${migration.description}: ${error instanceof Error ? error.message : String(error)}`,
          cause: error,
        });
      }
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
