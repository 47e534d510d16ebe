import Table from "cli-table3";

export { ExitCode } from "./exitCode";

/** How a command prints: a human table by default, one JSON document with `--json`. */
export interface Output {
  readonly json: boolean;
  /** Prints rows as a table (or a JSON array). Bigints print as decimal strings. */
  table(rows: Record<string, unknown>[], columns?: string[]): void;
  /** Prints one record as two columns (or a JSON object). */
  record(value: Record<string, unknown>): void;
  /** A progress or status line for humans, on stderr (also with `--json`, whose output is on stdout only). */
  progress(message: string): void;
  /** One JSON object on one line (JSON lines, for long-running commands), or a record for humans. */
  line(value: Record<string, unknown>): void;
}

/** Creates the printer for one command run. */
export function createOutput(json: boolean, write: (text: string) => void = (t) => process.stdout.write(t)): Output {
  return {
    json,
    table(rows, columns) {
      if (json) return write(`${toJson(rows)}\n`);
      const head = columns ?? Object.keys(rows[0] ?? {});
      const table = new Table({ head, style: { head: [], border: [] } });
      for (const row of rows) table.push(head.map((column) => formatCell(row[column])));
      write(`${rows.length === 0 ? "(none)" : table.toString()}\n`);
    },
    record(value) {
      if (json) return write(`${toJson(value)}\n`);
      const table = new Table({ style: { head: [], border: [] } });
      for (const [key, cell] of Object.entries(value)) table.push({ [key]: formatCell(cell) });
      write(`${table.toString()}\n`);
    },
    progress(message) {
      process.stderr.write(`${message}\n`);
    },
    line(value) {
      if (json) return write(`${toJsonLine(value)}\n`);
      this.record(value);
    },
  };
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item), 2);
}

/** Compact JSON on one line (bigints as decimal strings): one JSON-lines record. */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item));
}

function formatCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "object") return toJson(value);
  return String(value);
}
