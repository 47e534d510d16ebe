import { expect } from "chai";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { VerdictStore } from "../../src/verifier/VerdictStore";
import { runVerity } from "./runVerity";

const run = promisify(execFile);
const bin = path.resolve(__dirname, "..", "..", "bin", "verity");

/** Runs the real `bin/verity` in a child process (ts-node), as a user would. */
async function verityBin(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("verity CLI", function () {
  this.timeout(60_000);

  it("prints help for the verifier and exits 0", async function () {
    const result = await verityBin(["verifier", "run", "--help"]);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.contain("--audit-share");
    expect(result.stdout).to.contain("VERITY_VERIFIER_KEY");
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
