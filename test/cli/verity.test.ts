import { expect } from "chai";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { VerdictStore } from "../../src/verifier/VerdictStore";
import { COMMAND_GROUPS } from "../../src/cli/commandGroups";
import { createProgram } from "../../src/cli/verity";
import { ensureCompiledCli, runVerityBin } from "./compiledCli";
import { runVerity } from "./runVerity";

const runNode = (args: string[]) => promisify(execFile)(process.execPath, args);

describe("verity CLI", function () {
  this.timeout(60_000);

  before(function () {
    this.timeout(180_000);
    ensureCompiledCli();
  });

  it("prints help for the verifier and exits 0", async function () {
    const result = await runVerityBin(["verifier", "run", "--help"]);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.contain("--audit-share");
    expect(result.stdout).to.contain("VERITY_VERIFIER_KEY");
  });

  describe("starting up", function () {
    it("lists every command in the top-level help as the loaded commands describe themselves", async function () {
      const lazy = await createProgram(() => false);
      const full = await createProgram();
      expect(lazy.helpInformation()).to.equal(full.helpInformation());
      expect(full.commands.map((command) => command.name())).to.deep.equal([
        ...COMMAND_GROUPS.map((group) => group.name),
      ]);
    });

    it("prints the top-level help from the compiled CLI without loading viem, SQLite or ONNX", async function () {
      const entry = path.resolve(__dirname, "..", "..", "dist", "cli", "verity.js");
      const script =
        `require(${JSON.stringify(entry)}).main(["node", "verity", "--help"]).then((code) => ` +
        `process.stderr.write(JSON.stringify({ code, modules: Object.keys(require.cache) })))`;
      const { stdout, stderr } = await runNode(["-e", script]);
      const { code, modules } = JSON.parse(stderr) as { code: number; modules: string[] };
      expect(code).to.equal(0);
      expect(stdout).to.contain("Usage: verity [options] [command]");
      for (const heavy of ["/viem/", "/better-sqlite3/", "/onnxruntime-node/", "/onnx-proto/", "/pino/"]) {
        expect(
          modules.filter((file) => file.includes(heavy)),
          heavy,
        ).to.deep.equal([]);
      }
    });

    it("loads only the named command's group for its help", async function () {
      const result = await runVerityBin(["keeper", "--help"]);
      expect(result.code).to.equal(0);
      expect(result.stdout).to.contain("Usage: verity keeper [options] [command]");
      expect(result.stdout).to.contain("status");
    });
  });

  it("rejects a bad setting with exit code 2 and names it", async function () {
    const result = await runVerity(["verifier", "run", "--audit-share", "3", "--once"]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain("auditShare: must be within [0, 1]");
  });

  it("rejects a missing deployment file with exit code 2", async function () {
    const result = await runVerity(["verifier", "run", "--deployment", "/nonexistent.json", "--once"], {
      VERITY_VERIFIER_KEY: `0x${"11".repeat(32)}`,
    });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain("cannot read deployment file /nonexistent.json");
  });

  it("refuses to run without a key, exit code 2", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-cli-"));
    const deployment = path.join(dir, "localhost.json");
    fs.writeFileSync(
      deployment,
      JSON.stringify({ network: "localhost", chainId: 31337, startBlock: 0, contracts: {} }),
    );
    const result = await runVerity(["verifier", "run", "--deployment", deployment, "--once"], {
      VERITY_VERIFIER_KEY: "",
    });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain("has no token address");
  });

  it("shows a verifier database as JSON", async function () {
    const db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verity-cli-")), "v.sqlite");
    const store = new VerdictStore(db);
    store.claimChallenge("0xabc", "0xbatch", 1);
    store.close();
    const result = await runVerity(["verifier", "status", "--db", db, "--json"]);
    expect(result.code).to.equal(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.challenges).to.have.length(1);
    expect(parsed.challenges[0]).to.include({ receiptHash: "0xabc", state: "intent" });
  });
});
