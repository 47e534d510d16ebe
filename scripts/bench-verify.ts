/**
 * Verifier benchmark, on one core (single-threaded JS; ONNX Runtime with 1 intra-op and 1 inter-op thread):
 *   - receipt checks/s the way the verifier does them: one batch signature per batch, one Merkle proof per receipt;
 *     beside them the whole batch file re-derived by `verifyBatchFile`, and a naive baseline that recovers every
 *     receipt's own EIP-712 signature (`recoverReceiptSigner`), all in the same run;
 *   - replays/s of the bundled integer model (input/output tensor hash and trace root included) and the ONNX model.
 * Every figure is the median of several runs with the min–max spread, per wall-clock second and per CPU-second.
 *
 *   npm run bench:verify            human table
 *   npm run bench:verify -- --json  one JSON document
 */
import { loadBundledModel } from "../src/models";
import { getIrisSplit } from "../src/models/build";
import {
  type Tensor,
  getTensorHash,
  recoverBatchSigner,
  recoverReceiptSigner,
  verifyBatchFile,
  verifyReceiptProof,
} from "../src/protocol";
import { createIntegerRuntime, createOnnxRuntime } from "../src/runtime";
import { createOutput, toJson } from "../src/cli/output";
import { type Measurement, measure } from "./bench/measure";
import { type ReceiptBatchFixture, buildReceiptBatchFixture } from "./bench/receipt-batch";

/** Targets from DESIGN.md § Targets (verifier, one core), judged by the per-CPU-second median. */
const TARGETS = { receiptChecks: 20_000, integerReplays: 10_000 } as const;
const BATCH_SIZE = 256;
const OPTIONS = { runs: 5, minMs: 500 };

type Result = { name: string; unit: string; target?: number; met?: boolean } & Measurement;

function fail(what: string): never {
  throw new Error(`benchmark produced a wrong result: ${what}`);
}

async function benchReceiptChecks(f: ReceiptBatchFixture): Promise<Result[]> {
  const { domain, batch, file } = f;
  const receipts = file.entries.map((e) => e.receipt);

  const batched = await measure(async () => {
    const signer = await recoverBatchSigner({ batch, domain, signature: f.batchSignature });
    if (signer !== f.signer) fail("batch signer");
    for (let i = 0; i < receipts.length; i++) {
      if (!verifyReceiptProof({ receipt: receipts[i]!, proof: f.proofs[i]!, root: batch.root })) fail(`proof ${i}`);
    }
    return receipts.length;
  }, OPTIONS);

  const wholeFile = await measure(async () => {
    const { signer } = await verifyBatchFile({ file, domain, signature: f.batchSignature, expectedRoot: batch.root });
    if (signer !== f.signer) fail("batch file signer");
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
      name: `receipt checks: recoverBatchSigner per ${BATCH_SIZE} + verifyReceiptProof each`,
      unit: "receipts",
      target,
      met: batched.cpu.median >= target,
      ...batched,
    },
    { name: `receipt checks: verifyBatchFile (${BATCH_SIZE}, file re-derived)`, unit: "receipts", ...wholeFile },
    { name: "naive baseline: recoverReceiptSigner per receipt", unit: "receipts", ...naive },
  ];
}

async function benchReplays(f: ReceiptBatchFixture): Promise<Result[]> {
  const integer = await createIntegerRuntime().load(loadBundledModel("iris-int8").artifact);
  const integerReplays = await measure(async () => {
    for (let i = 0; i < f.inputs.length; i++) {
      const { receipt } = f.file.entries[i]!;
      if (getTensorHash(f.inputs[i]!) !== receipt.inputHash) fail(`input hash ${i}`);
      const { output, traceRoot } = await integer.run(f.inputs[i]!);
      if (getTensorHash(output) !== receipt.outputHash || traceRoot !== receipt.traceRoot) fail(`integer replay ${i}`);
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
  const expected = await Promise.all(inputs.map(async (x) => getTensorHash((await onnx.run(x)).output)));
  const onnxReplays = await measure(async () => {
    for (let i = 0; i < inputs.length; i++) {
      getTensorHash(inputs[i]!);
      if (getTensorHash((await onnx.run(inputs[i]!)).output) !== expected[i]) fail(`onnx replay ${i}`);
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
  const results = [...(await benchReceiptChecks(fixture)), ...(await benchReplays(fixture))];
  const [batched, , naive] = results as [Result, Result, Result];
  const ratioOf = (key: "wall" | "cpu") => Math.round((batched[key].median / naive[key].median) * 10) / 10;
  const ratio = { wall: ratioOf("wall"), cpu: ratioOf("cpu") };

  if (json) {
    process.stdout.write(`${toJson({ batchSize: BATCH_SIZE, ...OPTIONS, targets: TARGETS, results, ratio })}\n`);
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
    `batched / naive receipt checks: ${ratio.wall.toFixed(1)}× wall, ${ratio.cpu.toFixed(1)}× per CPU-second ` +
      `(medians of ${OPTIONS.runs} runs; targets from DESIGN.md, judged per CPU-second)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
