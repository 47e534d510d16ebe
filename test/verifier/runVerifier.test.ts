import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { privateKeyToAccount } from "viem/accounts";
import { createVerityClients } from "../../src/chain/createVerityClients";
import type { VerifierContext } from "../../src/verifier/context";
import { ModelCatalog } from "../../src/verifier/ModelCatalog";
import { runVerifier } from "../../src/verifier/startVerifier";
import { VerdictStore } from "../../src/verifier/VerdictStore";

const MODELS_DIR = path.resolve(__dirname, "..", "..", "models");
const ZERO = "0x0000000000000000000000000000000000000001" as const;

/** A verifier pointed at a JSON-RPC port nobody listens on. */
function unreachableContext(lines: string[]): VerifierContext {
  const account = privateKeyToAccount(`0x${"22".repeat(32)}`);
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
  return {
    clients: createVerityClients({ rpcUrl: "http://127.0.0.1:9", chainId: 31337, account, retryCount: 0 }),
    chainId: 31337,
    addresses: {
      token: ZERO,
      modelRegistry: ZERO,
      nodeRegistry: ZERO,
      attestationRegistry: ZERO,
      disputeManager: ZERO,
    },
    store: new VerdictStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verity-rpc-")), "db.sqlite")),
    catalog: new ModelCatalog([], [MODELS_DIR]),
    logger,
    contentDir: undefined,
    auditShare: 1,
    confirmations: 0n,
    maxBlockRange: 100n,
    beneficiary: account.address,
    challenge: true,
  };
}

describe("runVerifier when the RPC node is unreachable", function () {
  it("with --once, fails with the RPC error and records nothing", async function () {
    const context = unreachableContext([]);
    let thrown: unknown;
    try {
      await runVerifier(context, 0n, { intervalMs: 100, once: true });
    } catch (error) {
      thrown = error;
    }
    expect(String(thrown)).to.match(/HTTP request failed|fetch failed|ECONNREFUSED/);
    expect(context.store.cursor()).to.equal(undefined);
    context.store.close();
  });

  it("in a loop, logs each failure and keeps retrying until stopped", async function () {
    const lines: string[] = [];
    const context = unreachableContext(lines);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 700);
    await runVerifier(context, 0n, { intervalMs: 100, once: false, signal: controller.signal });
    const failures = lines
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.msg === "verifier step failed; retrying");
    expect(failures.length).to.be.greaterThanOrEqual(2);
    expect(failures[0].level).to.equal(50);
    context.store.close();
  });
});
