import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestClient, http, parseEther } from "viem";
import { enrollNode } from "../../src/chain/actions/enrollNode";
import { depositStake } from "../../src/chain/actions/depositStake";
import { NodeRole } from "../../src/chain/enums.generated";
import { DEMO_DEPLOY_ENVIRONMENT, startLocalSystem, type LocalSystem } from "../../src/devnet/startLocalSystem";
import type { IndexerContext } from "../../src/indexer/context";
import { createIndexerContext } from "../../src/indexer/startIndexer";
import { syncIndex } from "../../src/indexer/syncIndex";

/** Tables whose rows a fresh index of the final chain must reproduce exactly. */
const COMPARED = ["events", "nodes", "node_counters", "stake_changes", "receipt_hours"] as const;

describe("indexer: a reorganization deeper than the confirmations (real hardhat node, evm_snapshot / evm_revert)", function () {
  this.timeout(300_000);
  let system: LocalSystem;
  let dir: string;
  const contexts: IndexerContext[] = [];

  before(async function () {
    system = await startLocalSystem(DEMO_DEPLOY_ENVIRONMENT);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-index-reorg-"));
  });

  after(async function () {
    for (const context of contexts) context.store.close();
    await system?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const index = async (name: string) => {
    const context = await createIndexerContext({
      rpcUrl: system.chain.rpcUrl,
      deployment: system.deployment,
      db: path.join(dir, `${name}.sqlite`),
      confirmations: 0,
      maxBlockRange: 2_000,
    });
    contexts.push(context);
    return context;
  };
  const enroll = (account: number, stake: string) =>
    enrollNode(system.clients(account), {
      contracts: system.addresses,
      signer: system.account(account + 12).address,
      endpoint: `http://127.0.0.1:${9_000 + account}`,
      role: NodeRole.Verifier,
      models: [],
      stake: parseEther(stake),
    });
  const rows = (context: IndexerContext, table: string) =>
    context.store.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all();
  const stakeOf = (context: IndexerContext, account: number) =>
    (
      context.store
        .prepare("SELECT active_stake FROM nodes WHERE address = ?")
        .get(system.account(account).address.toLowerCase()) as { active_stake: string } | undefined
    )?.active_stake;

  it("notices the indexed blocks are gone, rolls back to the fork and indexes the chain's new history", async function () {
    const testClient = createTestClient({ mode: "hardhat", transport: http(system.chain.rpcUrl) });
    const live = await index("live");
    await enroll(1, "200");
    await syncIndex(live);
    const forkHead = live.store.head()!.number;
    const snapshot = await testClient.snapshot();

    // The history the index reads first, then loses: a second node, and more stake for the first.
    await enroll(2, "300");
    await depositStake(system.clients(1), {
      token: system.addresses.token,
      staking: system.addresses.staking,
      amount: parseEther("50"),
    });
    expect((await syncIndex(live)).rolledBackTo).to.equal(undefined);
    expect(stakeOf(live, 1)).to.equal(parseEther("250").toString());
    expect(stakeOf(live, 2)).to.equal(parseEther("300").toString());
    const lostHead = live.store.head()!.number;

    // The chain goes back to the snapshot and mines another history, longer than the one indexed.
    await testClient.revert({ id: snapshot });
    await enroll(3, "400");
    await testClient.mine({ blocks: 5 });
    expect(await system.clients(0).publicClient.getBlockNumber({ cacheTime: 0 })).to.be.greaterThan(lostHead);

    const report = await syncIndex(live);
    expect(report.rolledBackTo).to.equal(forkHead);
    expect(stakeOf(live, 1)).to.equal(parseEther("200").toString());
    expect(stakeOf(live, 2)).to.equal(undefined);
    expect(stakeOf(live, 3)).to.equal(parseEther("400").toString());

    // The same as an index that only ever saw the new history.
    const fresh = await index("fresh");
    await syncIndex(fresh);
    for (const table of COMPARED) expect(rows(live, table), table).to.deep.equal(rows(fresh, table));
    expect(live.store.cursor()).to.equal(fresh.store.cursor());
    // And nothing more to do: the next step finds the chain and the index in agreement.
    expect((await syncIndex(live)).rolledBackTo).to.equal(undefined);
  });
});
