import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { keccak256, toHex, type Address, type Hex } from "viem";
import { attestationRegistryAbi } from "../../src/chain/abis.generated";
import { ensureAllowance } from "../../src/chain/actions/ensureAllowance";
import {
  claimFraudGame,
  getFraudClaimable,
  getFraudGame,
  getFraudGameCount,
  getFraudGameEvents,
  getFraudGameParameters,
  FRAUD_GAME_MOVE_EVENTS,
  openFraudGame,
  previewFraudBond,
} from "../../src/chain/actions/fraudGame";
import { getActiveStake } from "../../src/chain/actions/getActiveStake";
import { getTokenBalance } from "../../src/chain/actions/getTokenBalance";
import { registerModel } from "../../src/chain/actions/registerModel";
import { FraudGameOutcome, Phase, Reason } from "../../src/chain/enums.generated";
import { nextFraudMove, readFraudGame, type FraudChallengerStrategy } from "../../src/chain/fraudGamePlayer";
import { sendContractCall } from "../../src/chain/sendContractCall";
import type { LocalSystem } from "../../src/devnet/startLocalSystem";
import { startLocalSystem } from "../../src/devnet/startLocalSystem";
import { buildInput, buildTestModel } from "../../src/models/build/syntheticV2";
import { startNodeService, type NodeService } from "../../src/node/startNodeService";
import { bytesToHex, encodeTensor, getPayloadHash, signReceipt, type Receipt } from "../../src/protocol";
import { createIntegerRuntime, getOnchainRuntimeId } from "../../src/runtime";
import {
  buildTraceV2,
  createChallenger,
  createNaiveChallenger,
  createNodeResponder,
  getModelCommitmentV2,
  INTEGER_V2_RUNTIME_ID,
  runIntegerModelV2,
  serializeIntegerModelV2,
} from "../../src/runtime/integerV2";
import type { VerifierContext } from "../../src/verifier/context";
import { ModelCatalog } from "../../src/verifier/ModelCatalog";
import { runVerifierStep } from "../../src/verifier/runVerifierStep";
import { VerdictStore } from "../../src/verifier/VerdictStore";
import { registerInferenceNode } from "../../scripts/bench/localNode";
import { parseJsonRun, runVerity } from "../cli/runVerity";
import { freePort, quiet } from "../keeper/setup";

/** Development accounts. */
const HONEST = { operator: 1, signer: 2 };
const DISHONEST = { operator: 6, signer: 7 };
const SUBMITTER = 3;
const GRIEFER = 8;
const VERIFIER = 9;

const model = buildTestModel();
const commitment = getModelCommitmentV2(model);
const ZERO_HASH = `0x${"00".repeat(32)}` as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The fraud-proof game played by the services on a real `hardhat node`: the node defends its runtime-v2 receipts
 * against a griefer (and resumes after a restart), and the verifier opens, plays and wins a game against a dishonest
 * node (and resumes after a restart), with the synthetic CNN of the FraudGame tests.
 */
describe("fraud game played by the node and the verifier services", function () {
  this.timeout(300_000);
  let system: LocalSystem;
  let dir: string;
  let modelsDir: string;
  let fraudGame: Address;
  const services: NodeService[] = [];

  const startNode = async (who: typeof HONEST, port: number, dishonestShare = 0) => {
    const service = await startNodeService({
      rpcUrl: system.chain.rpcUrl,
      deployment: system.deployment,
      operator: system.account(who.operator).address,
      operatorAccount: system.account(who.operator),
      signer: system.account(who.signer),
      db: path.join(dir, `node-${who.operator}.sqlite`),
      modelsDir,
      port,
      watchRouter: false,
      dishonestShare,
      pollingIntervalMs: 100,
      logger: quiet(),
    });
    services.push(service);
    return service;
  };

  /** A receipt of `node` for input `seed`, attested singly. */
  const inferAndAttest = async (node: NodeService, seed: number): Promise<{ receipt: Receipt; receiptHash: Hex }> => {
    const input = buildInput(model, seed);
    const response = await fetch(`${node.url}/v1/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        modelId: commitment.modelId,
        input: { dtype: "int8", shape: [1, input.data.length], data: Array.from(input.data) },
      }),
    });
    expect(response.status).to.equal(200, await response.clone().text());
    const body = (await response.json()) as { receipt: Record<string, string>; signature: Hex; receiptHash: Hex };
    const receipt: Receipt = {
      requestId: body.receipt.requestId as Hex,
      modelId: body.receipt.modelId as Hex,
      inputHash: body.receipt.inputHash as Hex,
      outputHash: body.receipt.outputHash as Hex,
      traceRoot: body.receipt.traceRoot as Hex,
      node: body.receipt.node as Address,
      issuedAt: BigInt(body.receipt.issuedAt!),
    };
    const { walletClient, publicClient } = system.clients(SUBMITTER);
    const hash = await walletClient!.writeContract({
      address: system.addresses.attestationRegistry,
      abi: attestationRegistryAbi,
      functionName: "submitReceipt",
      args: [receipt, body.signature],
    });
    await publicClient.waitForTransactionReceipt({ hash });
    return { receipt, receiptHash: body.receiptHash };
  };

  /** A griefer: an honest challenger's proofs, but it always picks tensor 1, the first child, element and part. */
  const griefStrategy = (seed: number): FraudChallengerStrategy =>
    createNaiveChallenger(
      createChallenger(model, commitment, runIntegerModelV2(model, buildInput(model, seed)).trace),
      1,
    );

  const openAsGriefer = async (receipt: Receipt) => {
    const clients = system.clients(GRIEFER);
    const [bond] = await previewFraudBond(clients.publicClient, { address: fraudGame, node: receipt.node });
    await ensureAllowance(clients, { token: system.addresses.token, spender: fraudGame, amount: bond });
    const balance = await getTokenBalance(clients.publicClient, {
      address: system.addresses.token,
      account: system.account(GRIEFER).address,
    });
    await sendContractCall(
      clients,
      openFraudGame({
        address: fraudGame,
        receipt,
        batchId: `0x${"00".repeat(32)}`,
        proof: [],
        beneficiary: system.account(GRIEFER).address,
        maxBond: bond,
      }),
    );
    const [opened] = await getFraudGameEvents(clients.publicClient, {
      address: fraudGame,
      eventName: "GameOpened",
      args: { receiptHash: (await receiptHashOf(receipt)) as Hex },
      fromBlock: 0n,
    }).then((logs) => logs.slice(-1));
    return { id: opened!.args.id, openedAt: opened!.blockNumber, bond, balanceBefore: balance };
  };

  const receiptHashOf = async (receipt: Receipt) =>
    system.clients(0).publicClient.readContract({
      address: system.addresses.attestationRegistry,
      abi: attestationRegistryAbi,
      functionName: "hashReceipt",
      args: [receipt],
    });

  /** One move of the griefer when it is its turn; the phase the game is in afterwards. */
  const griefMove = async (id: bigint, openedAt: bigint, strategy: FraudChallengerStrategy, receipt: Receipt) => {
    const clients = system.clients(GRIEFER);
    const view = await readFraudGame(clients.publicClient, { address: fraudGame, id, fromBlock: openedAt });
    const move = nextFraudMove(fraudGame, view, {
      side: "challenger",
      strategy,
      receipt,
      inputEncoding: bytesToHex(encodeTensor(buildInput(model, 0))),
    });
    if (move.kind === "send") await sendContractCall(clients, move.call);
    return move.kind;
  };

  const phaseOf = async (id: bigint) =>
    (await getFraudGame(system.clients(0).publicClient, { address: fraudGame, id })).phase as Phase;

  const waitForPhase = async (id: bigint, phases: Phase[], timeoutMs = 20_000) => {
    const start = Date.now();
    for (;;) {
      const phase = await phaseOf(id);
      if (phases.includes(phase)) return phase;
      if (Date.now() - start > timeoutMs) throw new Error(`game ${id} stuck in phase ${phase}`);
      await sleep(50);
    }
  };

  /** Gas of every transaction that moved game `id` (the opening included), in chain order. */
  const gasOfGame = async (id: bigint, openedAt: bigint) => {
    const { publicClient } = system.clients(0);
    const names = FRAUD_GAME_MOVE_EVENTS;
    const logs = (
      await Promise.all(
        names.map((eventName) =>
          getFraudGameEvents(publicClient, { address: fraudGame, eventName, args: { id }, fromBlock: openedAt }),
        ),
      )
    ).flat();
    const hashes = [
      ...new Set(logs.sort((a, b) => Number(a.blockNumber - b.blockNumber)).map((l) => l.transactionHash)),
    ];
    const receipts = await Promise.all(hashes.map((hash) => publicClient.getTransactionReceipt({ hash })));
    return receipts.map((r) => r.gasUsed);
  };

  before(async function () {
    system = await startLocalSystem();
    fraudGame = system.addresses.fraudGame;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-fraud-play-"));
    modelsDir = path.join(dir, "models");
    fs.mkdirSync(modelsDir);
    fs.writeFileSync(path.join(modelsDir, "test-cnn.vmodel2"), serializeIntegerModelV2(model));
    const n = model.inputShape[0] * model.inputShape[1] * model.inputShape[2];
    fs.writeFileSync(
      path.join(modelsDir, "manifest.json"),
      JSON.stringify({
        version: 1,
        models: [
          {
            name: "test-cnn-v2",
            file: "test-cnn.vmodel2",
            modelId: commitment.modelId,
            runtimeId: INTEGER_V2_RUNTIME_ID,
            verificationMode: "EXACT",
            tolerance: "0",
            input: { dtype: "int8", shape: [1, n] },
          },
        ],
      }),
    );
    await sendContractCall(
      system.clients(0),
      registerModel({
        address: system.addresses.modelRegistry,
        registration: {
          id: commitment.modelId,
          runtimeId: getOnchainRuntimeId(INTEGER_V2_RUNTIME_ID),
          mode: 0,
          tolerance: 0n,
          weightsRoot: bytesToHex(commitment.weightsRoot),
          previous: `0x${"00".repeat(32)}`,
          metadataURI: "verity://models/test-cnn.vmodel2",
        },
      }),
    );
  });

  after(async function () {
    for (const service of services) await service.close();
    await system?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("an honest node attacked by a griefer", function () {
    let node: NodeService;
    let port: number;

    before(async function () {
      port = await freePort();
      await registerInferenceNode(system, {
        ...HONEST,
        endpoint: `http://127.0.0.1:${port}`,
        models: [commitment.modelId],
      });
      node = await startNode(HONEST, port);
    });

    it("defends to the one-step, resuming after a restart mid-game: the griefer loses its bond, the stake is intact", async function () {
      const { publicClient } = system.clients(0);
      const operator = system.account(HONEST.operator).address;
      const seed = 11;
      const { receipt } = await inferAndAttest(node, seed);
      const stakeBefore = await getActiveStake(publicClient, { address: system.addresses.staking, node: operator });
      const operatorBalanceBefore = await getTokenBalance(publicClient, {
        address: system.addresses.token,
        account: operator,
      });
      const started = Date.now();
      const { id, openedAt, bond, balanceBefore } = await openAsGriefer(receipt);
      const strategy = griefStrategy(seed);

      // The node answers by itself; stop it once it revealed its tensor roots, move, and start it again.
      await waitForPhase(id, [Phase.PickTensor]);
      await node.close();
      expect(await griefMove(id, openedAt, strategy, receipt)).to.equal("send");
      expect(await phaseOf(id)).to.equal(Phase.RevealNodes);
      await sleep(300);
      expect(await phaseOf(id)).to.equal(Phase.RevealNodes, "a stopped node does not move");
      node = await startNode(HONEST, port);

      let griefMoves = 1;
      for (let guard = 0; guard < 400; guard++) {
        const kind = await griefMove(id, openedAt, strategy, receipt);
        if (kind === "resolved") break;
        if (kind === "send") griefMoves++;
        else await sleep(50);
      }
      const wallMs = Date.now() - started;
      const game = await getFraudGame(publicClient, { address: fraudGame, id });
      expect(game.phase).to.equal(Phase.Resolved);
      expect(game.outcome).to.equal(FraudGameOutcome.NodeRight);
      const [resolved] = await getFraudGameEvents(publicClient, {
        address: fraudGame,
        eventName: "GameResolved",
        args: { id },
        fromBlock: openedAt,
      });
      expect(resolved!.args.reason).to.equal(Reason.OneStep);
      expect(resolved!.args.slashed).to.equal(0n);

      // Stake intact, griefer's bond gone, the node's share of it claimed by the node service.
      expect(await getActiveStake(publicClient, { address: system.addresses.staking, node: operator })).to.equal(
        stakeBefore,
      );
      const grieferAccount = system.account(GRIEFER).address;
      expect(
        await getTokenBalance(publicClient, { address: system.addresses.token, account: grieferAccount }),
      ).to.equal(balanceBefore - bond);
      expect(await getFraudClaimable(publicClient, { address: fraudGame, account: grieferAccount })).to.equal(0n);
      const { nodeBondShareBps } = await getFraudGameParameters(publicClient, { address: fraudGame });
      const share = (bond * BigInt(nodeBondShareBps)) / 10_000n;
      for (let i = 0; i < 100 && node.openFraudGames().length > 0; i++) await sleep(50);
      for (let i = 0; i < 100; i++) {
        if ((await getFraudClaimable(publicClient, { address: fraudGame, account: operator })) === 0n) break;
        await sleep(50);
      }
      expect(await getTokenBalance(publicClient, { address: system.addresses.token, account: operator })).to.equal(
        operatorBalanceBefore + share,
      );
      expect(node.openFraudGames()).to.deep.equal([]);

      const gas = await gasOfGame(id, openedAt);
      console.log(
        `      griefed game: ${gas.length} transactions (open + ${gas.length - 1} moves, griefer ${griefMoves}), ` +
          `${wallMs} ms, gas ${gas.join(" ")}`,
      );
    });

    it("calls timeout when the griefer goes silent, and wins", async function () {
      const { publicClient } = system.clients(0);
      const { receipt } = await inferAndAttest(node, 12);
      const { id, openedAt } = await openAsGriefer(receipt);
      await waitForPhase(id, [Phase.PickTensor]);
      const { movePeriod } = await getFraudGameParameters(publicClient, { address: fraudGame });
      await system.advanceTime(Number(movePeriod) + 1);
      await waitForPhase(id, [Phase.Resolved]);
      const game = await getFraudGame(publicClient, { address: fraudGame, id });
      expect(game.outcome).to.equal(FraudGameOutcome.NodeRight);
      const [resolved] = await getFraudGameEvents(publicClient, {
        address: fraudGame,
        eventName: "GameResolved",
        args: { id },
        fromBlock: openedAt,
      });
      expect(resolved!.args.reason).to.equal(Reason.Timeout);
      const timeoutTx = await publicClient.getTransaction({ hash: resolved!.transactionHash });
      expect(timeoutTx.from.toLowerCase()).to.equal(system.account(HONEST.operator).address.toLowerCase());
    });
  });

  describe("a dishonest node caught by the verifier", function () {
    let node: NodeService;
    const storeFile = () => path.join(dir, "verifier.sqlite");
    const verifierContext = (): VerifierContext => {
      const { addresses } = system;
      return {
        clients: system.clients(VERIFIER),
        chainId: system.deployment.chainId,
        addresses: {
          token: addresses.token,
          modelRegistry: addresses.modelRegistry,
          nodeRegistry: addresses.nodeRegistry,
          attestationRegistry: addresses.attestationRegistry,
          disputeManager: addresses.disputeManager,
          fraudGame: addresses.fraudGame,
        },
        store: new VerdictStore(storeFile()),
        catalog: new ModelCatalog([createIntegerRuntime()], [modelsDir]),
        logger: quiet(),
        contentDir: undefined,
        auditShare: 1,
        confirmations: 0n,
        maxBlockRange: 1_000n,
        beneficiary: system.account(VERIFIER).address,
        challenge: true,
      };
    };

    before(async function () {
      const port = await freePort();
      await registerInferenceNode(system, {
        ...DISHONEST,
        endpoint: `http://127.0.0.1:${port}`,
        models: [commitment.modelId],
      });
      node = await startNode(DISHONEST, port, 1);
    });

    it("opens a fraud game instead of a committee challenge, resumes after a restart, wins and claims", async function () {
      const { publicClient } = system.clients(0);
      const operator = system.account(DISHONEST.operator).address;
      const verifier = system.account(VERIFIER).address;
      const { receiptHash } = await inferAndAttest(node, 21);
      const stakeBefore = await getActiveStake(publicClient, { address: system.addresses.staking, node: operator });
      const balanceBefore = await getTokenBalance(publicClient, { address: system.addresses.token, account: verifier });
      const startBlock = BigInt(system.deployment.startBlock);
      const started = Date.now();

      let context = verifierContext();
      const first = await runVerifierStep(context, startBlock);
      expect(first.wrongResults).to.be.greaterThanOrEqual(1);
      expect(first.fraudGamesOpened).to.equal(1);
      expect(first.challengesOpened).to.equal(0, "no committee challenge for a fraud-provable model");
      const record = context.store.getFraudGame(receiptHash)!;
      expect(record.state).to.equal("open");
      const id = BigInt(record.gameId!);
      const { amountAtRisk, bond } = await getFraudGame(publicClient, { address: fraudGame, id });

      // Restart the verifier while the node answers; the new one reads the game from its store and the chain.
      context.store.close();
      await waitForPhase(id, [Phase.PickTensor]);
      context = verifierContext();
      let steps = 1;
      for (let guard = 0; guard < 50 && context.store.getFraudGame(receiptHash)!.state === "open"; guard++) {
        const report = await runVerifierStep(context, startBlock);
        steps++;
        expect(report.fraudGamesOpened).to.equal(0, "never opened twice");
      }
      const wallMs = Date.now() - started;
      expect(context.store.getFraudGame(receiptHash)!.state).to.equal("claimed");
      expect(context.store.challenges()).to.deep.equal([]);

      const [resolved] = await getFraudGameEvents(publicClient, {
        address: fraudGame,
        eventName: "GameResolved",
        args: { id },
        fromBlock: 0n,
      });
      expect(resolved!.args.outcome).to.equal(FraudGameOutcome.NodeWrong);
      expect(resolved!.args.reason).to.equal(Reason.OutputMismatch);
      expect(resolved!.args.slashed).to.equal(amountAtRisk);
      expect(await getActiveStake(publicClient, { address: system.addresses.staking, node: operator })).to.equal(
        stakeBefore - amountAtRisk,
      );
      const reward = resolved!.args.challengerReward;
      expect(reward > 0n).to.equal(true);
      expect(await getFraudClaimable(publicClient, { address: fraudGame, account: verifier })).to.equal(0n);
      expect(await getTokenBalance(publicClient, { address: system.addresses.token, account: verifier })).to.equal(
        balanceBefore + reward,
        `bond ${bond} back plus the reward`,
      );
      context.store.close();

      // `verity dispute game <id>` shows the decided game.
      const deployment = path.join(dir, "localhost.json");
      fs.writeFileSync(deployment, JSON.stringify(system.deployment));
      const chainFlags = ["--rpc-url", system.chain.rpcUrl, "--deployment", deployment];
      const shown = parseJsonRun(await runVerity(["dispute", "game", id.toString(), "--json", ...chainFlags]));
      expect(shown).to.include({
        phase: "resolved",
        outcome: "node-wrong",
        reason: "output-mismatch",
        turn: "",
      });
      expect(String(shown.node).toLowerCase()).to.equal(operator.toLowerCase());
      const table = await runVerity(["dispute", "game", id.toString(), ...chainFlags]);
      expect(table.code).to.equal(0, table.stderr);
      expect(table.stdout).to.match(/output-mismatch/);
      const missing = await runVerity(["dispute", "game", "999", ...chainFlags]);
      expect(missing.code).to.not.equal(0);
      expect(missing.stderr).to.match(/no fraud game 999/);

      const gas = await gasOfGame(id, 0n);
      console.log(
        `      verifier's game: ${gas.length} transactions, ${steps} verifier steps, ${wallMs} ms, gas ${gas.join(" ")}`,
      );
    });

    it("bisects a wrong-trace receipt to the one-step and wins, adopting a game it opened before a crash", async function () {
      // The honest operator's signer signs a receipt whose trace has one wrong element in tensor 1 (the output is
      // right, so only the trace is wrong); the test answers for the node from that trace (the node service cannot
      // reproduce it and only watches), the verifier plays the whole bisection.
      const { publicClient } = system.clients(0);
      const operator = system.account(HONEST.operator).address;
      const input = buildInput(model, 31);
      const honest = runIntegerModelV2(model, input);
      const tensors = honest.trace.tensors.map((t) => Int32Array.from(t));
      tensors[1]![3] = tensors[1]![3]! + 1;
      const tampered = buildTraceV2(tensors);
      const receipt: Receipt = {
        requestId: keccak256(toHex("wrong-trace")),
        modelId: commitment.modelId,
        inputHash: getPayloadHash(input),
        outputHash: getPayloadHash(honest.output),
        traceRoot: tampered.traceRoot,
        node: operator,
        issuedAt: BigInt(Math.floor(Date.now() / 1000)),
      };
      const signature = await signReceipt({
        signer: system.account(HONEST.signer),
        domain: { chainId: system.deployment.chainId, verifyingContract: system.addresses.attestationRegistry },
        receipt,
      });
      const submitter = system.clients(SUBMITTER);
      await submitter.publicClient.waitForTransactionReceipt({
        hash: await submitter.walletClient!.writeContract({
          address: system.addresses.attestationRegistry,
          abi: attestationRegistryAbi,
          functionName: "submitReceipt",
          args: [receipt, signature],
        }),
      });
      const contentDir = path.join(dir, "content");
      fs.mkdirSync(path.join(contentDir, "tensors"), { recursive: true });
      fs.writeFileSync(path.join(contentDir, "tensors", receipt.inputHash), encodeTensor(input));
      const stakeBefore = await getActiveStake(publicClient, { address: system.addresses.staking, node: operator });

      const context = { ...verifierContext(), contentDir };
      // The verifier's account opened this game just before a crash that lost the record: the store has no trace of
      // it, the chain has. The verifier must adopt that game, not open a second one.
      const verifierClients = system.clients(VERIFIER);
      const [bond] = await previewFraudBond(publicClient, { address: fraudGame, node: operator });
      await ensureAllowance(verifierClients, { token: system.addresses.token, spender: fraudGame, amount: bond });
      await sendContractCall(
        verifierClients,
        openFraudGame({
          address: fraudGame,
          receipt,
          batchId: ZERO_HASH,
          proof: [],
          beneficiary: system.account(VERIFIER).address,
          maxBond: bond,
        }),
      );
      const gamesBefore = await getFraudGameCount(publicClient, { address: fraudGame });
      const responder = createNodeResponder(model, tampered);
      const nodeClients = system.clients(HONEST.operator);
      const startBlock = BigInt(system.deployment.startBlock);
      let nodeMoves = 0;
      let verifierMoves = 0;
      let gameId: bigint | undefined;
      const started = Date.now();
      for (let guard = 0; guard < 60; guard++) {
        const report = await runVerifierStep(context, startBlock);
        expect(report.fraudGamesOpened).to.equal(0, "the game opened before the crash is adopted");
        verifierMoves += report.fraudMoves;
        const record = context.store.fraudGames().find((g) => g.receipt.traceRoot === tampered.traceRoot);
        if (record?.state === "claimed") break;
        if (!record?.gameId) continue;
        gameId = BigInt(record.gameId);
        const view = await readFraudGame(publicClient, { address: fraudGame, id: gameId, fromBlock: 0n });
        const move = nextFraudMove(fraudGame, view, { side: "node", strategy: responder });
        if (move.kind === "send") {
          await sendContractCall(nodeClients, move.call);
          nodeMoves++;
        }
      }
      const wallMs = Date.now() - started;
      const record = context.store.fraudGames().find((g) => g.receipt.traceRoot === tampered.traceRoot)!;
      expect(context.store.getVerdict(record.receiptHash)!.verdict).to.equal("wrong-trace");
      expect(record.state).to.equal("claimed");
      expect(BigInt(record.gameId!)).to.equal(gamesBefore);
      expect(await getFraudGameCount(publicClient, { address: fraudGame })).to.equal(gamesBefore);
      const [resolved] = await getFraudGameEvents(publicClient, {
        address: fraudGame,
        eventName: "GameResolved",
        args: { id: gameId! },
        fromBlock: 0n,
      });
      expect(resolved!.args.outcome).to.equal(FraudGameOutcome.NodeWrong);
      expect(resolved!.args.reason).to.equal(Reason.OneStep);
      expect(resolved!.args.expected).to.equal(BigInt(tensors[1]![3]!));
      expect(resolved!.args.computed).to.equal(BigInt(honest.trace.tensors[1]![3]!));
      expect(await getActiveStake(publicClient, { address: system.addresses.staking, node: operator })).to.equal(
        stakeBefore - resolved!.args.slashed,
      );
      expect(verifierMoves).to.be.greaterThanOrEqual(4);
      context.store.close();
      const gas = await gasOfGame(gameId!, 0n);
      console.log(
        `      wrong-trace game: ${gas.length} transactions (open, node ${nodeMoves} moves, verifier ${verifierMoves} moves), ` +
          `${wallMs} ms, gas ${gas.join(" ")}`,
      );
    });

    it("wins by timeout against a node that runs without its operator key (it cannot answer)", async function () {
      const silent = { operator: 10, signer: 11 };
      const port = await freePort();
      await registerInferenceNode(system, {
        ...silent,
        endpoint: `http://127.0.0.1:${port}`,
        models: [commitment.modelId],
      });
      const service = await startNodeService({
        rpcUrl: system.chain.rpcUrl,
        deployment: system.deployment,
        operator: system.account(silent.operator).address,
        signer: system.account(silent.signer),
        db: path.join(dir, "node-silent.sqlite"),
        modelsDir,
        port,
        watchRouter: false,
        dishonestShare: 1,
        pollingIntervalMs: 100,
        logger: quiet(),
      });
      services.push(service);
      const { publicClient } = system.clients(0);
      const { receiptHash } = await inferAndAttest(service, 41);
      const context = verifierContext();
      const startBlock = BigInt(system.deployment.startBlock);
      expect((await runVerifierStep(context, startBlock)).fraudGamesOpened).to.equal(1);
      const id = BigInt(context.store.getFraudGame(receiptHash)!.gameId!);
      await sleep(500);
      expect(await phaseOf(id)).to.equal(Phase.RevealTensors, "nobody answers for the node");
      expect((await runVerifierStep(context, startBlock)).fraudMoves).to.equal(0, "the node's deadline has not passed");
      const { movePeriod } = await getFraudGameParameters(publicClient, { address: fraudGame });
      await system.advanceTime(Number(movePeriod) + 1);
      const report = await runVerifierStep(context, startBlock);
      expect(report.fraudMoves).to.equal(1);
      await runVerifierStep(context, startBlock);
      expect(context.store.getFraudGame(receiptHash)!.state).to.equal("claimed");
      const [resolved] = await getFraudGameEvents(publicClient, {
        address: fraudGame,
        eventName: "GameResolved",
        args: { id },
        fromBlock: 0n,
      });
      expect(resolved!.args.outcome).to.equal(FraudGameOutcome.NodeWrong);
      expect(resolved!.args.reason).to.equal(Reason.Timeout);
      const timeoutTx = await publicClient.getTransaction({ hash: resolved!.transactionHash });
      expect(timeoutTx.from.toLowerCase()).to.equal(system.account(VERIFIER).address.toLowerCase());
      context.store.close();
    });

    it("leaves a won game's credit to a beneficiary that is another address: credited, not claimed", async function () {
      const silent = { operator: 12, signer: 13 };
      const beneficiary = system.account(14).address;
      const port = await freePort();
      await registerInferenceNode(system, {
        ...silent,
        endpoint: `http://127.0.0.1:${port}`,
        models: [commitment.modelId],
      });
      const service = await startNodeService({
        rpcUrl: system.chain.rpcUrl,
        deployment: system.deployment,
        operator: system.account(silent.operator).address,
        signer: system.account(silent.signer),
        db: path.join(dir, "node-silent-2.sqlite"),
        modelsDir,
        port,
        watchRouter: false,
        dishonestShare: 1,
        pollingIntervalMs: 100,
        logger: quiet(),
      });
      services.push(service);
      const { publicClient } = system.clients(0);
      const verifier = system.account(VERIFIER).address;
      const { receiptHash } = await inferAndAttest(service, 43);
      const context = { ...verifierContext(), beneficiary };
      const startBlock = BigInt(system.deployment.startBlock);
      expect((await runVerifierStep(context, startBlock)).fraudGamesOpened).to.equal(1);
      const id = BigInt(context.store.getFraudGame(receiptHash)!.gameId!);
      const { movePeriod } = await getFraudGameParameters(publicClient, { address: fraudGame });
      await system.advanceTime(Number(movePeriod) + 1);
      expect((await runVerifierStep(context, startBlock)).fraudMoves).to.equal(1);
      const verifierBefore = await getTokenBalance(publicClient, {
        address: system.addresses.token,
        account: verifier,
      });
      const second = await runVerifierStep(context, startBlock);
      expect(second.fraudClaimed).to.equal("0");
      expect(context.store.getFraudGame(receiptHash)!.state).to.equal("credited");
      // Nothing was claimed by or for the verifier; the whole credit waits for the beneficiary.
      expect(await getTokenBalance(publicClient, { address: system.addresses.token, account: verifier })).to.equal(
        verifierBefore,
      );
      const { bond } = await getFraudGame(publicClient, { address: fraudGame, id });
      const [resolved] = await getFraudGameEvents(publicClient, {
        address: fraudGame,
        eventName: "GameResolved",
        args: { id },
        fromBlock: 0n,
      });
      const owed = await getFraudClaimable(publicClient, { address: fraudGame, account: beneficiary });
      expect(owed).to.equal(bond + resolved!.args.challengerReward);
      await runVerifierStep(context, startBlock);
      expect(context.store.getFraudGame(receiptHash)!.state).to.equal("credited", "stays credited");
      // The beneficiary claims with its own key.
      await sendContractCall(system.clients(14), claimFraudGame({ address: fraudGame, to: beneficiary }));
      expect(await getFraudClaimable(publicClient, { address: fraudGame, account: beneficiary })).to.equal(0n);
      context.store.close();
    });
  });
});
