import { expect } from "chai";
import { network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { createPublicClient, custom, defineChain, type Address, type EIP1193RequestFn, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { JailSweeper } from "../../src/keeper/JailSweeper";
import { KeeperMetrics } from "../../src/keeper/metrics";
import { TxSender } from "../../src/keeper/TxSender";
import { deployRegistryFixture, Role } from "../fixtures/registry";
import { MINIMUM_STAKE } from "../fixtures/staking";
import { quiet } from "./setup";

/** The in-process Hardhat chain (hardhat.config.ts). */
const chain = defineChain({
  id: 31337,
  name: "hardhat",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [] } },
});
/** Hardhat's development account 9, the keeper here (funded with ether, holds no role). */
const KEEPER_KEY = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";

/** nodeA serves models A and B, nodeB serves A; both staked; nodeA jailed (the jail writes no model tree). */
async function jailedNodeFixture() {
  const f = await deployRegistryFixture();
  const { nodeRegistry, staking, nodeA, nodeB, modelA, modelB } = f;
  for (const n of [nodeA, nodeB]) await staking.connect(n).stake(MINIMUM_STAKE * 2n);
  await nodeRegistry
    .connect(nodeA)
    .registerNode(f.signerA.address, "https://a", Role.Inference, [modelA.id, modelB.id]);
  await nodeRegistry.connect(nodeB).registerNode(f.signerB.address, "https://b", Role.Inference, [modelA.id]);
  await nodeRegistry.connect(f.disputer).jail(nodeA.address);
  return f;
}

describe("JailSweeper (keeper)", function () {
  function sweeper(nodeRegistry: Address): { jails: JailSweeper; metrics: KeeperMetrics } {
    const request = ((args: { method: string; params?: unknown }) =>
      network.provider.request({ method: args.method, params: args.params as unknown[] })) as EIP1193RequestFn;
    const publicClient = createPublicClient({ chain, transport: custom({ request }) }) as PublicClient;
    const metrics = new KeeperMetrics();
    const jails = new JailSweeper({
      publicClient,
      sender: new TxSender(publicClient, privateKeyToAccount(KEEPER_KEY), chain.id),
      nodeRegistry,
      fromBlock: 0n,
      maxBlockRange: 2_000n,
      confirmations: 0n,
      recheckMs: 0,
      metrics,
      logger: quiet(),
      signal: new AbortController().signal,
    });
    return { jails, metrics };
  }

  it("clears a jailed node's stale weight from every tree of its models, once, and leaves other nodes alone", async function () {
    const { nodeRegistry, nodeA, nodeB, modelA, modelB } = await loadFixture(jailedNodeFixture);
    const stake = MINIMUM_STAKE * 2n;
    // The jail wrote no tree: nodeA's weight is still in both, and takes draws' attempts.
    expect(await nodeRegistry.modelWeightOf(nodeA.address, modelA.id)).to.equal(stake);
    expect(await nodeRegistry.modelWeightOf(nodeA.address, modelB.id)).to.equal(stake);
    const { jails, metrics } = sweeper((await nodeRegistry.getAddress()) as Address);

    expect(await jails.step(), "sent a transaction").to.equal(true);
    expect(metrics.counts.transactions).to.equal(1);
    expect(await nodeRegistry.modelWeightOf(nodeA.address, modelA.id)).to.equal(0n);
    expect(await nodeRegistry.modelWeightOf(nodeA.address, modelB.id)).to.equal(0n);
    expect(await nodeRegistry.totalModelWeight(modelA.id)).to.equal(stake);
    expect(await nodeRegistry.totalModelWeight(modelB.id)).to.equal(0n);
    expect(await nodeRegistry.modelWeightOf(nodeB.address, modelA.id), "an active node keeps its weight").to.equal(
      stake,
    );

    // Nothing left: later passes (and a restarted keeper rescanning from the start) send nothing.
    expect(await jails.step()).to.equal(false);
    const restarted = sweeper((await nodeRegistry.getAddress()) as Address);
    expect(await restarted.jails.step()).to.equal(false);
    expect(restarted.metrics.counts.transactions).to.equal(0);
  });

  it("sends nothing for a node unjailed, or cleared by someone else, before it looks", async function () {
    const { nodeRegistry, nodeA, disputer, thirdParty } = await loadFixture(jailedNodeFixture);
    const { jails, metrics } = sweeper((await nodeRegistry.getAddress()) as Address);
    await nodeRegistry.connect(thirdParty).syncWeight(nodeA.address);
    expect(await jails.step()).to.equal(false);
    await nodeRegistry.connect(disputer).unjail(nodeA.address);
    await nodeRegistry.connect(disputer).jail(nodeA.address);
    await nodeRegistry.connect(disputer).unjail(nodeA.address);
    expect(await jails.step(), "the node was jailed again, but is free now").to.equal(false);
    expect(metrics.counts.transactions).to.equal(0);
  });
});
