/**
 * Fraud-proof gas benchmark: every move of the FraudGame and its total per dispute, for synthetic layers of 16, 256,
 * 4,096 and 65,536 elements (an element of an n-element layer, and an accumulator over a fan-in of n), side by side
 * with a committee dispute of 3 (DisputeManager: challenge, draw, 3 commits, 3 reveals, resolve), in one run on the
 * Hardhat network, with the system deployed by `deploy/deployVerity.ts`.
 *
 *   npm run bench:fraud                   human tables
 *   BENCH_JSON=1 npm run bench:fraud      JSON
 */
import hre, { ethers } from "hardhat";
import { mine, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet } from "ethers";
import { deployVerity } from "../deploy/deployVerity";
import type {
  DisputeManager,
  FraudGame,
  ModelRegistry,
  NodeRegistry,
  OneStepExecutor,
  Staking,
  VerityTestToken,
  AttestationRegistry,
} from "../typechain-types";
import { getTensorHash, type Tensor } from "../src/protocol";
import { createChallenger, createNodeResponder } from "../src/runtime/integerV2/fraudProofs";
import { createRandom, NO_PARAMS } from "../src/models/build/syntheticV2";
import { getOnchainRuntimeId } from "../src/runtime/getOnchainRuntimeId";
import {
  type IntegerModelV2,
  buildTraceV2,
  computeTensorsV2,
  getModelCommitmentV2,
  getOutputV2,
  getSegmentCount,
  getShapeSize,
  isAccumulating,
  validateIntegerModelV2,
} from "../src/runtime/integerV2";
import { type Domain, type Receipt, randomHash, signReceiptEthers } from "../test/helpers/receipts";
import { type Move, playGame } from "../test/helpers/fraudGame";

const SIZES = [16, 256, 4_096, 65_536] as const;
const STAKE = ethers.parseEther("1000");
const ONE_STEP_TARGET = 500_000n;

/** input [16] → dense 16→n → requantize → dense n→8 → argmax: tensor 1 has n elements, tensor 3 a fan-in of n. */
function syntheticModel(n: number): IntegerModelV2 {
  const r = createRandom(n);
  const w = (count: number) => Int8Array.from({ length: count }, () => r.int(-128, 127));
  const b = (count: number) => Int32Array.from({ length: count }, () => r.int(-1000, 1000));
  const model: IntegerModelV2 = {
    inputShape: [16, 1, 1],
    outputOp: "argmax",
    input: { mean: 0, scale: 1 },
    layers: [
      { ...NO_PARAMS, op: "dense", inShape: [16, 1, 1], outShape: [n, 1, 1], bias: b(n), weights: w(16 * n) },
      { ...NO_PARAMS, op: "requantize", inShape: [n, 1, 1], outShape: [n, 1, 1], multiplier: 1, shift: 10 },
      { ...NO_PARAMS, op: "dense", inShape: [n, 1, 1], outShape: [8, 1, 1], bias: b(8), weights: w(8 * n) },
    ],
  };
  validateIntegerModelV2(model);
  return model;
}

type Row = {
  case: string;
  elements: number;
  moves: number;
  bound: number;
  total: bigint;
  oneStep: bigint;
  perMove: Record<string, bigint>;
  wallMs: number;
};

async function main() {
  const [, challenger] = await ethers.getSigners();
  const record = await deployVerity(hre, { writeFile: false, challengeWindow: 3_600n });
  const at = <T>(name: string, key: keyof typeof record.contracts) =>
    ethers.getContractAt(name, record.contracts[key]!) as Promise<T>;
  const token = await at<VerityTestToken>("VerityTestToken", "token");
  const staking = await at<Staking>("Staking", "staking");
  const models = await at<ModelRegistry>("ModelRegistry", "modelRegistry");
  const nodes = await at<NodeRegistry>("NodeRegistry", "nodeRegistry");
  const attestation = await at<AttestationRegistry>("AttestationRegistry", "attestationRegistry");
  const game = await at<FraudGame>("FraudGame", "fraudGame");
  const manager = await at<DisputeManager>("DisputeManager", "disputeManager");
  const domain: Domain = {
    name: "Verity",
    version: "1",
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await attestation.getAddress(),
  };
  await token.mint(challenger.address, ethers.parseEther("1000000"));
  await token.connect(challenger).approve(await game.getAddress(), ethers.MaxUint256);
  await token.connect(challenger).approve(await manager.getAddress(), ethers.MaxUint256);

  const enroll = async (role: number, modelIds: string[]) => {
    const wallet = new Wallet(Wallet.createRandom().privateKey, ethers.provider);
    await setBalance(wallet.address, ethers.parseEther("10"));
    const signer = new Wallet(Wallet.createRandom().privateKey);
    await token.mint(wallet.address, STAKE);
    await token.connect(wallet).approve(await staking.getAddress(), STAKE);
    await staking.connect(wallet).stake(STAKE);
    // An explicit limit: the node estimate of a registration with many models overshoots the per-transaction cap.
    await nodes
      .connect(wallet)
      .registerNode(signer.address, "https://bench.node", role, modelIds, { gasLimit: 15_000_000 });
    return { wallet, signer };
  };
  const attest = async (
    node: Awaited<ReturnType<typeof enroll>>,
    modelId: string,
    input: Tensor,
    output: Tensor,
    traceRoot: string,
  ) => {
    const receipt: Receipt = {
      requestId: randomHash(),
      modelId,
      inputHash: getTensorHash(input),
      outputHash: getTensorHash(output),
      traceRoot,
      node: node.wallet.address,
      issuedAt: BigInt((await ethers.provider.getBlock("latest"))!.timestamp),
    };
    await attestation.submitReceipt(receipt, await signReceiptEthers(node.signer, domain, receipt));
    return receipt;
  };

  // ---------------------------------------------------------------------------------------- committee of 3
  const toleranceId = ethers.id("bench-fraud/tolerance-model");
  await models.registerModel({
    id: toleranceId,
    runtimeId: getOnchainRuntimeId("onnxruntime-cpu-f32-v1"),
    mode: 1,
    tolerance: 10n ** 14n,
    weightsRoot: ethers.id("w"),
    previous: ethers.ZeroHash,
    metadataURI: "ipfs://bench-tolerance",
  });
  for (let i = 0; i < 4; i++) await enroll(1, [toleranceId]);
  const committeeNode = await enroll(0, [toleranceId]);
  const opaqueInput: Tensor = { dtype: "int8", shape: [1], data: Int8Array.of(1) };
  const committeeReceipt = await attest(committeeNode, toleranceId, opaqueInput, opaqueInput, ethers.ZeroHash);
  const committee: { name: string; gas: bigint }[] = [];
  const measure = async (name: string, tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) => {
    committee.push({ name, gas: (await (await tx).wait())!.gasUsed });
  };
  const challengeTx = await manager
    .connect(challenger)
    .challenge(committeeReceipt, ethers.ZeroHash, [], ethers.id("other"), challenger.address, ethers.MaxUint256);
  const opened = await challengeTx.wait();
  committee.push({ name: "challenge", gas: opened!.gasUsed });
  const disputeId = (await manager.disputeCount()) as bigint;
  await mine(1);
  await measure("drawCommittee", manager.drawCommittee(disputeId));
  const members = await manager.committeeOf(disputeId);
  const signerOf = async (address: string) => ethers.getImpersonatedSigner(address);
  const salts = members.map(() => randomHash());
  for (const [i, member] of members.entries()) {
    const c = await manager.commitmentOf(disputeId, member, 1, ethers.ZeroHash, salts[i]!);
    await measure("commit", manager.connect(await signerOf(member)).commit(disputeId, c));
  }
  await time.increaseTo((await manager.getDispute(disputeId)).commitEnd);
  for (const [i, member] of members.entries()) {
    await measure("reveal", manager.connect(await signerOf(member)).reveal(disputeId, 1, ethers.ZeroHash, salts[i]!));
  }
  await time.increaseTo((await manager.getDispute(disputeId)).revealEnd);
  await measure("resolve", manager.resolve(disputeId));
  const committeeTotal = committee.reduce((a, m) => a + m.gas, 0n);

  // ---------------------------------------------------------------------------------------- fraud games
  const rows: Row[] = [];
  const digitsLayers: { layer: number; op: string; element: number; execute: bigint; oneStep: bigint }[] = [];
  const servedSweep: { served: number; oneStep: bigint }[] = [];
  for (const n of SIZES) {
    const model = syntheticModel(n);
    const commitment = getModelCommitmentV2(model);
    await models.registerModel({
      id: commitment.modelId,
      runtimeId: getOnchainRuntimeId("verity-int8-v2"),
      mode: 0,
      tolerance: 0n,
      weightsRoot: ethers.hexlify(commitment.weightsRoot),
      previous: ethers.ZeroHash,
      metadataURI: `ipfs://bench-synthetic-${n}`,
    });
    const r = createRandom(n + 1);
    const input: Tensor<"int8"> = {
      dtype: "int8",
      shape: [16],
      data: Int8Array.from({ length: 16 }, () => r.int(-128, 127)),
    };
    const tensors = computeTensorsV2(model, input.data);
    const honest = buildTraceV2(tensors);
    for (const [label, tensor, element] of [
      [`element of a ${n}-element layer`, 1, n - 1],
      [`accumulator over a fan-in of ${n}`, 3, 5],
    ] as const) {
      const tampered = tensors.map((t) => t.slice());
      tampered[tensor]![element]! += 1;
      const bad = buildTraceV2(tampered);
      const node = await enroll(0, [commitment.modelId]);
      const receipt = await attest(node, commitment.modelId, input, getOutputV2(model, tampered[3]!), bad.traceRoot);
      const started = performance.now();
      const openTx = await game
        .connect(challenger)
        .challenge(receipt, ethers.ZeroHash, [], challenger.address, ethers.MaxUint256);
      const openGas = (await openTx.wait())!.gasUsed;
      const id = await game.gameCount();
      const moves: Move[] = [
        { name: "challenge", by: "challenger", gas: openGas },
        ...(await playGame({
          game,
          id,
          node: node.wallet,
          challenger,
          responder: createNodeResponder(model, bad),
          strategy: createChallenger(model, commitment, honest),
          receipt,
          input,
        })),
      ];
      const wallMs = performance.now() - started;
      const g = await game.getGame(id);
      if (Number(g.outcome) !== 1) throw new Error(`${label}: the node was not found wrong`);
      const perMove: Record<string, bigint> = {};
      for (const m of moves) perMove[m.name] = (perMove[m.name] ?? 0n) > m.gas ? perMove[m.name]! : m.gas;
      rows.push({
        case: label,
        elements: n,
        moves: moves.length,
        bound: 2 * Math.ceil(Math.log2(n)),
        total: moves.reduce((a, m) => a + m.gas, 0n),
        oneStep: moves.find((m) => m.name === "proveStep")?.gas ?? 0n,
        perMove,
        wallMs,
      });
    }
  }

  // ------------------------------------------------------------------------- the bundled digits CNN
  {
    const { readFileSync } = await import("node:fs");
    const path = await import("node:path");
    const { parseIntegerModelV2, quantizeInputV2 } = await import("../src/runtime/integerV2");
    const { getDigitsSplit } = await import("../src/models/build/digits");
    const model = parseIntegerModelV2(
      new Uint8Array(readFileSync(path.join(__dirname, "..", "models", "digits-cnn-int8.vmodel2"))),
    );
    const commitment = getModelCommitmentV2(model);
    await models.registerModel({
      id: commitment.modelId,
      runtimeId: getOnchainRuntimeId("verity-int8-v2"),
      mode: 0,
      tolerance: 0n,
      weightsRoot: ethers.hexlify(commitment.weightsRoot),
      previous: ethers.ZeroHash,
      metadataURI: "ipfs://digits-cnn-int8",
    });
    const input = quantizeInputV2(model, getDigitsSplit().heldOut[0]!.features);
    const tensors = computeTensorsV2(model, input.data);
    const honest = buildTraceV2(tensors);
    const executor = await at<OneStepExecutor>("OneStepExecutor", "oneStepExecutor");
    const scout = createChallenger(model, commitment, honest);
    const honestRoots = createNodeResponder(model, honest).tensorRoots();
    scout.pickTensor(honestRoots);
    /** Layer k's element whose one-step (any segment) costs the executor most, by exact `estimateGas`. */
    const worstElement = async (k: number) => {
      const layer = model.layers[k - 1]!;
      const segments = isAccumulating(layer) ? getSegmentCount(layer) : 1;
      let worst = { gas: 0n, element: 0 };
      for (let e = 0; e < getShapeSize(layer.outShape); e++) {
        for (let s = 0; s < segments; s++) {
          const step = scout.step(k, e, s, 0, honestRoots);
          const gas = await executor.execute.estimateGas(commitment.modelId, honest.traceRoot, step);
          if (gas > worst.gas) worst = { gas, element: e };
        }
      }
      return worst;
    };
    // Tolerance-mode models a node may also serve: each adds the node's jail (sortition-tree writes) to `proveStep`.
    const extraModels: string[] = [];
    const maxModels = Number(await nodes.MAX_MODELS());
    for (let i = 0; i < maxModels - 1; i++) {
      const id = ethers.id(`bench-fraud/extra-model-${i}`);
      await models.registerModel({
        id,
        runtimeId: getOnchainRuntimeId("onnxruntime-cpu-f32-v1"),
        mode: 1,
        tolerance: 10n ** 14n,
        weightsRoot: ethers.id(`w${i}`),
        previous: ethers.ZeroHash,
        metadataURI: `ipfs://bench-extra-${i}`,
      });
      extraModels.push(id);
    }
    const play = async (tensor: number, element: number, served: number) => {
      const tampered = tensors.map((t) => t.slice());
      tampered[tensor]![element]! += 1 << 20;
      const bad = buildTraceV2(tampered);
      const last = model.layers.length;
      const node = await enroll(0, [commitment.modelId, ...extraModels.slice(0, served - 1)]);
      const receipt = await attest(node, commitment.modelId, input, getOutputV2(model, tampered[last]!), bad.traceRoot);
      const started = performance.now();
      const openTx = await game
        .connect(challenger)
        .challenge(receipt, ethers.ZeroHash, [], challenger.address, ethers.MaxUint256);
      const openGas = (await openTx.wait())!.gasUsed;
      const id = await game.gameCount();
      const moves: Move[] = [
        { name: "challenge", by: "challenger", gas: openGas },
        ...(await playGame({
          game,
          id,
          node: node.wallet,
          challenger,
          responder: createNodeResponder(model, bad),
          strategy: createChallenger(model, commitment, honest),
          receipt,
          input,
        })),
      ];
      const wallMs = performance.now() - started;
      if (Number((await game.getGame(id)).outcome) !== 1)
        throw new Error(`digits layer ${tensor}: node not found wrong`);
      return { moves, wallMs, n: tampered[tensor]!.length };
    };
    for (let k = 1; k <= model.layers.length; k++) {
      const worst = await worstElement(k);
      const { moves, wallMs, n } = await play(k, worst.element, 1);
      const perMove: Record<string, bigint> = {};
      for (const m of moves) perMove[m.name] = (perMove[m.name] ?? 0n) > m.gas ? perMove[m.name]! : m.gas;
      const oneStep = moves.find((m) => m.name === "proveStep")?.gas ?? 0n;
      digitsLayers.push({ layer: k, op: model.layers[k - 1]!.op, element: worst.element, execute: worst.gas, oneStep });
      rows.push({
        case: `digits CNN: layer ${k} ${model.layers[k - 1]!.op}, element ${worst.element}`,
        elements: n,
        moves: moves.length,
        bound: 2 * Math.ceil(Math.log2(n)),
        total: moves.reduce((a, m) => a + m.gas, 0n),
        oneStep,
        perMove,
        wallMs,
      });
    }
    const dense = model.layers.length;
    const denseWorst = digitsLayers.find((l) => l.layer === dense)!.element;
    for (const served of [1, 2, 3, 4, extraModels.length + 1]) {
      const { moves } = await play(dense, denseWorst, served);
      servedSweep.push({ served, oneStep: moves.find((m) => m.name === "proveStep")?.gas ?? 0n });
    }
  }

  const json = {
    committee: { moves: committee, total: committeeTotal },
    fraud: rows,
    digitsOneStepPerLayer: digitsLayers,
    digitsOneStepByModelsServed: servedSweep,
    targets: {
      oneStepAtMost500k: rows.every((row) => row.oneStep <= ONE_STEP_TARGET),
      disputeAtMostCommittee: rows.every((row) => row.total <= committeeTotal),
      movesAtMost2Log2nPlus4: rows.every((row) => row.moves <= row.bound + 4),
    },
  };
  if (process.env.BENCH_JSON) {
    console.log(JSON.stringify(json, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2));
    return;
  }
  const fmt = (g: bigint) => g.toLocaleString("en-US");
  console.log("\nCommittee dispute of 3 (DisputeManager), exact gas per transaction:");
  for (const m of committee) console.log(`  ${m.name.padEnd(16)} ${fmt(m.gas).padStart(10)}`);
  console.log(`  ${"total".padEnd(16)} ${fmt(committeeTotal).padStart(10)}`);
  console.log("\nFraud-proof disputes (FraudGame), node wrong, honest challenger:");
  console.log(
    "  case                                              moves  2⌈log2 n⌉   one-step      total  vs committee   wall ms",
  );
  for (const row of rows) {
    console.log(
      `  ${row.case.padEnd(48)} ${String(row.moves).padStart(6)} ${String(row.bound).padStart(10)} ${fmt(row.oneStep).padStart(10)} ${fmt(row.total).padStart(10)} ${((Number(row.total) / Number(committeeTotal)) * 100).toFixed(0).padStart(11)}% ${row.wallMs.toFixed(0).padStart(9)}`,
    );
  }
  console.log("\nLargest gas of each move, per case:");
  for (const row of rows) {
    console.log(
      `  ${row.case}: ${Object.entries(row.perMove)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(", ")}`,
    );
  }
  console.log("\nDigits CNN, worst-case one-step per layer (the element whose re-execution costs most):");
  console.log("  layer  op            element   execute tx   proveStep");
  for (const l of digitsLayers) {
    console.log(
      `  ${String(l.layer).padStart(5)}  ${l.op.padEnd(12)} ${String(l.element).padStart(8)} ${fmt(l.execute).padStart(12)} ${fmt(l.oneStep).padStart(11)}`,
    );
  }
  console.log("\nDigits CNN dense one-step by the number of models the slashed node serves (its jail's tree writes):");
  for (const x of servedSweep) console.log(`  ${String(x.served).padStart(2)} model(s): proveStep ${fmt(x.oneStep)}`);
  console.log(
    `\nTargets: one-step ≤ 500,000: ${json.targets.oneStepAtMost500k}; dispute ≤ committee: ${json.targets.disputeAtMostCommittee}; moves ≤ 2⌈log2 n⌉ + 4: ${json.targets.movesAtMost2Log2nPlus4}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
