// Writes the known-answer vectors under docs/vectors/ from src/protocol. Run: npx ts-node scripts/generate-vectors.ts
// The test suite (test/protocol/vectors.test.ts) recomputes every value, in TypeScript and on chain.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import {
  type BatchFile,
  type Receipt,
  type Tensor,
  buildReceiptBatch,
  bytesToHex,
  createTensor,
  encodeTensor,
  encodeTensorBundle,
  getBatchDataHash,
  getBatchDigest,
  getBatchStructHash,
  getDomainSeparatorHex,
  getReceiptDigest,
  getReceiptLeaf,
  getReceiptStructHash,
  getTensorBundleHash,
  getTensorHash,
  serializeBatchFile,
  signBatch,
  signReceipt,
  tensorDtypes,
  type TensorBundle,
} from "../src/protocol";

/** Fixed test key (Hardhat account #0); never use it for anything real. */
export const VECTOR_PRIVATE_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
export const VECTOR_DOMAIN = {
  chainId: 31337,
  verifyingContract: "0xcccccccccccccccccccccccccccccccccccccccc",
} as const;

function tensorVector(name: string, tensor: Tensor) {
  const encoding = encodeTensor(tensor);
  const header = 3 + 4 * tensor.shape.length;
  return {
    name,
    dtype: tensor.dtype,
    dtypeCode: tensorDtypes[tensor.dtype],
    shape: [...tensor.shape],
    values: Array.from(tensor.data as ArrayLike<number | bigint>, (v) =>
      typeof v === "bigint" ? v.toString() : Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : v,
    ),
    data: bytesToHex(encoding.subarray(header)),
    encoding: bytesToHex(encoding),
    hash: getTensorHash(tensor),
  };
}

function bundleVector(name: string, bundle: TensorBundle) {
  const encoding = encodeTensorBundle(bundle);
  return {
    name,
    tensors: Object.fromEntries(
      Object.entries(bundle.tensors).map(([key, tensor]) => [key, bytesToHex(encodeTensor(tensor))]),
    ),
    order: Object.keys(bundle.tensors).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    encoding: bytesToHex(encoding),
    hash: getTensorBundleHash(bundle),
  };
}

/** Bundle vectors: several named tensors, keys given out of order, every dtype, one named tensor vs one plain. */
function bundleVectors() {
  const features = createTensor("float32", [1, 3], [0.5, -1.25, 3]);
  return [
    bundleVector("int64 ids + float32 features", {
      tensors: { ids: createTensor("int64", [1, 2], [7n, -1n]), features },
    }),
    bundleVector("one named tensor (differs from the plain tensor hash)", { tensors: { x: features } }),
    bundleVector("names in UTF-8 byte order (Z < a < é)", {
      tensors: {
        é: createTensor("uint8", [1], [1]),
        a: createTensor("int8", [1], [-1]),
        Z: createTensor("bool", [1], [1]),
      },
    }),
    bundleVector("every dtype", {
      tensors: {
        f16: createTensor("float16", [2], [0x3c00, 0x7e00]),
        f32: createTensor("float32", [1], [1.5]),
        f64: createTensor("float64", [1], [-0.1]),
        i64: createTensor("int64", [1], [-9007199254740993n]),
        i32: createTensor("int32", [1], [-2]),
        i8: createTensor("int8", [1], [-128]),
        u8: createTensor("uint8", [1], [255]),
        b: createTensor("bool", [3], [0, 1, 1]),
        i16: createTensor("int16", [0], []),
      },
    }),
  ];
}

async function main(): Promise<void> {
  const out = path.join(__dirname, "..", "docs", "vectors");
  const tensors = [
    tensorVector("scalar int32", createTensor("int32", [], [-7])),
    tensorVector("empty float32 [0]", createTensor("float32", [0], [])),
    tensorVector("iris input int8 [1,4]", createTensor("int8", [1, 4], [56, -13, 127, -128])),
    tensorVector("uint8 [2,3]", createTensor("uint8", [2, 3], [0, 1, 2, 253, 254, 255])),
    tensorVector("int16 [3]", createTensor("int16", [3], [-32768, 0, 32767])),
    tensorVector("int32 logits [1,3]", createTensor("int32", [1, 3], [-2147483648, 0, 2147483647])),
    tensorVector("int64 [2]", createTensor("int64", [2], [-1n, 9007199254740993n])),
    tensorVector("float32 [1,3]", createTensor("float32", [1, 3], [1.5, -0, 3.4028234663852886e38])),
    tensorVector("float64 [2,1,2]", createTensor("float64", [2, 1, 2], [0.1, -2.5, 1e-300, Number.MAX_VALUE])),
    // float16 elements are given as binary16 bit patterns: 1.0, -2.0, 65504 (max), +Inf, -0.
    tensorVector("float16 bits [5]", createTensor("float16", [5], [0x3c00, 0xc000, 0x7bff, 0x7c00, 0x8000])),
    tensorVector("bool [2,2]", createTensor("bool", [2, 2], [1, 0, 0, 1])),
  ];
  writeFileSync(path.join(out, "tensors.json"), JSON.stringify({ version: 1, tensors }, null, 2) + "\n");
  writeFileSync(
    path.join(out, "bundles.json"),
    JSON.stringify({ version: 1, bundles: bundleVectors() }, null, 2) + "\n",
  );

  const account = privateKeyToAccount(VECTOR_PRIVATE_KEY);
  const node = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
  const input = createTensor("int8", [1, 4], [56, -13, 127, -128]);
  const output = createTensor("int32", [1], [2]);
  const receipts: Receipt[] = Array.from({ length: 5 }, (_, i) => ({
    requestId: `0x${(i + 1).toString(16).padStart(64, "0")}`,
    modelId: `0x${"ab".repeat(32)}`,
    inputHash: getTensorHash(input),
    outputHash: getTensorHash(output),
    traceRoot: i % 2 === 0 ? `0x${"00".repeat(32)}` : `0x${"5c".repeat(32)}`,
    node,
    issuedAt: 1_700_000_000n + BigInt(i),
  }));
  const receiptVectors = [];
  for (const receipt of receipts) {
    receiptVectors.push({
      receipt: { ...receipt, issuedAt: receipt.issuedAt.toString() },
      structHash: getReceiptStructHash(receipt),
      digest: getReceiptDigest(receipt, VECTOR_DOMAIN),
      leaf: getReceiptLeaf(receipt),
      signature: await signReceipt({ signer: account, domain: VECTOR_DOMAIN, receipt }),
    });
  }
  const built = buildReceiptBatch(receipts);
  const file: BatchFile = {
    version: 1,
    node,
    sequence: 7n,
    entries: built.receipts.map((receipt, i) => ({
      receipt,
      input: i === 0 ? { encoding: bytesToHex(encodeTensor(input)) } : { uri: `ipfs://input-${built.order[i]}` },
      output: i === 0 ? { encoding: bytesToHex(encodeTensor(output)) } : { uri: `ipfs://output-${built.order[i]}` },
    })),
  };
  const batch = { node, sequence: 7n, root: built.root, count: built.count, dataHash: getBatchDataHash(file) } as const;
  const vectors = {
    version: 1,
    privateKey: VECTOR_PRIVATE_KEY,
    signer: account.address,
    domain: { name: "Verity", version: "1", ...VECTOR_DOMAIN, separator: getDomainSeparatorHex(VECTOR_DOMAIN) },
    receipts: receiptVectors,
    batch: {
      leafOrder: built.order,
      leaves: built.leaves,
      proofs: built.proofs,
      root: built.root,
      count: built.count,
      file: serializeBatchFile(file),
      dataHash: batch.dataHash,
      sequence: "7",
      structHash: getBatchStructHash(batch),
      digest: getBatchDigest(batch, VECTOR_DOMAIN),
      signature: await signBatch({ signer: account, domain: VECTOR_DOMAIN, batch }),
    },
  };
  writeFileSync(path.join(out, "receipts.json"), JSON.stringify(vectors, null, 2) + "\n");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
