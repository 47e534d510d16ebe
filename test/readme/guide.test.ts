import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findFreePort } from "../../src/devnet/findFreePort";
import { startLocalChain, type LocalChain } from "../../src/devnet/startLocalChain";
import { waitUntil } from "../../src/devnet/waitUntil";
import { ensureCompiledCli } from "../cli/compiledCli";
import { BackgroundBlock, ShellSession, type BlockRun } from "./guideProcesses";
import { GuideFormatError, findMissingOutput, parseGuide, type GuideStep } from "./parseGuide";

const ROOT = path.resolve(__dirname, "..", "..");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/**
 * The README's "First ten minutes", run as written on a fresh chain: every marked block in order, the main-terminal
 * blocks in one bash session (exports carry over, `set -e`), each service block as its own process group with only
 * the base environment (a new terminal has none of the main terminal's exports). What the test changes, and why:
 *
 * - the chain: the block must read `npx hardhat node`; the test starts that on a free port (`startLocalChain`) and
 *   sets `VERITY_LOCAL_RPC_URL` to it, as the README says to do for another port, and writes its URL for
 *   `127.0.0.1:8545` in the `curl` lines; the ports 8080 (node), 8547 (keeper) and 8548 (verifier) become free ports too, so the test
 *   never meets another process on a well-known port;
 * - `npx verity` and `npx hardhat` run this checkout's `bin/verity` and Hardhat through a `npx` shim first on PATH
 *   (what npx resolves in the repository root, without npm's 2–5 s start per call; any other npx package fails);
 * - the working directory is a temporary one holding a `models` link to the repository's `models/`, so the blocks'
 *   files (deployments/, *.sqlite, answer.json) never touch the checkout; no `VERITY_*` variable of the test's own
 *   environment reaches the blocks.
 *
 * Each block must exit 0 and print every line of the `guide: output` block after it; a service must answer its
 * health URL; at the end each service must stop on SIGINT (Ctrl-C in its terminal). Every process is killed in
 * `after`, also on failure. About 70–90 s on 2 cores, most of it `verity deploy` (Hardhat Ignition, ~30 transactions).
 */
describe("README: first ten minutes (every marked block, on a fresh chain)", function () {
  this.timeout(180_000);
  let steps: GuideStep[] = [];
  let formatError: unknown;
  try {
    steps = parseGuide(README);
  } catch (error) {
    formatError = error;
  }

  let chain: LocalChain | undefined;
  let session: ShellSession | undefined;
  const services: { step: GuideStep; block: BackgroundBlock }[] = [];
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let ports: Record<string, number>;
  let failed = false;
  const started = Date.now();

  /** The block's text with the well-known ports replaced by this run's. */
  const localize = (text: string) =>
    text
      .replace(/127\.0\.0\.1:(8545|8080|8547|8548)\b/g, (_, port: string) => `127.0.0.1:${ports[port]}`)
      .replace(/--port (8080|8547|8548)\b/g, (_, port: string) => `--port ${ports[port]}`);

  before(async function () {
    if (formatError) return;
    ensureCompiledCli();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-guide-"));
    fs.symlinkSync(path.join(ROOT, "models"), path.join(dir, "models"));
    const shims = path.join(dir, ".bin");
    fs.mkdirSync(shims);
    const hardhat = require.resolve("hardhat/internal/cli/bootstrap", { paths: [ROOT] });
    fs.writeFileSync(
      path.join(shims, "npx"),
      "#!/bin/sh\n" +
        "# npx as it resolves in the repository root: this checkout's verity and hardhat, nothing else.\n" +
        "# npx runs its command with npm_command=exec in the environment; so does this shim.\n" +
        "export npm_command=exec\n" +
        'case "$1" in\n' +
        `  verity) shift; exec "${process.execPath}" "${path.join(ROOT, "bin", "verity")}" "$@" ;;\n` +
        `  hardhat) shift; exec "${process.execPath}" "${hardhat}" "$@" ;;\n` +
        '  *) echo "guide test: npx $1 is not part of this repository" >&2; exit 127 ;;\n' +
        "esac\n",
      { mode: 0o755 },
    );
    chain = await startLocalChain();
    ports = {
      "8545": chain.port,
      "8080": await findFreePort(),
      "8547": await findFreePort(),
      "8548": await findFreePort(),
    };
    env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VERITY_")));
    env.PATH = `${shims}${path.delimiter}${process.env.PATH}`;
    env.VERITY_LOCAL_RPC_URL = chain.rpcUrl;
    session = new ShellSession(dir, env);
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") failed = true;
  });

  after(async function () {
    session?.kill();
    for (const { block } of services) block.kill();
    await chain?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (chain) removeIgnitionJournal(chain.port);
    console.log(`    guide: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it("has a marked sh block for every role, and no orphaned marker", function () {
    if (formatError) throw formatError;
    expect(steps.map((step) => step.role)).to.include.members(["model-owner", "node-operator", "consumer"]);
  });

  for (const step of steps) {
    const title = `${step.role}${step.background ? " (service)" : ""}, README line ${step.line}`;
    it(title, async function () {
      if (failed) this.skip();
      if (step.role === "chain") {
        expect(step.code.trim(), "the chain block").to.equal("npx hardhat node");
        return;
      }
      const code = localize(step.code);
      if (step.background) {
        const block = new BackgroundBlock(code, dir, env);
        services.push({ step, block });
        await waitForService(block, step.health === undefined ? undefined : localize(step.health));
        return;
      }
      const run = await session!.run(code, 170_000);
      expectOutput(step, run);
    });
  }

  it("stops every service on Ctrl-C (SIGINT)", async function () {
    if (failed || formatError) this.skip();
    for (const { step, block } of services) {
      expect(block.running, `${step.role} service (line ${step.line}) still running before Ctrl-C:\n${block.output}`).to
        .be.true;
      expect(await block.interrupt(20_000), `${step.role} service (line ${step.line}) ignored SIGINT`).to.be.true;
    }
  });

  /** Waits for the health URL to answer 200, or (no URL) for the service's first output; fails if it exits. */
  async function waitForService(block: BackgroundBlock, health: string | undefined): Promise<void> {
    await waitUntil(
      health ? `${health} to answer` : "the service's first output",
      async () => {
        if (!block.running) throw new Error(`the service exited:\n${block.output}`);
        if (health === undefined) return block.output.trim() !== "";
        return (await fetch(health, { signal: AbortSignal.timeout(2_000) })).ok;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n--- its output\n${block.output.slice(-3000)}`);
    });
  }

  function expectOutput(step: GuideStep, run: BlockRun): void {
    const missing = findMissingOutput(step.expected.map(localize), `${run.stdout}\n${run.stderr}`);
    expect(
      missing,
      `README line ${step.line}: lines of its "guide: output" block not printed\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`,
    ).to.deep.equal([]);
  }
});

describe("README guide markers (parseGuide)", function () {
  const block = (marker: string) => `<!-- guide: ${marker} -->\n\n\`\`\`sh\necho ${marker}\n\`\`\`\n`;
  const all = ["chain", "deploy", "model-owner", "node-operator", "keeper-operator", "consumer", "verifier"];
  const guide = (...parts: string[]) => `# x\n\n## First ten minutes\n\n${parts.join("\n")}\n## Next\n`;

  it("reads roles, flags and the output block in order", function () {
    const steps = parseGuide(
      guide(
        ...all.map(block),
        block("verifier background health=http://h/health"),
        "<!-- guide: output -->\n\n```text\n│ a │ b │\n```\n",
      ),
    );
    expect(steps.map((step) => step.role)).to.deep.equal([...all, "verifier"]);
    expect(steps.at(-1)).to.include({
      background: true,
      health: "http://h/health",
      code: "echo verifier background health=http://h/health",
    });
    expect(steps.at(-1)!.expected).to.deep.equal(["│ a │ b │"]);
  });

  it("fails naming an orphaned marker, a missing role and an unmarked block", function () {
    const text = guide(
      ...all.filter((role) => role !== "verifier").map(block),
      "<!-- guide: consumer -->\n\ntext\n",
      "```sh\nls\n```\n",
    );
    expect(() => parseGuide(text))
      .to.throw(GuideFormatError)
      .with.property("message")
      .that.contains('orphaned marker "guide: consumer"')
      .and.contains('no block for the role "verifier"')
      .and.contains("a sh block without a guide marker");
  });

  it("matches output lines whatever the table padding, with … for anything", function () {
    const output = '│ verdict     │ final                  │\n{"status":"ok","x":1,"active":true}';
    expect(findMissingOutput(["│ verdict │ final │", '{"status":"ok",…"active":true}'], output)).to.deep.equal([]);
    expect(findMissingOutput(["│ verdict │ attested │"], output)).to.deep.equal(["│ verdict │ attested │"]);
  });
});

/** Removes the Ignition journal `verity deploy` left in the checkout for this chain (its id ends in the port). */
function removeIgnitionJournal(port: number): void {
  const journals = path.join(ROOT, "ignition", "deployments");
  if (!fs.existsSync(journals)) return;
  for (const name of fs.readdirSync(journals)) {
    if (new RegExp(`^chain-31337-\\d+-${port}$`).test(name)) {
      fs.rmSync(path.join(journals, name), { recursive: true, force: true });
    }
  }
}
