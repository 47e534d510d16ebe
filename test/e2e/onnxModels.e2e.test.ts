import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { parseEther, type Address, type Hex } from "viem";
import { attestationRegistryAbi } from "../../src/chain/abis.generated";
import { getFraudGame, getFraudGameEvents } from "../../src/chain/actions/fraudGame";
import { getActiveStake } from "../../src/chain/actions/getActiveStake";
import { getModel } from "../../src/chain/actions/getModel";
import { getReceiptState } from "../../src/chain/actions/getReceiptState";
import { FraudGameOutcome, ReceiptState, Reason } from "../../src/chain/enums.generated";
import { driveDisputes } from "../../src/devnet/driveDisputes";
import { NodeRole, enrollParticipant, registerManifestModel } from "../../src/devnet/enrollParticipants";
import { findFreePort } from "../../src/devnet/findFreePort";
import { DEMO_DEPLOY_ENVIRONMENT, startLocalSystem, type LocalSystem } from "../../src/devnet/startLocalSystem";
import { waitUntil } from "../../src/devnet/waitUntil";
import { getDigitsSplit } from "../../src/models/build/digits";
import { readModelManifest, type ModelManifestEntry } from "../../src/models";
import { startNodeService, type NodeService } from "../../src/node/startNodeService";
import {
  bytesToHex,
  createTensor,
  encodePayload,
  getPayloadHash,
  isTensorBundle,
  type Receipt,
  type Tensor,
  type TensorPayload,
} from "../../src/protocol";
import { createIntegerRuntime, createOnnxRuntime, createOnnxWasmRuntime } from "../../src/runtime";
import { INTEGER_V2_RUNTIME_ID, parseIntegerModelV2, quantizeInputV2 } from "../../src/runtime/integerV2";
import type { VerifierContext } from "../../src/verifier/context";
import { ModelCatalog } from "../../src/verifier/ModelCatalog";
import { replayEntry } from "../../src/verifier/replayEntry";
import { runVerifier } from "../../src/verifier/startVerifier";
import { VerdictStore } from "../../src/verifier/VerdictStore";
import { runVerity } from "../cli/runVerity";
import { quiet } from "../keeper/setup";
import { fixtureInputs } from "../runtime/onnxFixtureInputs";

const ONNX_DIR = path.resolve(__dirname, "..", "..", "models", "onnx");

/** Development accounts (the demo's cast: honest and dishonest node, a challenging verifier and two others). */
const OWNER = 0;
const HONEST = { operator: 1, signer: 13 };
const DISHONEST = { operator: 3, signer: 15 };
const VERIFIERS = [
  { operator: 4, signer: 16, challenges: true, stake: parseEther("500") },
  { operator: 5, signer: 17, challenges: false, stake: parseEther("550") },
  { operator: 6, signer: 18, challenges: false, stake: parseEther("600") },
];
const SUBMITTER = 7;
const COMPILED = "small-cnn-int8.vmodel2";

type Json = Record<string, unknown>;
type Answer = { receipt: Receipt; receiptHash: Hex; body: Json };

function toJson(tensor: Tensor) {
  return {
    dtype: tensor.dtype,
    shape: [...tensor.shape],
    data: Array.from(tensor.data as ArrayLike<number | bigint>, (v) => (typeof v === "bigint" ? v.toString() : v)),
  };
}

function toBody(modelId: Hex, payload: TensorPayload): Json {
  if (!isTensorBundle(payload)) return { modelId, input: toJson(payload) };
  return {
    modelId,
    inputs: Object.fromEntries(Object.entries(payload.tensors).map(([name, t]) => [name, toJson(t)])),
  };
}

/**
 * The bring-your-own-model path end to end on a real chain, with the services as operators run them: the project's
 * ONNX test models (several inputs one int64, a CNN under the pinned WASM runtime, a dynamic batch) and the CNN
 * compiled by `verity model compile` to runtime v2 are registered (the ONNX ones under their signature documents),
 * served by a live node, attested, and replayed by verifier services; a dishonest node's wrong answers to the float
 * TOLERANCE models and to the CNN under pinned WASM (EXACT, not fraud-provable) are rejected by committees, its wrong
 * answer to the compiled EXACT CNN by the fraud game.
 */
describe("ONNX models end to end: compile, register, serve, replay, dispute", function () {
  this.timeout(240_000);
  let system: LocalSystem;
  let dir: string;
  let modelsDir: string;
  let entries: Record<string, ModelManifestEntry>;
  let compiledId: Hex;
  let honest: NodeService;
  let dishonest: NodeService;
  let challenger: VerifierContext;
  const contexts: VerifierContext[] = [];
  const controller = new AbortController();
  const loops: Promise<void>[] = [];
  const pixels = (i: number) => getDigitsSplit().train[i]!.features.map((p) => p / 16);

  const inputFor = (name: string, i: number): TensorPayload => {
    if (name === "small-cnn-int8") {
      const model = parseIntegerModelV2(new Uint8Array(fs.readFileSync(path.join(modelsDir, COMPILED))));
      const q = quantizeInputV2(model, pixels(i));
      return createTensor("int8", entries[name]!.input!.shape, Array.from(q.data));
    }
    return fixtureInputs(name, "shuffled")[i]!;
  };

  /** One answer from `node`, its receipt attested singly on chain by a submitter. */
  const inferAndAttest = async (node: NodeService, name: string, i: number): Promise<Answer> => {
    const response = await fetch(`${node.url}/v1/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(toBody(entries[name]!.modelId as Hex, inputFor(name, i))),
    });
    const body = (await response.json()) as Json & { receipt: Record<string, string>; signature: Hex };
    expect(response.status, JSON.stringify(body)).to.equal(200);
    const r = body.receipt;
    const receipt: Receipt = {
      requestId: r.requestId as Hex,
      modelId: r.modelId as Hex,
      inputHash: r.inputHash as Hex,
      outputHash: r.outputHash as Hex,
      traceRoot: r.traceRoot as Hex,
      node: r.node as Address,
      issuedAt: BigInt(r.issuedAt!),
    };
    const { walletClient, publicClient } = system.clients(SUBMITTER);
    await publicClient.waitForTransactionReceipt({
      hash: await walletClient!.writeContract({
        address: system.addresses.attestationRegistry,
        abi: attestationRegistryAbi,
        functionName: "submitReceipt",
        args: [receipt, body.signature],
      }),
    });
    return { receipt, receiptHash: body.receiptHash as Hex, body };
  };

  const verdictOf = (receiptHash: Hex) =>
    waitUntil(`the challenger's verdict on ${receiptHash}`, async () => !!challenger.store.getVerdict(receiptHash), {
      timeoutMs: 30_000,
    }).then(() => challenger.store.getVerdict(receiptHash)!);

  const stakeOf = (who: { operator: number }) =>
    getActiveStake(system.clients(0).publicClient, {
      address: system.addresses.staking,
      node: system.account(who.operator).address,
    });

  const newCatalog = () =>
    new ModelCatalog([createIntegerRuntime(), createOnnxRuntime(), createOnnxWasmRuntime()], [modelsDir]);

  before(async function () {
    system = await startLocalSystem(DEMO_DEPLOY_ENVIRONMENT);
    const { addresses } = system;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-onnx-e2e-"));
    modelsDir = path.join(dir, "models");
    fs.cpSync(ONNX_DIR, modelsDir, { recursive: true });

    // `verity model compile` writes the v2 model and its manifest entry; `verity model register` registers it.
    const calibration = path.join(dir, "digits.json");
    const samples = Array.from({ length: 200 }, (_, i) => ({ dtype: "float32", shape: [1, 1, 8, 8], data: pixels(i) }));
    fs.writeFileSync(calibration, JSON.stringify({ samples }));
    const out = path.join(modelsDir, COMPILED);
    const compiled = await runVerity([
      "model",
      "compile",
      path.join(ONNX_DIR, "small-cnn.onnx"),
      "--calibration",
      calibration,
      "--out",
      out,
      "--manifest",
      "--json",
    ]);
    expect(compiled.code, compiled.stderr).to.equal(0);
    compiledId = (JSON.parse(compiled.stdout) as { modelId: Hex }).modelId;
    const deployment = path.join(dir, "localhost.json");
    fs.writeFileSync(deployment, JSON.stringify(system.deployment));
    const key = bytesToHex(system.account(OWNER).getHdKey().privateKey!);
    const registered = await runVerity(
      ["model", "register", out, "--rpc-url", system.chain.rpcUrl, "--deployment", deployment, "--json"],
      { VERITY_KEY: key, VERITY_KEYSTORE: undefined },
    );
    expect(registered.code, registered.stderr).to.equal(0);

    entries = Object.fromEntries(readModelManifest(modelsDir).models.map((m) => [m.name, m]));
    expect(entries["small-cnn-int8"]!.modelId).to.equal(compiledId);
    for (const entry of Object.values(entries)) {
      if (entry.runtimeId !== INTEGER_V2_RUNTIME_ID)
        await registerManifestModel(system.clients(OWNER), addresses.modelRegistry!, entry);
    }

    const contracts = { token: addresses.token!, nodeRegistry: addresses.nodeRegistry!, staking: addresses.staking! };
    const ports = { honest: await findFreePort(), dishonest: await findFreePort() };
    const startNode = async (who: typeof HONEST, port: number, dishonestShare: number) => {
      await enrollParticipant({
        operator: system.clients(who.operator),
        contracts,
        signer: system.account(who.signer).address,
        endpoint: `http://127.0.0.1:${port}`,
        role: NodeRole.Inference,
        models: Object.values(entries).map((e) => e.modelId as Hex),
        stake: parseEther("1000"),
      });
      return startNodeService({
        rpcUrl: system.chain.rpcUrl,
        deployment: system.deployment,
        operator: system.account(who.operator).address,
        operatorAccount: system.account(who.operator),
        signer: system.account(who.signer),
        db: path.join(dir, `node-${who.operator}.sqlite`),
        modelsDir,
        host: "127.0.0.1",
        port,
        watchRouter: false,
        dishonestShare,
        pollingIntervalMs: 100,
        logger: quiet() as Logger,
      });
    };
    honest = await startNode(HONEST, ports.honest, 0);
    dishonest = await startNode(DISHONEST, ports.dishonest, 1);

    for (const verifier of VERIFIERS) {
      await enrollParticipant({
        operator: system.clients(verifier.operator),
        contracts,
        signer: system.account(verifier.signer).address,
        endpoint: `http://127.0.0.1:9/verifier-${verifier.operator}`,
        role: NodeRole.Verifier,
        models: [],
        stake: verifier.stake,
      });
      const context: VerifierContext = {
        clients: system.clients(verifier.operator),
        chainId: system.deployment.chainId,
        addresses: {
          token: addresses.token!,
          modelRegistry: addresses.modelRegistry!,
          nodeRegistry: addresses.nodeRegistry!,
          attestationRegistry: addresses.attestationRegistry!,
          disputeManager: addresses.disputeManager!,
          fraudGame: addresses.fraudGame,
        },
        store: new VerdictStore(path.join(dir, `verifier-${verifier.operator}.sqlite`)),
        catalog: newCatalog(),
        logger: quiet() as Logger,
        contentDir: undefined,
        auditShare: 1,
        confirmations: 0n,
        maxBlockRange: 1_000n,
        beneficiary: system.account(verifier.operator).address,
        challenge: verifier.challenges,
      };
      contexts.push(context);
      loops.push(
        runVerifier(context, BigInt(system.deployment.startBlock), {
          intervalMs: 200,
          once: false,
          signal: controller.signal,
        }),
      );
    }
    challenger = contexts[0]!;
  });

  after(async function () {
    controller.abort();
    await Promise.all(loops);
    for (const context of contexts) context.store.close();
    await honest?.close();
    await dishonest?.close();
    await system?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("registers each model as the chain must know it: ONNX under its signature document, the compiled CNN under its commitment", async function () {
    const { publicClient } = system.clients(0);
    for (const entry of Object.values(entries)) {
      const model = await getModel(publicClient, { address: system.addresses.modelRegistry, id: entry.modelId as Hex });
      if (entry.runtimeId === INTEGER_V2_RUNTIME_ID) {
        expect(model.mode).to.equal(0);
        expect(entry.input).to.deep.equal({ dtype: "int8", shape: [1, 8, 8] });
      } else {
        expect(model.metadataURI).to.equal(entry.signature);
      }
    }
  });

  it("a live node answers /v1/infer for every model (the compiled one on runtime v2); the verifier's replay agrees", async function () {
    for (const [name, entry] of Object.entries(entries)) {
      for (const i of [0, 1]) {
        const answer = await inferAndAttest(honest, name, i);
        if (name === "small-cnn-int8") {
          expect(answer.body.output).to.deep.include({ dtype: "int32", shape: [1, 10] });
          expect(answer.receipt.traceRoot).to.not.equal(`0x${"00".repeat(32)}`);
        }
        const verdict = await verdictOf(answer.receiptHash);
        expect(verdict.verdict, `${name}: ${verdict.reason}`).to.equal("valid");
        if (entry.verificationMode === "EXACT") expect(verdict.reason).to.equal("replay output identical");
        else expect(verdict.reason).to.match(/^within tolerance/);
      }
    }
  });

  describe("a dishonest node's wrong answers, attested before either dispute slashes (and jails) it", function () {
    let wrongCnn: Answer;
    let wrongFloat: Answer;
    /** The CNN under the pinned WASM runtime (EXACT, not fraud-provable) and the model with a dynamic batch. */
    let wrongOthers: { name: string; answer: Answer }[];
    let stakeBefore: bigint;

    before(async function () {
      stakeBefore = await stakeOf(DISHONEST);
      wrongFloat = await inferAndAttest(dishonest, "multi-input", 3);
      wrongCnn = await inferAndAttest(dishonest, "small-cnn-int8", 2);
      wrongOthers = [];
      for (const name of ["small-cnn", "dynamic-batch"]) {
        wrongOthers.push({ name, answer: await inferAndAttest(dishonest, name, 2) });
      }
    });

    it("the compiled EXACT CNN's goes to the fraud game: the verifier wins, the node is slashed", async function () {
      const { publicClient } = system.clients(0);
      const verdict = await verdictOf(wrongCnn.receiptHash);
      expect(verdict.verdict).to.equal("wrong-output");
      await waitUntil(
        "the fraud game to be won and claimed",
        async () => challenger.store.getFraudGame(wrongCnn.receiptHash)?.state === "claimed",
        { timeoutMs: 120_000 },
      );
      expect(challenger.store.getChallenge(wrongCnn.receiptHash), "no committee challenge").to.equal(undefined);
      const id = BigInt(challenger.store.getFraudGame(wrongCnn.receiptHash)!.gameId!);
      const game = await getFraudGame(publicClient, { address: system.addresses.fraudGame, id });
      expect(game.outcome).to.equal(FraudGameOutcome.NodeWrong);
      const [resolved] = await getFraudGameEvents(publicClient, {
        address: system.addresses.fraudGame,
        eventName: "GameResolved",
        args: { id },
        fromBlock: 0n,
      });
      expect(resolved!.args.reason).to.equal(Reason.OutputMismatch);
      expect(game.amountAtRisk > 0n).to.equal(true);
      expect(resolved!.args.slashed).to.equal(game.amountAtRisk);
      expect(await stakeOf(DISHONEST)).to.equal(stakeBefore - game.amountAtRisk);
      stakeBefore -= game.amountAtRisk;
      expect(
        await getReceiptState(publicClient, {
          address: system.addresses.attestationRegistry,
          receiptHash: wrongCnn.receiptHash,
        }),
      ).to.equal(ReceiptState.Rejected);
    });

    it("the float TOLERANCE model's, the pinned-WASM EXACT CNN's and the dynamic batch's go through committees and are rejected", async function () {
      const { publicClient } = system.clients(0);
      const verdict = await verdictOf(wrongFloat.receiptHash);
      expect(verdict.verdict).to.equal("wrong-output");
      expect(verdict.reason).to.match(/outside tolerance: .* in "label"/);
      await waitUntil(
        "the committee challenge to be opened",
        async () => !!challenger.store.getChallenge(wrongFloat.receiptHash)?.disputeId,
        { timeoutMs: 60_000 },
      );
      expect(challenger.store.getFraudGame(wrongFloat.receiptHash), "not fraud-provable").to.equal(undefined);
      const disputeId = BigInt(challenger.store.getChallenge(wrongFloat.receiptHash)!.disputeId!);
      // The other models' committee challenges, driven together (one commit and one reveal period for all).
      const otherIds: bigint[] = [];
      for (const { name, answer } of wrongOthers) {
        const other = await verdictOf(answer.receiptHash);
        expect(other.verdict, `${name}: ${other.reason}`).to.equal("wrong-output");
        await waitUntil(
          `the committee challenge of ${name}'s answer to be opened`,
          async () => !!challenger.store.getChallenge(answer.receiptHash)?.disputeId,
          { timeoutMs: 60_000 },
        );
        expect(challenger.store.getFraudGame(answer.receiptHash), `${name}: not fraud-provable`).to.equal(undefined);
        otherIds.push(BigInt(challenger.store.getChallenge(answer.receiptHash)!.disputeId!));
      }
      const [record, ...others] = await driveDisputes(system, [disputeId, ...otherIds], () => {});
      for (const [i, { name, answer }] of wrongOthers.entries()) {
        expect(others[i]!.outcome).to.equal(1, `${name}: node wrong`);
        expect(others[i]!.revealed).to.equal(2);
        expect(
          await getReceiptState(publicClient, {
            address: system.addresses.attestationRegistry,
            receiptHash: answer.receiptHash,
          }),
        ).to.equal(ReceiptState.Rejected, name);
      }
      expect(record!.outcome).to.equal(1, "node wrong");
      expect(record!.committee).to.have.length(2);
      expect(record!.committee.map((a) => a.toLowerCase())).to.not.include(
        system.account(VERIFIERS[0]!.operator).address.toLowerCase(),
      );
      expect(record!.revealed).to.equal(2);
      expect(
        await getReceiptState(publicClient, {
          address: system.addresses.attestationRegistry,
          receiptHash: wrongFloat.receiptHash,
        }),
      ).to.equal(ReceiptState.Rejected);
      expect((await stakeOf(DISHONEST)) < stakeBefore).to.equal(true, "slashed by the dispute");
    });
  });

  it("the verifier checks inputs against the registered signature document, naming the input", async function () {
    const { publicClient } = system.clients(0);
    const entry = entries["multi-input"]!;
    const onchain = await getModel(publicClient, { address: system.addresses.modelRegistry, id: entry.modelId as Hex });
    const policy = {
      mode: onchain.mode,
      tolerance: onchain.tolerance,
      runtimeId: onchain.runtimeId,
      metadataURI: onchain.metadataURI,
    };
    const good = fixtureInputs("multi-input", "forward")[0]! as { tensors: Record<string, Tensor> };
    const malformed: TensorPayload = {
      tensors: { ...good.tensors, category: createTensor("int32", [1, 1], [1]) },
    };
    const entryOf = (input: TensorPayload) => ({
      receipt: {
        requestId: `0x${"11".repeat(32)}`,
        modelId: entry.modelId,
        inputHash: getPayloadHash(input),
        outputHash: `0x${"22".repeat(32)}`,
        traceRoot: `0x${"00".repeat(32)}`,
        node: system.account(HONEST.operator).address,
        issuedAt: 1n,
      } as Receipt,
      input: { encoding: bytesToHex(encodePayload(input)) },
      output: { encoding: "0x" as Hex },
    });
    const outcome = await replayEntry(entryOf(malformed), policy, challenger.catalog, {});
    expect(outcome.verdict).to.equal("malformed");
    expect(outcome.reason).to.equal(
      `input does not match the model's signature: input "category": dtype is int32, the model takes int64`,
    );

    // A signature document that doesn't hash to the registered address is not used: the verifier can't judge.
    const tampered = path.join(dir, "tampered");
    fs.cpSync(modelsDir, tampered, { recursive: true });
    const document = path.join(tampered, `${onchain.metadataURI.slice("ipfs://".length)}.json`);
    fs.appendFileSync(document, " ");
    const catalog = new ModelCatalog([createOnnxRuntime()], [tampered]);
    const refused = await replayEntry(entryOf(good), policy, catalog, {});
    expect(refused.verdict).to.equal("unknown-model");
    expect(refused.reason).to.equal("The model's signature document is unusable.");
  });
});
