import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { bytesToHex, parseAbi, type Hex } from "viem";
import { getValidatorAnswer } from "../../src/chain/actions/getValidatorAnswer";
import { Answer } from "../../src/chain/enums.generated";
import { defineContractCall } from "../../src/chain/contractCall";
import { sendContractCall } from "../../src/chain/sendContractCall";
import { attestationRegistryAbi } from "../../src/chain/abis.generated";
import { waitUntil } from "../../src/devnet/waitUntil";
import { startKeeper, type Keeper } from "../../src/keeper/startKeeper";
import { buildReceiptBatch, parseBatchFile, parseReceipt, signReceipt, type Receipt } from "../../src/protocol";
import { parseJsonRun, runVerity } from "../cli/runVerity";
import {
  KEEPER,
  NODE_SIGNER,
  STRANGER,
  infer,
  postReceipts,
  quiet,
  startKeeperWorld,
  type KeeperWorld,
} from "../keeper/setup";

const registerAgentAbi = parseAbi(["function register(string agentURI) returns (uint256)"]);

describe("the ERC-8004 validator on a real JSON-RPC chain: keeper and verity validator", function () {
  this.timeout(240_000);
  let world: KeeperWorld;
  let keeper: Keeper;
  let chain: string[];
  const keyOf = (index: number) => bytesToHex(world.system.account(index).getHdKey().privateKey!);
  const asAgent = () => ({ VERITY_KEY: keyOf(STRANGER), VERITY_KEYSTORE: undefined });
  const answerOf = (requestHash: Hex) =>
    getValidatorAnswer(world.system.clients(0).publicClient, {
      address: world.system.addresses.verityValidator!,
      requestHash,
    });

  /** Files a request about `reference` through the CLI as agent 0 (owned by STRANGER); returns its hash. */
  async function request(reference: { receipt: Receipt; batchId?: Hex; proof?: Hex[] }): Promise<Hex> {
    const file = path.join(world.dir, `request-${Date.now()}.json`);
    const json = JSON.stringify(reference, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    fs.writeFileSync(file, json);
    const run = await runVerity(["validator", "request", file, "--agent-id", "0", ...chain, "--json"], asAgent());
    return parseJsonRun<{ requestHash: Hex }>(run).requestHash;
  }

  before(async function () {
    world = await startKeeperWorld();
    keeper = await startKeeper({
      rpcUrl: world.system.chain.rpcUrl,
      deployment: world.system.deployment,
      account: world.system.account(KEEPER),
      db: path.join(world.dir, "keeper.sqlite"),
      maxBatchSize: 4,
      maxBatchAgeMs: 3_600_000,
      nodeEndpoints: { [world.node]: world.nodeService.url },
      batchToken: "batch-secret",
      pollingIntervalMs: 50,
      validatorRecheckMs: 50,
      logger: quiet(),
    });
    const deployment = path.join(world.dir, "localhost.json");
    fs.writeFileSync(deployment, JSON.stringify(world.system.deployment));
    chain = ["--rpc-url", world.system.chain.rpcUrl, "--deployment", deployment];
    await sendContractCall(
      world.system.clients(STRANGER),
      defineContractCall({
        address: world.system.addresses.identityRegistry!,
        abi: registerAgentAbi,
        functionName: "register",
        args: ["ipfs://agent-0"],
      }),
    );
  });

  after(async function () {
    await keeper?.close();
    await world?.stop();
  });

  it("deploys the validator with test ERC-8004 registries on the local chain", function () {
    const { verityValidator, validationRegistry, identityRegistry } = world.system.addresses;
    for (const address of [verityValidator, validationRegistry, identityRegistry]) {
      expect(address).to.match(/^0x[0-9a-fA-F]{40}$/);
    }
  });

  it("the keeper pushes soft, then final, for a request about a receipt it attested", async function () {
    const signed = await Promise.all([1, 2, 3, 4].map((seed) => infer(world, seed)));
    await postReceipts(
      keeper.url,
      signed.map(({ receipt, signature }) => ({ receipt, signature })),
    );
    await keeper.flush();
    const status = (await (await fetch(`${keeper.url}/v1/receipts/${signed[2]!.receiptHash}`)).json()) as {
      batchId: Hex;
    };
    const file = parseBatchFile(await (await fetch(`${world.nodeService.url}/batches/${status.batchId}`)).text());
    const built = buildReceiptBatch(file.entries.map((entry) => entry.receipt));
    const receipt = parseReceipt(signed[2]!.receipt);
    const leaf = built.receipts.findIndex((r) => r.requestId === receipt.requestId);
    const requestHash = await request({ receipt, batchId: status.batchId, proof: built.proofs[leaf]! });

    await waitUntil("the keeper pushes soft", async () => (await answerOf(requestHash)) === Answer.Soft);
    const shown = parseJsonRun(await runVerity(["validator", "status", requestHash, ...chain, "--json"]));
    expect(shown).to.include({ answer: "soft", current: "soft", upToDate: true, response: 100, tag: "soft" });
    expect(shown.batchId).to.equal(status.batchId);
    const again = parseJsonRun(await runVerity(["validator", "update", requestHash, ...chain, "--json"], asAgent()));
    expect(again).to.include({ answer: "soft", updated: false });

    await world.system.advanceTime(24 * 3600);
    await waitUntil("the keeper pushes final", async () => (await answerOf(requestHash)) === Answer.Final);
    const final = parseJsonRun(await runVerity(["validator", "status", requestHash, ...chain, "--json"]));
    expect(final).to.include({ answer: "final", current: "final", upToDate: true, response: 100, tag: "final" });
  });

  it("leaves a request about a receipt it did not attest alone; verity validator update pushes it", async function () {
    const client = world.system.clients(STRANGER);
    const receipt: Receipt = {
      ...parseReceipt((await infer(world, 99)).receipt),
      requestId: `0x${"ab".repeat(32)}` as Hex,
    };
    const signature = await signReceipt({
      signer: world.system.account(NODE_SIGNER),
      domain: {
        chainId: world.system.deployment.chainId,
        verifyingContract: world.system.addresses.attestationRegistry,
      },
      receipt,
    });
    await sendContractCall(
      client,
      defineContractCall({
        address: world.system.addresses.attestationRegistry,
        abi: attestationRegistryAbi,
        functionName: "submitReceipt",
        args: [receipt, signature],
      }),
    );
    const requestHash = await request({ receipt });
    const transactions = keeper.counts.transactions;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await answerOf(requestHash)).to.equal(Answer.None);
    expect(keeper.counts.transactions).to.equal(transactions);

    const pushed = parseJsonRun(await runVerity(["validator", "update", requestHash, ...chain, "--json"], asAgent()));
    expect(pushed).to.include({ previous: "none", answer: "soft", updated: true });
    expect(await answerOf(requestHash)).to.equal(Answer.Soft);
  });

  it("refuses a request for a receipt that was never attested, naming the error", async function () {
    const receipt: Receipt = {
      ...parseReceipt((await infer(world, 7)).receipt),
      requestId: `0x${"cd".repeat(32)}` as Hex,
    };
    const requestHash = await request({ receipt });
    const run = await runVerity(["validator", "update", requestHash, ...chain, "--json"], asAgent());
    expect(run.code).to.not.equal(0);
    expect(run.stderr).to.contain("ValidatorReceiptNotFound");
    const shown = parseJsonRun(await runVerity(["validator", "status", requestHash, ...chain, "--json"]));
    expect(String(shown.current)).to.contain("unanswerable");
  });
});
