import { spawn, type ChildProcess } from "node:child_process";

/** What a block printed and how it ended. */
export interface BlockRun {
  stdout: string;
  stderr: string;
}

/**
 * One bash process fed the guide's main-terminal blocks one after another, as a reader pastes them: `export`s carry
 * over. `set -eo pipefail`: a failing command ends the session, and the block that ran it fails with its exit code.
 * Started in its own process group, so `kill()` also ends anything a block left running.
 */
export class ShellSession {
  private readonly child: ChildProcess;
  private stdout = "";
  private stderr = "";
  private exit: Promise<number>;
  private count = 0;

  constructor(cwd: string, env: NodeJS.ProcessEnv) {
    this.child = spawn("bash", ["--noprofile", "--norc"], { cwd, env, detached: true, stdio: "pipe" });
    this.child.stdout!.on("data", (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exit = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1))),
    );
    this.child.stdin!.write("set -eo pipefail\n");
  }

  /** Runs `code`; rejects with its output when a command fails or it takes longer than `timeoutMs`. */
  async run(code: string, timeoutMs: number): Promise<BlockRun> {
    const done = `__guide_block_${++this.count}_done__`;
    const [outFrom, errFrom] = [this.stdout.length, this.stderr.length];
    this.child.stdin!.write(`${code}\nprintf '\\n${done}\\n'; printf '\\n${done}\\n' >&2\n`);
    const output = () => ({ stdout: this.stdout.slice(outFrom), stderr: this.stderr.slice(errFrom) });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { stdout, stderr } = output();
      if (stdout.includes(done) && stderr.includes(done)) {
        return { stdout: stdout.replace(`\n${done}\n`, ""), stderr: stderr.replace(`\n${done}\n`, "") };
      }
      const exited = await Promise.race([
        this.exit,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
      ]);
      if (exited !== undefined) throw new BlockError(`the block failed (exit ${exited})`, output());
      if (Date.now() > deadline) throw new BlockError(`the block did not finish within ${timeoutMs} ms`, output());
    }
  }

  /** Ends the shell and everything it started (SIGKILL to its process group). */
  kill(): void {
    killGroup(this.child, "SIGKILL");
  }
}

/** A guide block that failed, with what it printed. */
export class BlockError extends Error {
  override name = "BlockError";
  constructor(
    message: string,
    readonly output: BlockRun,
  ) {
    super(`${message}\n--- stdout\n${output.stdout.slice(-3000)}\n--- stderr\n${output.stderr.slice(-3000)}`);
  }
}

/** A service block run as a reader runs it in a terminal of its own: `bash -c`, its own process group. */
export class BackgroundBlock {
  readonly child: ChildProcess;
  output = "";
  readonly exited: Promise<number | null>;

  constructor(code: string, cwd: string, env: NodeJS.ProcessEnv) {
    this.child = spawn("bash", ["--noprofile", "--norc", "-c", code], { cwd, env, detached: true, stdio: "pipe" });
    const collect = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    this.child.stdout!.on("data", collect);
    this.child.stderr!.on("data", collect);
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Ctrl-C in its terminal: SIGINT to the process group; true when it exits within `timeoutMs`. */
  async interrupt(timeoutMs: number): Promise<boolean> {
    if (!this.running) return true;
    killGroup(this.child, "SIGINT");
    return Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs)),
    ]);
  }

  kill(): void {
    killGroup(this.child, "SIGKILL");
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
