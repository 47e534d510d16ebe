import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseEther, type Address, type Hex } from "viem";
import { claimRouterCredit } from "../chain/actions/claimRouterCredit";
import { getAssignments } from "../chain/actions/getAssignments";
import { getChallengeWindow } from "../chain/actions/getChallengeWindow";
import { getFraudJudgeOf } from "../chain/actions/getFraudJudgeOf";
import { getModel } from "../chain/actions/getModel";
import { getNode } from "../chain/actions/getNode";
import { getRequestSettledEvents } from "../chain/actions/getRequestSettledEvents";
import { getRequestState } from "../chain/actions/getRequestState";
import { getRouterCredit } from "../chain/actions/getRouterCredit";
import { getSlashedEvents } from "../chain/actions/getSlashedEvents";
import { getTreasury } from "../chain/actions/getTreasury";
import { RequestState } from "../chain/enums.generated";
import { sendContractCall } from "../chain/sendContractCall";
import { getPayloadHash, recoverReceiptSigner } from "../protocol";
import { INTEGER_V2_RUNTIME_ID, parseIntegerModelV2 } from "../runtime/integerV2";
import { DEMO_CAST } from "./cast";
import { collectAttestations, type AttestationTally } from "./collectAttestations";
import { collectFraudGames, type FraudGameRecord } from "./collectFraudGames";
import { prepareDemoModels, registerIntegerV2Model } from "./demoModels";
import { claimAll, driveDisputes, type DisputeRecord } from "./driveDisputes";
import { NodeRole, enrollParticipant, registerManifestModel } from "./enrollParticipants";
import { griefReceipt } from "./griefReceipt";
import { snapshotLedger, type LedgerEntry } from "./snapshotLedger";
import { createDemoLogger, reserveNodePorts, startDemoServices } from "./startDemoServices";
import {
  loadDemoModels,
  requestOffChain,
  requestOnChain,
  type ApiAnswer,
  type RouterRequest,
} from "./serveDemoRequests";
import type { LocalSystem } from "./startLocalSystem";
import { waitUntil } from "./waitUntil";

const NODE_STAKE = parseEther("1000");
const VERIFIER_STAKES = [parseEther("500"), parseEther("550"), parseEther("600")];
const FEE_PER_REQUEST = parseEther("2");
/** Opens a fraud game on an honest node's digits receipt (a development account with tokens and no other role). */
const GRIEFER = 9;

export interface SystemScenarioParameters {
  system: LocalSystem;
  modelsDir: string;
  /** API requests per node and per Iris model (default 4). */
  apiRequestsPerNodeAndModel?: number;
  /** API requests per node to the digits CNN v2 (default 2: the dishonest node, lying on half, gets one wrong). */
  digitsRequestsPerNode?: number;
  /** Whether a griefer challenges an honest node's digits receipt in the fraud game (default true). */
  grief?: boolean;
  /** On-chain requests through the router (default 3). */
  onChainRequests?: number;
  /** pino level of the services (default "silent"); `logFile` sends their logs to a file. */
  logLevel?: string;
  logFile?: string;
  progress?: (line: string) => void;
}

/** An on-chain request after settlement. */
export interface SettledRequest {
  id: Hex;
  node: Address;
  wrong: boolean;
  state: number;
  paidToNodes: bigint;
  toTreasury: bigint;
  refunded: bigint;
}

/** Everything the demo's report and its checks need. */
export interface SystemScenarioReport {
  answers: ApiAnswer[];
  answersSignedByTheirNode: boolean;
  onChain: SettledRequest[];
  attestations: AttestationTally;
  served: Hex[];
  wrong: Hex[];
  disputes: DisputeRecord[];
  /**
   * The digits CNN v2 as the chain has it: id (its commitment), registered runtime id and mode, the judge the
   * attestation registry names for it; and the judges it names for the other models (zero: committees).
   */
  v2Model: { modelId: Hex; runtimeId: Hex; mode: number; judge: Address; otherJudges: Address[] };
  fraudGameAddress: Address;
  /** Fraud games the challenger opened on wrong digits receipts, decided and read back from the chain. */
  fraudGames: FraudGameRecord[];
  /** Games a griefer opened on an honest node's digits receipt. */
  griefedGames: FraudGameRecord[];
  challenger: Address;
  dishonestNode: Address;
  honestNodes: Address[];
  jailed: Record<Address, boolean>;
  slashed: Record<Address, bigint>;
  claimed: bigint;
  ledger: { before: LedgerEntry[]; after: LedgerEntry[] };
}

/**
 * The whole system on a live local chain, as users run it: the bundled models are registered (the Iris models, and
 * the digits CNN on the fraud-provable runtime v2); three nodes and three verifiers register and stake; the keeper,
 * the node services and the verifiers start; API clients and an on-chain consumer send requests; the keeper batches
 * the receipts and relays router results; the dishonest node's wrong Iris results are challenged and voted down by
 * committees, its wrong digits result is challenged in a fraud game the verifier plays to the end (while a griefer
 * loses a game against an honest node's right digits receipt, decided before any committee moves chain time); the
 * dishonest node is slashed and jailed; the honest results settle and fees are paid.
 */
export async function runSystemScenario(parameters: SystemScenarioParameters): Promise<SystemScenarioReport> {
  const { system, modelsDir } = parameters;
  const progress = parameters.progress ?? (() => {});
  const contracts = system.addresses as Record<string, Address>;
  const owner = system.clients(DEMO_CAST.owner);
  const { publicClient } = owner;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-demo-"));
  const demoModels = prepareDemoModels(modelsDir, workDir);
  const isV2 = (entry: { runtimeId: string }) => entry.runtimeId === INTEGER_V2_RUNTIME_ID;

  progress(`registering ${demoModels.entries.length} bundled models (the digits CNN on ${INTEGER_V2_RUNTIME_ID})`);
  const modelIds: Hex[] = [];
  for (const entry of demoModels.entries)
    modelIds.push(
      isV2(entry)
        ? await registerIntegerV2Model(owner, contracts.modelRegistry!, modelsDir, entry)
        : await registerManifestModel(owner, contracts.modelRegistry!, entry),
    );
  const v2Entry = demoModels.entries.find(isV2)!;

  progress("registering and staking 3 inference nodes and 3 verifiers");
  const nodePorts = await reserveNodePorts();
  for (const node of DEMO_CAST.nodes) {
    await enrollParticipant({
      operator: system.clients(node.operator),
      contracts: { token: contracts.token!, nodeRegistry: contracts.nodeRegistry!, staking: contracts.staking! },
      signer: system.account(node.signer).address,
      endpoint: `http://127.0.0.1:${nodePorts.get(node.operator)}`,
      role: NodeRole.Inference,
      models: modelIds,
      stake: NODE_STAKE,
    });
  }
  for (const [i, verifier] of DEMO_CAST.verifiers.entries()) {
    await enrollParticipant({
      operator: system.clients(verifier.operator),
      contracts: { token: contracts.token!, nodeRegistry: contracts.nodeRegistry!, staking: contracts.staking! },
      signer: system.account(verifier.signer).address,
      endpoint: `http://127.0.0.1:9/verifier-${verifier.operator}`,
      role: NodeRole.Verifier,
      models: [],
      stake: VERIFIER_STAKES[i]!,
    });
  }

  const treasury = await getTreasury(publicClient, { address: contracts.staking });
  const named = (label: string, index: number) => ({ name: label, address: system.account(index).address });
  const ledgerAccounts = [
    ...DEMO_CAST.nodes.map((n, i) => named(`node ${i + 1}${n.dishonestShare > 0 ? " (dishonest)" : ""}`, n.operator)),
    ...DEMO_CAST.verifiers.map((v, i) => named(`verifier ${i + 1}${v.challenges ? " (challenger)" : ""}`, v.operator)),
    named("consumer", DEMO_CAST.consumer),
    { name: "treasury", address: treasury },
  ];
  const ledgerContracts = { token: contracts.token!, staking: contracts.staking! };
  const before = await snapshotLedger(owner, ledgerContracts, ledgerAccounts);

  const logger = createDemoLogger(parameters.logLevel ?? "silent", parameters.logFile);
  progress("starting the keeper, 3 node services and 3 verifiers");
  const services = await startDemoServices({ system, modelsDir: demoModels.dir, workDir, nodePorts, logger });
  try {
    const models = await loadDemoModels(demoModels.dir, demoModels.entries);
    const perNode = parameters.apiRequestsPerNodeAndModel ?? 4;
    const digitsPerNode = parameters.digitsRequestsPerNode ?? 2;
    const countFor = (model: { entry: { runtimeId: string } }) => (isV2(model.entry) ? digitsPerNode : perNode);
    progress(
      `API clients send ${models.reduce((n, m) => n + countFor(m), 0)} requests to each node (${digitsPerNode} digits)`,
    );
    const answers = await requestOffChain(
      services.nodes.map((n) => ({ operator: n.operator, url: n.service.url, dishonestShare: n.dishonestShare })),
      models,
      countFor,
    );
    const exact = models.find((m) => m.entry.verificationMode === "EXACT" && !isV2(m.entry))!;
    const onChainCount = parameters.onChainRequests ?? 3;
    progress(`a consumer escrows fees for ${onChainCount} on-chain requests`);
    const requests = await requestOnChain(
      system.clients(DEMO_CAST.consumer),
      { token: contracts.token!, inferenceRouter: contracts.inferenceRouter! },
      exact,
      onChainCount,
      FEE_PER_REQUEST,
    );

    progress("nodes answer their assignments; the keeper batches, attests and relays the results");
    const assignments = (id: Hex) => getAssignments(publicClient, { address: contracts.inferenceRouter, id });
    await waitUntil(
      "every on-chain request to be fulfilled",
      async () =>
        (await Promise.all(requests.map((r) => assignments(r.id)))).every((slots) => slots.every((s) => s.rank > 0)),
      { timeoutMs: 45_000 },
    );
    const served = new Set<Hex>(answers.map((a) => a.receiptHash));
    const routerSlots = await Promise.all(
      requests.map(async (r) => ({ request: r, slot: (await assignments(r.id))[0]! })),
    );
    for (const { slot } of routerSlots) served.add(slot.receiptHash);
    await waitUntil(
      `all ${served.size} receipts to be attested`,
      async () => (await collectAttestations(system)).occurrences.size >= served.size,
      { timeoutMs: 45_000 },
    );

    const expectedOutputs = await Promise.all(
      requests.map(async (r) => getPayloadHash((await exact.reference.run(r.input)).output)),
    );
    const wrong = [
      ...answers.filter((a) => a.wrong).map((a) => a.receiptHash),
      ...routerSlots
        .filter(({ slot }, i) => slot.outputHash !== expectedOutputs[i])
        .map(({ slot }) => slot.receiptHash),
    ];
    const wrongV2 = new Set(answers.filter((a) => a.wrong && isV2(a.model)).map((a) => a.receiptHash));
    const dishonestNode = system.account(DEMO_CAST.nodes.find((n) => n.dishonestShare > 0)!.operator).address;

    // A griefer challenges an honest node's right digits receipt; the node service defends it by itself.
    const honestV2 = answers.find((a) => isV2(a.model) && !a.wrong && a.node !== dishonestNode);
    const v2Model = parseIntegerModelV2(new Uint8Array(fs.readFileSync(path.join(modelsDir, v2Entry.file))));
    const griefing =
      (parameters.grief ?? true) && honestV2
        ? griefReceipt(system, { griefer: GRIEFER, receipt: honestV2.receipt, input: honestV2.input, model: v2Model })
        : undefined;
    griefing?.catch(() => {});
    if (griefing)
      progress(`a griefer opens a fraud game on node ${honestV2!.node.slice(0, 10)}…'s right digits receipt`);

    const challenger = services.verifiers.find((v) => v.context.challenge)!;
    const { store } = challenger.context;
    progress(
      `the challenger audits every receipt; ${wrong.length} wrong result(s) to catch, ` +
        `${wrongV2.size} of them on the fraud-provable digits CNN`,
    );
    await waitUntil(
      "the challenger to challenge every wrong result",
      () =>
        wrong.every((hash) =>
          wrongV2.has(hash) ? store.getFraudGame(hash)?.gameId != null : store.getChallenge(hash)?.disputeId != null,
        ),
      { timeoutMs: 45_000, between: () => system.mine() },
    );
    const gameIds = [...wrongV2].map((hash) => BigInt(store.getFraudGame(hash)!.gameId!));
    progress(`fraud game(s) #${gameIds.join(", #")} opened: the verifier and the node play them to the end`);
    // Decided before any chain time moves for the committees: nobody loses a game by a timeout the demo caused.
    await waitUntil(
      "the verifier to win and claim every fraud game, and every node service to close its games",
      () =>
        [...wrongV2].every((hash) => store.getFraudGame(hash)?.state === "claimed") &&
        services.nodes.every((n) => n.service.openFraudGames().length === 0),
      { timeoutMs: 60_000 },
    );
    const griefedIds = griefing ? [await griefing] : [];
    await waitUntil("every node service to close its games", () =>
      services.nodes.every((n) => n.service.openFraudGames().length === 0),
    );
    const fraudGames = await collectFraudGames(system, gameIds);
    const griefedGames = await collectFraudGames(system, griefedIds);
    progress(
      `fraud games decided: ${[...fraudGames, ...griefedGames].map((g) => `#${g.id} in ${g.moves.length} transactions`).join(", ")}`,
    );

    const disputeIds = wrong
      .filter((hash) => !wrongV2.has(hash))
      .map((hash) => BigInt(store.getChallenge(hash)!.disputeId!));
    const disputes = await driveDisputes(system, disputeIds, progress);
    const claimed = await claimAll(
      system,
      DEMO_CAST.verifiers.map((v) => v.operator),
    );

    const window = await getChallengeWindow(publicClient, { address: contracts.attestationRegistry });
    progress(`challenge windows close (${window} s later): the keeper settles the on-chain requests`);
    await system.advanceTime(window + 1);
    const requestState = (id: Hex) => getRequestState(publicClient, { address: contracts.inferenceRouter, id });
    await waitUntil(
      "every on-chain request to settle",
      async () => (await Promise.all(requests.map((r) => requestState(r.id)))).every((s) => s === RequestState.Settled),
      { timeoutMs: 30_000, between: () => system.mine() },
    );

    const onChain = await settledRequests(system, routerSlots, expectedOutputs);
    progress("nodes and the consumer withdraw what settlement credited them in the router");
    await claimRouterCredits(system, [...DEMO_CAST.nodes.map((n) => n.operator), DEMO_CAST.consumer]);
    const domain = { chainId: system.deployment.chainId, verifyingContract: contracts.attestationRegistry! };
    const signerOf = new Map(
      DEMO_CAST.nodes.map((n) => [system.account(n.operator).address, system.account(n.signer).address]),
    );
    const signers = await Promise.all(
      answers.map((a) => recoverReceiptSigner({ receipt: a.receipt, signature: a.signature, domain })),
    );
    const nodes = DEMO_CAST.nodes.map((n) => system.account(n.operator).address);
    return {
      answers,
      answersSignedByTheirNode: answers.every((a, i) => signers[i] === signerOf.get(a.node)),
      onChain,
      attestations: await collectAttestations(system),
      served: [...served],
      wrong,
      disputes,
      v2Model: await readV2Model(system, v2Entry.modelId, modelIds),
      fraudGameAddress: contracts.fraudGame!,
      fraudGames,
      griefedGames,
      challenger: challenger.operator,
      dishonestNode,
      honestNodes: nodes.filter((n) => n !== dishonestNode),
      jailed: Object.fromEntries(await Promise.all(nodes.map(async (n) => [n, await isJailed(system, n)]))),
      slashed: await slashedByNode(system),
      claimed,
      ledger: { before, after: await snapshotLedger(owner, ledgerContracts, ledgerAccounts) },
    };
  } finally {
    await services.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

async function readV2Model(system: LocalSystem, modelId: Hex, allIds: readonly Hex[]) {
  const { publicClient } = system.clients(0);
  const judgeOf = (model: Hex) =>
    getFraudJudgeOf(publicClient, { address: system.addresses.attestationRegistry, model });
  const registered = await getModel(publicClient, { address: system.addresses.modelRegistry, id: modelId });
  return {
    modelId,
    runtimeId: registered.runtimeId,
    mode: registered.mode,
    judge: await judgeOf(modelId),
    otherJudges: await Promise.all(allIds.filter((id) => id !== modelId).map(judgeOf)),
  };
}

/** Router settlement only credits: each account withdraws its fees or refunds (`claim` to itself). */
async function claimRouterCredits(system: LocalSystem, accountIndexes: readonly number[]): Promise<void> {
  for (const index of accountIndexes) {
    const clients = system.clients(index);
    const account = system.account(index).address;
    const router = system.addresses.inferenceRouter!;
    const credit = await getRouterCredit(clients.publicClient, { address: router, account });
    if (credit === 0n) continue;
    await sendContractCall(clients, claimRouterCredit({ address: router, to: account }));
  }
}

async function isJailed(system: LocalSystem, node: Address): Promise<boolean> {
  const info = await getNode(system.clients(0).publicClient, { address: system.addresses.nodeRegistry, node });
  return info.jailed;
}

async function slashedByNode(system: LocalSystem): Promise<Record<Address, bigint>> {
  const logs = await getSlashedEvents(system.clients(0).publicClient, {
    address: system.addresses.staking,
    fromBlock: BigInt(system.deployment.startBlock),
  });
  const slashed: Record<Address, bigint> = {};
  for (const log of logs) {
    slashed[log.args.node] = (slashed[log.args.node] ?? 0n) + log.args.slashed;
  }
  return slashed;
}

async function settledRequests(
  system: LocalSystem,
  routerSlots: { request: RouterRequest; slot: { node: Address; outputHash: Hex } }[],
  expectedOutputs: Hex[],
): Promise<SettledRequest[]> {
  const { publicClient } = system.clients(0);
  const settled = await getRequestSettledEvents(publicClient, {
    address: system.addresses.inferenceRouter,
    fromBlock: BigInt(system.deployment.startBlock),
  });
  return Promise.all(
    routerSlots.map(async ({ request, slot }, i) => {
      const event = settled.find((log) => log.args.id === request.id);
      return {
        id: request.id,
        node: slot.node,
        wrong: slot.outputHash !== expectedOutputs[i],
        state: await getRequestState(publicClient, { address: system.addresses.inferenceRouter, id: request.id }),
        paidToNodes: event?.args.paidToNodes ?? 0n,
        toTreasury: event?.args.toTreasury ?? 0n,
        refunded: event?.args.refunded ?? 0n,
      };
    }),
  );
}
