import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { bytesToHex, type Hex } from "viem";
import { attestationRegistryAbi } from "../../src/chain/abis.generated";
import { writeDeploymentFile } from "../../src/chain/deployment";
import { getReceiptStructHash, parseBatchFile } from "../../src/protocol";
import { compileKeeperChild } from "./compileForChild";
import {
  KEEPER,
  freePort,
  infer,
  postReceipts,
  startKeeperWorld,
  type KeeperWorld,
  type SignedReceiptJson,
} from "./setup";

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with VERITY_CRASH_SEED. */
function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("keeper killed with SIGKILL at random points", function () {
  // A few kills in `npm test`; `npm run fuzz` sets VERITY_CRASH_RUNS=100 (each kill and restart takes seconds).
  const RUNS = Number(process.env.VERITY_CRASH_RUNS ?? 6);
  this.timeout(Math.max(300_000, RUNS * 20_000));
  const RECEIPTS = Number(process.env.VERITY_CRASH_RECEIPTS ?? Math.max(60, RUNS * 10));
  const SEED = Number(process.env.VERITY_CRASH_SEED ?? Date.now() % 2 ** 31);
  let world: KeeperWorld;
  let childScript: string;

  before(async function () {
    world = await startKeeperWorld();
    childScript = compileKeeperChild();
  });

  after(async function () {
    if (childScript) fs.rmSync(path.resolve(childScript, "..", "..", ".."), { recursive: true, force: true });
    await world?.stop();
  });

  it(`loses and duplicates nothing across ${RUNS} kills (seed printed)`, async function () {
    console.log(`      crash test seed ${SEED} (VERITY_CRASH_SEED=${SEED} replays it)`);
    const random = createRandom(SEED);
    const signed: SignedReceiptJson[] = [];
    for (let i = 0; i < RECEIPTS; i++) signed.push(await infer(world, 1000 + i));

    const deploymentFile = path.join(world.dir, "deployment.json");
    writeDeploymentFile(deploymentFile, world.system.deployment);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const config = JSON.stringify({
      rpcUrl: world.system.chain.rpcUrl,
      deployment: deploymentFile,
      db: path.join(world.dir, "keeper.sqlite"),
      port,
      nodeEndpoints: { [world.node]: world.nodeService.url },
      batchToken: "batch-secret",
      maxBatchSize: 8,
      maxBatchAgeMs: 150,
    });
    const key = bytesToHex(world.system.account(KEEPER).getHdKey().privateKey!);
    const start = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, [childScript, config], {
        env: { ...process.env, VERITY_KEEPER_KEY: key },
        stdio: ["ignore", "pipe", "inherit"],
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("ready")) resolve();
        });
        child.once("exit", (code, signal) =>
          reject(new Error(`keeper exited (${code ?? signal}) before it was ready`)),
        );
      });
      return child;
    };
    const exited = (child: ChildProcess) =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => child.once("exit", () => resolve()));

    const acknowledged = new Set<Hex>();
    const fed = new Set<Hex>();
    let next = 0;
    const kills = { feeding: 0, afterFeeding: 0 };
    for (let run = 0; run < RUNS; run++) {
      const child = await start();
      let killed = false;
      const killAfter = Math.floor(random() * 900);
      const timer = setTimeout(() => {
        killed = true;
        child.kill("SIGKILL");
      }, killAfter);
      const rounds = 1 + Math.floor(random() * 3);
      for (let c = 0; c < rounds && next < signed.length && !killed; c++) {
        // 1–3 requests at once, so several land in one group commit (and a kill may fall between them).
        const requests = 1 + Math.floor(random() * 3);
        const sent: Promise<boolean>[] = [];
        for (let r = 0; r < requests && next < signed.length; r++) {
          const size = Math.min(1 + Math.floor(random() * 10), signed.length - next);
          const items = signed.slice(next, next + size);
          next += size;
          items.forEach((s) => fed.add(s.receiptHash));
          sent.push(
            postReceipts(
              url,
              items.map(({ receipt, signature }) => ({ receipt, signature })),
            ).then(
              ({ status }) => {
                if (status === 200) items.forEach((s) => acknowledged.add(s.receiptHash));
                return true;
              },
              () => false,
            ),
          );
        }
        const answered = await Promise.all(sent);
        if (answered.includes(false)) {
          kills.feeding++;
          break;
        }
        await sleep(Math.floor(random() * 120));
      }
      if (!killed) kills.afterFeeding++;
      await exited(child);
      clearTimeout(timer);
    }

    // Last run: feed the rest, and again whatever was sent without an answer (as a node's outbox would), then drain.
    const child = await start();
    const resend = signed.filter((s) => next <= signed.indexOf(s) || !acknowledged.has(s.receiptHash));
    for (let i = 0; i < resend.length; i += 20) {
      const items = resend.slice(i, i + 20);
      const { status } = await postReceipts(
        url,
        items.map(({ receipt, signature }) => ({ receipt, signature })),
      );
      expect(status).to.equal(200);
      items.forEach((s) => {
        fed.add(s.receiptHash);
        acknowledged.add(s.receiptHash);
      });
    }
    for (;;) {
      const health = (await (await fetch(`${url}/health`)).json()) as { queued: number; openBatches: number };
      if (health.queued === 0 && health.openBatches === 0) break;
      await sleep(100);
    }
    child.kill("SIGTERM");
    await exited(child);
    expect(child.exitCode).to.equal(0);

    // The chain's view: every batch of the node, and the receipts in each (from the node's batch files).
    const events = await world.system.clients(0).publicClient.getContractEvents({
      address: world.system.addresses.attestationRegistry!,
      abi: attestationRegistryAbi,
      eventName: "BatchSubmitted",
      args: { node: world.node },
      fromBlock: 0n,
    });
    expect(events.map((e) => e.args.sequence)).to.deep.equal(events.map((_, i) => BigInt(i + 1)));
    const onChain: Hex[] = [];
    for (const event of events) {
      const file = parseBatchFile(await (await fetch(`${world.nodeService.url}/batches/${event.args.id}`)).text());
      expect(file.entries).to.have.length(Number(event.args.count));
      for (const entry of file.entries) onChain.push(getReceiptStructHash(entry.receipt));
    }
    console.log(
      `      ${RUNS} kills (${kills.feeding} while feeding), ${acknowledged.size} receipts acknowledged, ` +
        `${events.length} batches on chain`,
    );
    expect(new Set(onChain).size, "no receipt attested twice").to.equal(onChain.length);
    expect(onChain.length).to.equal(RECEIPTS);
    expect(
      [...acknowledged].filter((h) => !onChain.includes(h)),
      "acknowledged but not attested",
    ).to.deep.equal([]);
    expect(
      onChain.filter((h) => !fed.has(h)),
      "attested but never fed",
    ).to.deep.equal([]);
  });
});
