/**
 * Verifier benchmark, on one core (single-threaded JS; ONNX Runtime with 1 intra-op and 1 inter-op thread):
 *   - receipt checks/s, one batch signature per batch and the inclusion of every receipt: `verifyReceiptBatch`
 *     (libsecp256k1, the tree re-derived level by level), against the baseline measured in the same run (viem
 *     recovery, one Merkle proof per receipt folded with js-sha3: the previous hot path), and the alternatives
 *     (one proof per receipt, shared proofs, the whole batch file re-derived, one signature per receipt);
 *   - native (libsecp256k1) against viem (noble) recover and sign rates, and keccak256 on 64-byte inputs;
 *   - replays/s of the bundled integer model (input/output tensor hash and trace root included) and the ONNX model.
 * Every figure is the median of several runs with the min–max spread, per wall-clock second and per CPU-second
 * (process.cpuUsage). The machine may be shared: the per-CPU-second figures are the ones to quote.
 *
 *   npm run bench:verify            human table
 *   npm run bench:verify -- --json  one JSON document
 */
import { type Hex, recoverAddress } from "viem";
import { loadBundledModel } from "../src/models";
import { getIrisSplit } from "../src/models/build";
import {
  type Tensor,
  assertLowSSignature,
  bytesToHex,
  getBatchDigestBytes,
  getReceiptLeafBytes,
  getPayloadHash,
  getTensorHash,
  hexToBytes,
  keccak256Bytes,
  keccak256BytesJsSha3,
  nativeEngine,
  nobleEngine,
  recoverBatchSigner,
  recoverReceiptSigner,
  verifyBatchFile,
  verifyReceiptBatch,
  verifyReceiptProof,
  verifyReceiptProofs,
} from "../src/protocol";
import { createIntegerRuntime, createOnnxRuntime } from "../src/runtime";
import { createOutput, toJson } from "../src/cli/output";
import { type Measurement, measure } from "./bench/measure";
import { benchModelCompile } from "./bench/model-compile";
import { benchCnn } from "./bench/onnx-cnn";
import { type ReceiptBatchFixture, SIGNER_KEY, buildReceiptBatchFixture } from "./bench/receipt-batch";

/** Targets (verifier, one core), judged by the per-CPU-second median: issue 15 item 4, DESIGN.md § Targets. */
const TARGETS = { receiptChecks: 40_000, integerReplays: 10_000 } as const;
const BATCH_SIZE = 256;
const OPTIONS = { runs: 5, minMs: 500 };

type Result = { name: string; unit: string; target?: number; met?: boolean } & Measurement;

function fail(what: string): never {
  throw new Error(`benchmark produced a wrong result: ${what}`);
}

/** The previous hot path, kept as the baseline: OpenZeppelin-style proof folding with js-sha3, allocating per pair. */
function foldProofJsSha3(leaf: Uint8Array, proof: readonly Hex[]): Uint8Array {
  let node = leaf;
  for (const siblingHex of proof) {
    const sibling = hexToBytes(siblingHex);
    const pair = new Uint8Array(64);
    const ordered = Buffer.compare(node, sibling) <= 0;
    pair.set(ordered ? node : sibling, 0);
    pair.set(ordered ? sibling : node, 32);
    node = keccak256BytesJsSha3(pair);
  }
  return node;
}

async function benchReceiptChecks(f: ReceiptBatchFixture): Promise<Result[]> {
  const { domain, batch, file } = f;
  const receipts = file.entries.map((e) => e.receipt);
  const native = nativeEngine ?? fail("the native secp256k1 bindings did not load");

  const levelByLevel = await measure(async () => {
    const signer = await verifyReceiptBatch({ receipts, batch, domain, signature: f.batchSignature, engine: native });
    if (signer !== f.signer) fail("batch signer");
    return receipts.length;
  }, OPTIONS);

  const perProof = await measure(async () => {
    const signer = await recoverBatchSigner({ batch, domain, signature: f.batchSignature });
    if (signer !== f.signer) fail("batch signer");
    for (let i = 0; i < receipts.length; i++) {
      if (!verifyReceiptProof({ receipt: receipts[i]!, proof: f.proofs[i]!, root: batch.root })) fail(`proof ${i}`);
    }
    return receipts.length;
  }, OPTIONS);

  const sharedProofs = await measure(async () => {
    const signer = await recoverBatchSigner({ batch, domain, signature: f.batchSignature });
    if (signer !== f.signer) fail("batch signer");
    const items = receipts.map((receipt, i) => ({ receipt, proof: f.proofs[i]! }));
    if (verifyReceiptProofs({ root: batch.root, items }).includes(false)) fail("shared proofs");
    return receipts.length;
  }, OPTIONS);

  const wholeFile = await measure(async () => {
    const { signer } = await verifyBatchFile({ file, domain, signature: f.batchSignature, expectedRoot: batch.root });
    if (signer !== f.signer) fail("batch file signer");
    return receipts.length;
  }, OPTIONS);

  const rootBytes = hexToBytes(batch.root);
  const baseline = await measure(async () => {
    assertLowSSignature(f.batchSignature);
    const signer = await recoverAddress({
      hash: bytesToHex(getBatchDigestBytes(batch, domain)),
      signature: f.batchSignature,
    });
    if (signer !== f.signer) fail("baseline batch signer");
    for (let i = 0; i < receipts.length; i++) {
      const leaf = getReceiptLeafBytes(receipts[i]!);
      if (Buffer.compare(foldProofJsSha3(leaf, f.proofs[i]!), rootBytes) !== 0) fail(`baseline proof ${i}`);
    }
    return receipts.length;
  }, OPTIONS);

  const naive = await measure(async () => {
    for (let i = 0; i < receipts.length; i++) {
      const signer = await recoverReceiptSigner({ receipt: receipts[i]!, domain, signature: f.receiptSignatures[i]! });
      if (signer !== f.signer) fail(`receipt signer ${i}`);
    }
    return receipts.length;
  }, OPTIONS);

  const target = TARGETS.receiptChecks;
  return [
    {
      name: `receipt checks: verifyReceiptBatch (${BATCH_SIZE}, libsecp256k1, tree re-derived level by level)`,
      unit: "receipts",
      target,
      met: levelByLevel.cpu.median >= target,
      ...levelByLevel,
    },
    {
      name: `baseline: viem recovery per ${BATCH_SIZE} + one proof per receipt (js-sha3)`,
      unit: "receipts",
      ...baseline,
    },
    {
      name: `receipt checks: libsecp256k1 + one proof per receipt (verifyReceiptProof)`,
      unit: "receipts",
      ...perProof,
    },
    { name: `receipt checks: libsecp256k1 + shared proofs (verifyReceiptProofs)`, unit: "receipts", ...sharedProofs },
    { name: `receipt checks: verifyBatchFile (${BATCH_SIZE}, whole file re-derived)`, unit: "receipts", ...wholeFile },
    { name: "naive: recoverReceiptSigner per receipt (libsecp256k1)", unit: "receipts", ...naive },
  ];
}

async function benchCrypto(f: ReceiptBatchFixture): Promise<Result[]> {
  const native = nativeEngine ?? fail("the native secp256k1 bindings did not load");
  const digest = getBatchDigestBytes(f.batch, f.domain);
  const key = hexToBytes(SIGNER_KEY);
  const ROUND = 64;
  const results: Result[] = [];
  for (const engine of [native, nobleEngine]) {
    const recover = await measure(async () => {
      for (let i = 0; i < ROUND; i++) {
        if ((await engine.recoverDigestSigner(digest, f.batchSignature)) !== f.signer) fail("recover");
      }
      return ROUND;
    }, OPTIONS);
    const sign = await measure(async () => {
      for (let i = 0; i < ROUND; i++) {
        if ((await engine.signDigest(digest, key)) !== f.batchSignature) fail("sign");
      }
      return ROUND;
    }, OPTIONS);
    results.push(
      { name: `${engine.backend}: recover (digest -> checksummed address)`, unit: "signatures", ...recover },
      { name: `${engine.backend}: sign (digest -> 65-byte signature)`, unit: "signatures", ...sign },
    );
  }
  const pair = new Uint8Array(64).map((_, i) => i);
  for (const [name, hash] of [
    ["keccak256Bytes (unrolled, this repo)", keccak256Bytes],
    ["js-sha3 keccak256", keccak256BytesJsSha3],
  ] as const) {
    const hashes = await measure(async () => {
      for (let i = 0; i < 4096; i++) hash(pair);
      return 4096;
    }, OPTIONS);
    results.push({ name: `${name}: 64-byte inputs`, unit: "hashes", ...hashes });
  }
  return results;
}

async function benchReplays(f: ReceiptBatchFixture): Promise<Result[]> {
  const integer = await createIntegerRuntime().load(loadBundledModel("iris-int8").artifact);
  const integerReplays = await measure(async () => {
    for (let i = 0; i < f.inputs.length; i++) {
      const { receipt } = f.file.entries[i]!;
      if (getTensorHash(f.inputs[i]!) !== receipt.inputHash) fail(`input hash ${i}`);
      const { output, traceRoot } = await integer.run(f.inputs[i]!);
      if (getPayloadHash(output) !== receipt.outputHash || traceRoot !== receipt.traceRoot) fail(`integer replay ${i}`);
    }
    return f.inputs.length;
  }, OPTIONS);
  await integer.dispose();

  const onnx = await createOnnxRuntime().load(loadBundledModel("iris-f32").artifact);
  const { train, heldOut } = getIrisSplit();
  const inputs: Tensor[] = [...train, ...heldOut].map((s) => ({
    dtype: "float32",
    shape: [1, 4],
    data: Float32Array.from(s.features),
  }));
  const expected = await Promise.all(inputs.map(async (x) => getPayloadHash((await onnx.run(x)).output)));
  const onnxReplays = await measure(async () => {
    for (let i = 0; i < inputs.length; i++) {
      getTensorHash(inputs[i]!);
      if (getPayloadHash((await onnx.run(inputs[i]!)).output) !== expected[i]) fail(`onnx replay ${i}`);
    }
    return inputs.length;
  }, OPTIONS);
  await onnx.dispose();

  const target = TARGETS.integerReplays;
  return [
    {
      name: "integer replays: iris-int8.vmodel (+ input/output hash, trace root)",
      unit: "inferences",
      target,
      met: integerReplays.cpu.median >= target,
      ...integerReplays,
    },
    { name: "ONNX replays: iris.onnx (+ input/output hash)", unit: "inferences", ...onnxReplays },
  ];
}

const fmt = (n: number) => n.toLocaleString("en-US");
const cell = ({ median, min, max }: Measurement["wall"]) => `${fmt(median)} (${fmt(min)}–${fmt(max)})`;

async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  const out = createOutput(json);
  out.progress(`verifier benchmark: ${OPTIONS.runs} runs of ≥ ${OPTIONS.minMs} ms each, batches of ${BATCH_SIZE}…`);
  const fixture = await buildReceiptBatchFixture(BATCH_SIZE);
  const results = [
    ...(await benchReceiptChecks(fixture)),
    ...(await benchCrypto(fixture)),
    ...(await benchReplays(fixture)),
  ];
  const cnn = await benchCnn(OPTIONS);
  results.push(
    { name: "CNN replays: models/onnx/small-cnn.onnx, onnxruntime-node (+ hashes)", unit: "inferences", ...cnn.native },
    { name: "CNN replays: models/onnx/small-cnn.onnx, pinned WASM (+ hashes)", unit: "inferences", ...cnn.wasm },
  );
  const compiled = await benchModelCompile(OPTIONS);
  results.push(
    {
      name: "model compile: small-cnn.onnx, 200 calibration inputs (+ ONNX Runtime vs v2 evaluation)",
      unit: "compiles",
      ...compiled.compile,
    },
    {
      name: "CNN replays: small-cnn compiled to verity-int8-v2 (+ trace root)",
      unit: "inferences",
      ...compiled.replays,
    },
  );
  const [batched, baseline] = results as [Result, Result];
  const ratioOf = (key: "wall" | "cpu") => Math.round((batched[key].median / baseline[key].median) * 10) / 10;
  const ratio = { wall: ratioOf("wall"), cpu: ratioOf("cpu") };

  if (json) {
    process.stdout.write(
      `${toJson({
        batchSize: BATCH_SIZE,
        ...OPTIONS,
        targets: TARGETS,
        results,
        ratio,
        cnnWasmToNative: cnn.wasmToNative,
        compileOnlyMs: compiled.compileOnlyMs,
      })}\n`,
    );
    return;
  }
  out.table(
    results.map((r) => ({
      benchmark: r.name,
      "wall /s, median (min–max)": cell(r.wall),
      "per CPU-s, median (min–max)": cell(r.cpu),
      target: r.target === undefined ? "" : `≥ ${fmt(r.target)}/s`,
      met: r.met === undefined ? "" : r.met ? "yes" : "NO",
    })),
  );
  console.log(
    `verifyReceiptBatch / baseline (viem recovery, one proof per receipt): ${ratio.cpu.toFixed(1)}× per CPU-second, ` +
      `${ratio.wall.toFixed(1)}× wall (medians of ${OPTIONS.runs} runs in this process; the machine is shared, so ` +
      `quote the per-CPU-second figures: process.cpuUsage, user + system)`,
  );
  console.log(
    `CNN replays, pinned WASM / native onnxruntime-node: ${cnn.wasmToNative}× per CPU-second. model compile of the ` +
      `CNN: ${compiled.compileOnlyMs} ms median without the evaluation (lower, calibrate, quantize, serialize, commit).`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
