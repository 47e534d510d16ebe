import { expect } from "chai";
import path from "node:path";
import { createTestClient, http, type Hex } from "viem";
import { challenge } from "../../src/chain/actions/challenge";
import { ensureAllowance } from "../../src/chain/actions/ensureAllowance";
import { getBatchSubmittedEvents } from "../../src/chain/actions/getBatchSubmittedEvents";
import { getChallengeBond } from "../../src/chain/actions/getChallengeBond";
import { getDispute } from "../../src/chain/actions/getDispute";
import { getDisputeOfReceipt } from "../../src/chain/actions/getDisputeOfReceipt";
import { getDisputeOpenedEvents } from "../../src/chain/actions/getDisputeOpenedEvents";
import { previewBond } from "../../src/chain/actions/previewBond";
import { sendContractCall } from "../../src/chain/sendContractCall";
import { NodeRole, enrollParticipant } from "../../src/devnet/enrollParticipants";
import { buildReceiptBatch, getReceiptStructHash, parseBatchFile } from "../../src/protocol";
import { getDisputeParameters } from "../../src/chain/actions/getDisputeParameters";
import { getReceiptState } from "../../src/chain/actions/getReceiptState";
import { ReceiptState } from "../../src/chain/enums.generated";
import { startKeeper, type Keeper } from "../../src/keeper/startKeeper";
import type { VerifierContext } from "../../src/verifier/context";
import { runVerifierStep } from "../../src/verifier/runVerifierStep";
import { createTestVerifierContext } from "./setup";
import { KEEPER, freePort, infer, postReceipts, quiet, startKeeperWorld, type KeeperWorld } from "../keeper/setup";

const VERIFIER = 6;
const ACCOMPLICE = 7;
/** Verifier operators enrolled to sit on committees, and their signer accounts. */
const JURORS = [10, 11, 12];
const JUROR_SIGNERS = [16, 17, 18];

describe("verifier against disputes that would whitewash a wrong receipt (expiry, an accomplice first)", function () {
  this.timeout(300_000);
  let world: KeeperWorld;
  let keeper: Keeper;
  let context: VerifierContext;

  before(async function () {
    world = await startKeeperWorld({ nodePort: await freePort(), dishonestShare: 1 });
    keeper = await startKeeper({
      rpcUrl: world.system.chain.rpcUrl,
      deployment: world.system.deployment,
      account: world.system.account(KEEPER),
      db: path.join(world.dir, "keeper.sqlite"),
      maxBatchSize: 100,
      maxBatchAgeMs: 3_600_000,
      batchToken: "batch-secret",
      pollingIntervalMs: 50,
      logger: quiet(),
    });
    context = createTestVerifierContext(world, VERIFIER);
  });

  after(async function () {
    context?.store.close();
    await keeper?.close();
    await world?.stop();
  });

  it("challenges the receipt again in its extended window, and not a third time while that dispute is open", async function () {
    const { receipt, signature } = await infer(world, 7_000);
    expect((await postReceipts(keeper.url, [{ receipt, signature }])).body.accepted).to.equal(1);
    await keeper.flush({ timeoutMs: 120_000 });
    const publicClient = world.system.clients(0).publicClient;
    const testClient = createTestClient({ mode: "hardhat", transport: http(world.system.chain.rpcUrl) });
    const { disputeManager, attestationRegistry } = world.system.addresses;
    const startBlock = BigInt(world.system.deployment.startBlock);
    const opened = async () =>
      (await getDisputeOpenedEvents(publicClient, { address: disputeManager!, fromBlock: 0n })).map(
        (e) => e.args.receiptHash as Hex,
      );

    const first = await runVerifierStep(context, startBlock);
    expect(first).to.include({ wrongResults: 1, challengesOpened: 1 });
    const [challenged] = await opened();
    const firstId = context.store.getChallenge(challenged!)!.disputeId;

    // Nobody votes and nobody arbitrates: the dispute runs past every deadline and expires undecided.
    const p = await getDisputeParameters(publicClient, { address: disputeManager! });
    const idle = Number(p.commitPeriod) + Number(p.revealPeriod) + Number(p.arbitrationPeriod) + 60;
    await testClient.increaseTime({ seconds: idle });
    await testClient.mine({ blocks: 1 });
    // This step resolves the expired dispute; the receipt is challengeable again.
    await runVerifierStep(context, startBlock);
    expect(await getReceiptState(publicClient, { address: attestationRegistry!, receiptHash: challenged! })).to.equal(
      ReceiptState.None,
    );
    expect(context.store.getChallenge(challenged!)).to.include({ state: "intent", disputeId: null });

    const again = await runVerifierStep(context, startBlock);
    expect(again.challengesOpened).to.equal(1);
    expect(await opened()).to.deep.equal([challenged, challenged]);
    const second = context.store.getChallenge(challenged!)!;
    expect(second.state).to.equal("confirmed");
    expect(second.disputeId).to.not.equal(firstId);
    // And it does not challenge a third time while that dispute is open.
    expect((await runVerifierStep(context, startBlock)).challengesOpened).to.equal(0);
    expect(await opened()).to.have.length(2);
  });

  it("joins with its own bond a drawn dispute that the node's accomplice opened first on a receipt it found wrong", async function () {
    const { system } = world;
    const { disputeManager, attestationRegistry, token, nodeRegistry, staking } = system.addresses;
    const publicClient = system.clients(0).publicClient;
    const testClient = createTestClient({ mode: "hardhat", transport: http(system.chain.rpcUrl) });
    for (const [k, index] of JURORS.entries()) {
      await enrollParticipant({
        operator: system.clients(index),
        contracts: { token: token!, nodeRegistry: nodeRegistry!, staking: staking! },
        signer: system.account(JUROR_SIGNERS[k]!).address,
        endpoint: `http://127.0.0.1:9/juror-${k}`,
        role: NodeRole.Verifier,
        models: [],
        stake: 1_000n * 10n ** 18n,
      });
    }
    const fromBlock = await publicClient.getBlockNumber();
    const { receipt, signature, receiptHash } = await infer(world, 7_100);
    expect((await postReceipts(keeper.url, [{ receipt, signature }])).body.accepted).to.equal(1);
    await keeper.flush({ timeoutMs: 120_000 });

    // The accomplice challenges first, naming the node as beneficiary.
    const [batch] = await getBatchSubmittedEvents(publicClient, { address: attestationRegistry!, fromBlock });
    const batchId = batch!.args.id as Hex;
    const text = await (await fetch(`${world.nodeService.url}/batches/${batchId}`)).text();
    const tree = buildReceiptBatch(parseBatchFile(text).entries.map((entry) => entry.receipt));
    const index = tree.receipts.findIndex((r) => getReceiptStructHash(r) === receiptHash.toLowerCase());
    const accomplice = system.clients(ACCOMPLICE);
    const [bond] = await previewBond(publicClient, { address: disputeManager!, node: world.node });
    await ensureAllowance(accomplice, { token: token!, spender: disputeManager!, amount: bond });
    await sendContractCall(
      accomplice,
      challenge({
        address: disputeManager!,
        receipt: tree.receipts[index]!,
        batchId,
        proof: tree.proofs[index]!,
        outputHash: `0x${"11".repeat(32)}`,
        beneficiary: world.node,
        maxBond: bond,
      }),
    );
    const id = await getDisputeOfReceipt(publicClient, { address: disputeManager!, receiptHash });
    // The draw block (the one after the challenge) must be mined and past.
    await testClient.mine({ blocks: 2 });

    // The verifier finds the receipt wrong, sees it disputed, draws the committee, then joins.
    const first = await runVerifierStep(context, BigInt(system.deployment.startBlock));
    expect(first).to.include({ wrongResults: 1, challengesOpened: 0 });
    await runVerifierStep(context, BigInt(system.deployment.startBlock));
    const beneficiary = context.beneficiary;
    const joined = await getChallengeBond(publicClient, { address: disputeManager!, id, beneficiary });
    const dispute = await getDispute(publicClient, { address: disputeManager!, id });
    expect(joined).to.equal(dispute.bond);
    expect(dispute.challengeBonds).to.equal(2n * dispute.bond);
    // Once is enough: another step posts nothing more.
    await runVerifierStep(context, BigInt(system.deployment.startBlock));
    expect(await getChallengeBond(publicClient, { address: disputeManager!, id, beneficiary })).to.equal(joined);
  });
});
