import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { erc20Abi, parseEther, type Address, type Hex } from "viem";
import {
  attestationRegistryAbi,
  disputeManagerAbi,
  modelRegistryAbi,
  nodeRegistryAbi,
  stakingAbi,
} from "../chain/abis.generated";
import { sendTransaction } from "../chain/sendTransaction";
import { getIrisSplit, readModelManifest } from "../models";
import {
  buildReceiptBatch,
  bytesToHex,
  createTensor,
  encodeTensor,
  getBatchDataHash,
  getReceiptStructHash,
  getTensorHash,
  serializeBatchFile,
  signBatch,
  type BatchFile,
  type Receipt,
} from "../protocol";
import { createIntegerRuntime, getOnchainRuntimeId, parseIntegerModel, quantizeInput } from "../runtime";
import type { VerifierContext } from "../verifier/context";
import { ModelCatalog } from "../verifier/ModelCatalog";
import { runVerifierStep, type VerifierStepReport } from "../verifier/runVerifierStep";
import { VerdictStore } from "../verifier/VerdictStore";
import type { LocalSystem } from "./startLocalSystem";

/** Development account roles in the scenario. */
const NODE = 1;
const NODE_SIGNER = 2;
const CHALLENGER = 3;
const COMMITTEE = [4, 5, 6];
const STAKE = parseEther("1000");

export interface DisputeScenarioParameters {
  system: LocalSystem;
  modelsDir: string;
  /** Receipts the node serves; the last one is a lie. */
  receipts?: number;
  logLevel?: string;
  /** Called with a line of progress for humans. */
  progress?: (line: string) => void;
}

/** What happened, for the report and for the assertions of the end-to-end test. */
export interface DisputeScenarioReport {
  receiptsAttested: number;
  batchGas: bigint;
  gasPerReceipt: number;
  firstAudit: VerifierStepReport;
  secondAuditChallenges: number;
  lyingReceipt: Hex;
  verdicts: Record<string, number>;
  disputeId: bigint;
  finalState: number;
  outcome: number;
  revealedVotes: number;
  nodeJailed: boolean;
  nodeStake: { before: bigint; after: bigint };
  challengerTokens: { before: bigint; after: bigint };
  treasuryTokens: { before: bigint; after: bigint };
}

/**
 * The verification story on a live chain: the bundled integer model is registered; a node (with a separate signer
 * key) and four verifiers stake; the node serves held-out Iris samples, lying about the last one, batches the signed
 * receipts and attests the batch; a verifier audits it, catches the lie and challenges it; a committee of the other
 * verifiers (drawn by stake-weighted sortition, the challenger excluded) replays, commits and reveals; the dispute
 * resolves, the node is slashed and jailed, and the challenger claims its bond and reward.
 */
export async function runDisputeScenario(parameters: DisputeScenarioParameters): Promise<DisputeScenarioReport> {
  const { system, modelsDir } = parameters;
  const progress = parameters.progress ?? (() => {});
  const { addresses } = system;
  const publicClient = system.clients(0).publicClient;
  const manifest = readModelManifest(modelsDir);
  const entry = manifest.models.find((model) => model.runtimeId === "verity-int8-v1")!;
  const modelId = entry.modelId as Hex;

  progress(`registering model ${entry.name} (${modelId.slice(0, 10)}…, EXACT)`);
  await sendTransaction(system.clients(0), {
    address: addresses.modelRegistry!,
    abi: modelRegistryAbi,
    functionName: "registerModel",
    args: [
      {
        id: modelId,
        runtimeId: getOnchainRuntimeId(entry.runtimeId),
        mode: 0,
        tolerance: 0n,
        weightsRoot: modelId,
        previous: `0x${"00".repeat(32)}`,
        metadataURI: `file://models/${entry.file}`,
      },
    ],
  });

  progress("registering and staking 1 inference node and 4 verifiers");
  const registrations: [number, Address, number][] = [
    [NODE, system.account(NODE_SIGNER).address, 0],
    ...[CHALLENGER, ...COMMITTEE].map((index): [number, Address, number] => [
      index,
      system.account(index + 10).address,
      1,
    ]),
  ];
  for (const [index, signer, role] of registrations) {
    const clients = system.clients(index);
    await sendTransaction(clients, {
      address: addresses.nodeRegistry!,
      abi: nodeRegistryAbi,
      functionName: "registerNode",
      args: [signer, `http://127.0.0.1:9/node-${index}`, role, [modelId]],
    });
    await sendTransaction(clients, {
      address: addresses.token!,
      abi: erc20Abi,
      functionName: "approve",
      args: [addresses.staking!, STAKE],
    });
    await sendTransaction(clients, {
      address: addresses.staking!,
      abi: stakingAbi,
      functionName: "stake",
      args: [STAKE],
    });
  }

  const nodeAddress = system.account(NODE).address;
  const challengerAddress = system.account(CHALLENGER).address;
  const treasury = await publicClient.readContract({
    address: addresses.staking!,
    abi: stakingAbi,
    functionName: "treasury",
  });
  const balanceOf = (account: Address) =>
    publicClient.readContract({ address: addresses.token!, abi: erc20Abi, functionName: "balanceOf", args: [account] });
  const stakeOf = () =>
    publicClient.readContract({
      address: addresses.staking!,
      abi: stakingAbi,
      functionName: "slashableStakeOf",
      args: [nodeAddress],
    });
  const before = {
    node: await stakeOf(),
    challenger: await balanceOf(challengerAddress),
    treasury: await balanceOf(treasury),
  };

  const count = parameters.receipts ?? 5;
  progress(`node serves ${count} requests (the last one with a falsified output) and attests them as one batch`);
  const contentDir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-content-"));
  const { file, lyingReceipt } = await serveRequests(entry.file, modelsDir, modelId, nodeAddress, count);
  const dataHash = getBatchDataHash(file);
  fs.mkdirSync(path.join(contentDir, "batches"), { recursive: true });
  fs.writeFileSync(path.join(contentDir, "batches", `${dataHash}.json`), serializeBatchFile(file));
  const tree = buildReceiptBatch(file.entries.map((e) => e.receipt));
  const batch = { node: nodeAddress, sequence: 1n, root: tree.root, count: tree.count, dataHash };
  const signature = await signBatch({
    signer: system.account(NODE_SIGNER),
    domain: { chainId: system.deployment.chainId, verifyingContract: addresses.attestationRegistry! },
    batch,
  });
  const batchTx = await sendTransaction(system.clients(NODE), {
    address: addresses.attestationRegistry!,
    abi: attestationRegistryAbi,
    functionName: "submitBatch",
    args: [batch, signature],
  });
  const batchGas = (await publicClient.getTransactionReceipt({ hash: batchTx })).gasUsed;

  const context = (index: number, challenge: boolean): VerifierContext => {
    const clients = system.clients(index);
    return {
      clients,
      chainId: system.deployment.chainId,
      addresses: {
        token: addresses.token!,
        modelRegistry: addresses.modelRegistry!,
        nodeRegistry: addresses.nodeRegistry!,
        attestationRegistry: addresses.attestationRegistry!,
        disputeManager: addresses.disputeManager!,
      },
      store: new VerdictStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verity-verifier-")), "db.sqlite")),
      catalog: new ModelCatalog([createIntegerRuntime()], [modelsDir]),
      logger: pino({ level: parameters.logLevel ?? "silent" }),
      contentDir,
      auditShare: 1,
      confirmations: 0n,
      maxBlockRange: 1_000n,
      beneficiary: clients.walletClient!.account.address,
      challenge,
    };
  };
  const challenger = context(CHALLENGER, true);
  const committee = COMMITTEE.map((index) => context(index, false));
  const startBlock = BigInt(system.deployment.startBlock);

  try {
    progress("verifier audits the batch (replaying every receipt)");
    const firstAudit = await runVerifierStep(challenger, startBlock);
    const challenge = challenger.store.getChallenge(lyingReceipt);
    if (!challenge?.disputeId) throw new Error("the verifier did not challenge the falsified receipt");
    const disputeId = BigInt(challenge.disputeId);
    progress(`verifier challenged receipt ${lyingReceipt.slice(0, 10)}… (dispute ${disputeId}); drawing the committee`);
    await system.mine();
    await system.mine();
    const secondAudit = await runVerifierStep(challenger, startBlock);
    const state = () =>
      publicClient.readContract({
        address: addresses.disputeManager!,
        abi: disputeManagerAbi,
        functionName: "state",
        args: [disputeId],
      });

    progress("committee members replay and commit their votes");
    for (const member of committee) await runVerifierStep(member, startBlock);
    await system.advanceTime(3_601);
    progress("commit period over: committee members reveal");
    for (const member of committee) await runVerifierStep(member, startBlock);
    await system.advanceTime(3_601);
    progress("reveal period over: the challenger resolves the dispute");
    await runVerifierStep(challenger, startBlock);

    const dispute = await publicClient.readContract({
      address: addresses.disputeManager!,
      abi: disputeManagerAbi,
      functionName: "getDispute",
      args: [disputeId],
    });
    const claimable = await publicClient.readContract({
      address: addresses.disputeManager!,
      abi: disputeManagerAbi,
      functionName: "claimableOf",
      args: [challengerAddress],
    });
    if (claimable > 0n) {
      progress("challenger claims its bond back and its reward");
      await sendTransaction(system.clients(CHALLENGER), {
        address: addresses.disputeManager!,
        abi: disputeManagerAbi,
        functionName: "claim",
        args: [challengerAddress],
      });
    }
    const nodeInfo = await publicClient.readContract({
      address: addresses.nodeRegistry!,
      abi: nodeRegistryAbi,
      functionName: "getNode",
      args: [nodeAddress],
    });
    const verdicts: Record<string, number> = {};
    for (const verdict of challenger.store.verdicts()) verdicts[verdict.verdict] = (verdicts[verdict.verdict] ?? 0) + 1;
    return {
      receiptsAttested: tree.count,
      batchGas,
      gasPerReceipt: Number(batchGas) / tree.count,
      firstAudit,
      secondAuditChallenges: secondAudit.challengesOpened,
      lyingReceipt,
      verdicts,
      disputeId,
      finalState: await state(),
      outcome: dispute.outcome,
      revealedVotes: dispute.revealedCount,
      nodeJailed: nodeInfo.jailed,
      nodeStake: { before: before.node, after: await stakeOf() },
      challengerTokens: { before: before.challenger, after: await balanceOf(challengerAddress) },
      treasuryTokens: { before: before.treasury, after: await balanceOf(treasury) },
    };
  } finally {
    for (const member of [challenger, ...committee]) member.store.close();
  }
}

/** The node's side: runs the bundled integer model on held-out samples and signs nothing yet (the batch is signed). */
async function serveRequests(file: string, modelsDir: string, modelId: Hex, node: Address, count: number) {
  const artifact = new Uint8Array(fs.readFileSync(path.join(modelsDir, file)));
  const integerModel = parseIntegerModel(artifact);
  const loaded = await createIntegerRuntime().load(artifact);
  const samples = getIrisSplit().heldOut.slice(0, count);
  const entries: BatchFile["entries"] = [];
  for (const [i, sample] of samples.entries()) {
    const input = quantizeInput(integerModel, sample.features);
    const result = await loaded.run(input);
    const lie = i === samples.length - 1;
    const output = lie ? createTensor("int32", [1], [(Number(result.output.data[0]) + 1) % 3]) : result.output;
    const receipt: Receipt = {
      requestId: `0x${(i + 1).toString(16).padStart(64, "0")}`,
      modelId,
      inputHash: getTensorHash(input),
      outputHash: getTensorHash(output),
      traceRoot: result.traceRoot,
      node,
      issuedAt: BigInt(Math.floor(Date.now() / 1000)),
    };
    entries.push({
      receipt,
      input: { encoding: bytesToHex(encodeTensor(input)) },
      output: { encoding: bytesToHex(encodeTensor(output)) },
    });
  }
  const lyingReceipt = getReceiptStructHash(entries[entries.length - 1]!.receipt);
  const tree = buildReceiptBatch(entries.map((e) => e.receipt));
  const batchFile: BatchFile = { version: 1, node, sequence: 1n, entries: tree.order.map((index) => entries[index]!) };
  return { file: batchFile, lyingReceipt };
}
