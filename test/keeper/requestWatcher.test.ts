import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { network } from "hardhat";
import { createPublicClient, custom, defineChain, type Address, type EIP1193RequestFn, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { KeeperStore } from "../../src/keeper/KeeperStore";
import { KeeperMetrics } from "../../src/keeper/metrics";
import { RequestWatcher } from "../../src/keeper/RequestWatcher";
import { TxSender } from "../../src/keeper/TxSender";
import { quiet } from "./setup";

/** The in-process Hardhat chain (hardhat.config.ts). */
const chain = defineChain({
  id: 31337,
  name: "hardhat",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [] } },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A public client on the in-process Hardhat chain that counts the JSON-RPC calls it makes, by method. */
function countingClient(): { publicClient: PublicClient; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const request = (async ({ method, params }: { method: string; params?: unknown }) => {
    calls.set(method, (calls.get(method) ?? 0) + 1);
    return network.provider.request({ method, params: params as unknown[] });
  }) as EIP1193RequestFn;
  const publicClient = createPublicClient({ chain, transport: custom({ request }) }) as PublicClient;
  return { publicClient, calls };
}

describe("RequestWatcher", function () {
  let dir: string;
  let store: KeeperStore;

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-request-watcher-"));
    store = new KeeperStore(path.join(dir, "keeper.sqlite"));
  });

  afterEach(function () {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function watcher(publicClient: PublicClient, recheckMs: number): RequestWatcher {
    const account = privateKeyToAccount(`0x${"11".repeat(32)}`);
    return new RequestWatcher({
      store,
      publicClient,
      sender: new TxSender(publicClient, account, chain.id),
      router: `0x${"22".repeat(20)}` as Address,
      fromBlock: 0n,
      maxBlockRange: 2_000n,
      confirmations: 0n,
      recheckMs,
      metrics: new KeeperMetrics(),
      logger: quiet(),
      signal: new AbortController().signal,
    });
  }

  it("asks for the head and scans for new requests once per recheck period, however many passes run", async function () {
    const { publicClient, calls } = countingClient();
    const requests = watcher(publicClient, 60_000);
    for (let pass = 0; pass < 20; ++pass) await requests.step();
    expect(calls.get("eth_blockNumber"), "head reads").to.equal(1);
    expect(calls.get("eth_getLogs"), "log scans").to.equal(1);
    expect(store.requestScanCursor() !== undefined, "the scan moved its cursor").to.equal(true);
  });

  it("scans again once the recheck period has passed", async function () {
    const { publicClient, calls } = countingClient();
    const requests = watcher(publicClient, 100);
    await requests.step();
    await network.provider.request({ method: "evm_mine", params: [] });
    for (let pass = 0; pass < 5; ++pass) await requests.step();
    expect(calls.get("eth_getLogs"), "within the period").to.equal(1);
    await sleep(150);
    await requests.step();
    expect(calls.get("eth_blockNumber"), "head reads").to.equal(2);
    expect(calls.get("eth_getLogs"), "after the period").to.equal(2);
  });
});
