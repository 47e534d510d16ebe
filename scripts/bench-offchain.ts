// Measures, on one core: receipt checks/s (one batch signature + one Merkle proof per receipt), integer replays/s
// (incl. input/output hash and trace root), ONNX replays/s, and whether onnxruntime-web (WASM, 1 thread) matches
// onnxruntime-node bit for bit. Run: npx ts-node --transpile-only scripts/bench-offchain.ts
import { privateKeyToAccount } from "viem/accounts";
import { getIrisSplit, loadBundledModel } from "../src/models";
import {
  type BatchFile,
  type Receipt,
  buildReceiptBatch,
  bytesToHex,
  getBatchDigest,
  getMerkleRoot,
  getReceiptLeafBytes,
  getBatchDataHash,
  getTensorHash,
  recoverBatchSigner,
  signBatch,
  verifyReceiptProof,
} from "../src/protocol";
import {
  createOnnxRuntime,
  onnxSessionOptions,
  parseIntegerModel,
  quantizeInput,
  runIntegerModel,
} from "../src/runtime";

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
// The machine is shared: report wall-clock and CPU-time rates (CPU time = what one uncontended core would do).
function measure(label: string, n: number, body: () => void): void {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  body();
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  console.log(`${label}: ${rate(n, wall)}/s wall, ${rate(n, (cpu.user + cpu.system) / 1000)}/s per CPU-second`);
}

async function benchReceipts(): Promise<void> {
  const account = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  const node = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
  const domain = { chainId: 31337, verifyingContract: "0xcccccccccccccccccccccccccccccccccccccccc" } as const;
  const rnd = (i: number, salt: number) =>
    bytesToHex(Uint8Array.from({ length: 32 }, (_, k) => (i * 31 + k * 7 + salt) & 255));
  const receipts: Receipt[] = Array.from({ length: 1024 }, (_, i) => ({
    requestId: `0x${i.toString(16).padStart(64, "0")}`,
    modelId: rnd(1, 1),
    inputHash: rnd(i, 2),
    outputHash: rnd(i, 3),
    traceRoot: rnd(i, 4),
    node,
    issuedAt: 1_700_000_000n + BigInt(i),
  }));
  const built = buildReceiptBatch(receipts);
  const file: BatchFile = {
    version: 1,
    node,
    sequence: 1n,
    entries: built.receipts.map((r) => ({ receipt: r, input: { uri: "x" }, output: { uri: "y" } })),
  };
  const batch = { node, sequence: 1n, root: built.root, count: 1024, dataHash: getBatchDataHash(file) } as const;
  const signature = await signBatch({ signer: account, domain, batch });
  const rounds = 10;
  const { keccak256, recoverAddress } = await import("viem");
  const digest = getBatchDigest(batch, domain);
  const recovered = await recoverAddress({ hash: digest, signature });
  if (recovered !== account.address || keccak256("0x") === digest) throw new Error("bad signer");
  const { secp256k1 } = await import("@noble/curves/secp256k1");
  const sig = secp256k1.Signature.fromCompact(signature.slice(2, 130)).addRecoveryBit(
    parseInt(signature.slice(130), 16) - 27,
  );
  measure("receipt checks, 1 signature per batch of 1024 + 1 Merkle proof per receipt", rounds * 1024, () => {
    for (let r = 0; r < rounds; r++) {
      sig.recoverPublicKey(digest.slice(2));
      for (let i = 0; i < built.receipts.length; i++) {
        if (!verifyReceiptProof({ receipt: built.receipts[i]!, proof: built.proofs[i]!, root: built.root }))
          throw new Error("bad proof");
      }
    }
  });
  measure(
    "receipt checks, whole batch file re-derived (leaves + tree, = every proof) + 1 signature",
    rounds * 1024,
    () => {
      for (let r = 0; r < rounds; r++) {
        sig.recoverPublicKey(digest.slice(2));
        const leaves = file.entries.map((e) => getReceiptLeafBytes(e.receipt));
        if (bytesToHex(getMerkleRoot(leaves)) !== built.root) throw new Error("bad root");
      }
    },
  );
  void recoverBatchSigner;
}

async function benchInteger(): Promise<void> {
  const { artifact } = loadBundledModel("iris-int8");
  const model = parseIntegerModel(artifact);
  const { train, heldOut } = getIrisSplit();
  const inputs = [...train, ...heldOut].map((s) => quantizeInput(model, s.features));
  const n = 30_000;
  for (let i = 0; i < 2000; i++) runIntegerModel(model, inputs[i % inputs.length]!);
  measure("integer replays (iris-int8, incl. input/output hash and trace root)", n, () => {
    for (let i = 0; i < n; i++) {
      const input = inputs[i % inputs.length]!;
      getTensorHash(input, "bytes");
      const { output } = runIntegerModel(model, input);
      getTensorHash(output, "bytes");
    }
  });
}

async function benchOnnx(): Promise<void> {
  const { artifact } = loadBundledModel("iris-f32");
  const loaded = await createOnnxRuntime().load(artifact);
  const { train, heldOut } = getIrisSplit();
  const samples = [...train, ...heldOut];
  const n = 10_000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await loaded.run({
      dtype: "float32",
      shape: [1, 4],
      data: Float32Array.from(samples[i % samples.length]!.features),
    });
  }
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `onnxruntime-node replays (iris-f32): ${rate(n, performance.now() - t0)}/s wall, ${rate(n, (cpu.user + cpu.system) / 1000)}/s per CPU-second`,
  );

  // WASM determinism: many random inputs, two WASM runs and the native run, compared bit for bit.
  const ortWeb = await import("onnxruntime-web");
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.wasm.simd = true;
  const web = await ortWeb.InferenceSession.create(artifact, {
    executionProviders: ["wasm"],
    executionMode: "sequential",
    graphOptimizationLevel: onnxSessionOptions.graphOptimizationLevel,
  });
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
  const count = 20_000;
  let wasmVsWasm = 0;
  let wasmVsNative = 0;
  let maxDiff = 0;
  const t1 = performance.now();
  for (let k = 0; k < count; k++) {
    const x = Float32Array.from({ length: 4 }, (_, j) =>
      k < samples.length ? samples[k]!.features[j]! : next() * 10 - 1,
    );
    const a = (await web.run({ features: new ortWeb.Tensor("float32", x, [1, 4]) })).logits!.data as Float32Array;
    const b = (await web.run({ features: new ortWeb.Tensor("float32", x, [1, 4]) })).logits!.data as Float32Array;
    const c = (await loaded.run({ dtype: "float32", shape: [1, 4], data: x })).output.data as Float32Array;
    const bits = (f: Float32Array) => Array.from(new Uint32Array(Float32Array.from(f).buffer)).join(",");
    if (bits(a) !== bits(b)) wasmVsWasm++;
    if (bits(a) !== bits(c)) {
      wasmVsNative++;
      for (let j = 0; j < a.length; j++) maxDiff = Math.max(maxDiff, Math.abs(a[j]! - c[j]!));
    }
  }
  const wasmMs = performance.now() - t1;
  console.log(
    `onnxruntime-web wasm (1 thread) on ${count} inputs: run-to-run mismatches ${wasmVsWasm}, vs native mismatches ${wasmVsNative} (max |diff| ${maxDiff}), ${rate(count * 3, wasmMs)} runs/s mixed`,
  );
  await loaded.dispose();
}

async function main(): Promise<void> {
  await benchReceipts();
  await benchInteger();
  await benchOnnx();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
