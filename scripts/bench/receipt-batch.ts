import { type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { loadBundledModel } from "../../src/models";
import { getIrisSplit } from "../../src/models/build";
import {
  type BatchFile,
  type BatchFileEntry,
  type GetVerityDomainParameters,
  type Receipt,
  type ReceiptBatch,
  type Tensor,
  buildReceiptBatch,
  bytesToHex,
  encodeTensor,
  getBatchDataHash,
  getTensorHash,
  signBatch,
  signReceipt,
} from "../../src/protocol";
import { parseIntegerModel, quantizeInput, runIntegerModel } from "../../src/runtime";

/** Hardhat's first well-known development key: the node's signer here. */
export const SIGNER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const NODE: Address = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const DOMAIN: GetVerityDomainParameters = {
  chainId: 31337,
  verifyingContract: "0xcccccccccccccccccccccccccccccccccccccccc",
};

/** A signed batch of real receipts (iris-int8 replays), with each receipt also signed alone for the baseline. */
export type ReceiptBatchFixture = {
  signer: Address;
  domain: GetVerityDomainParameters;
  batch: ReceiptBatch;
  batchSignature: Hex;
  /** Entries in leaf order, inputs and outputs inline. */
  file: BatchFile;
  /** Decoded input of each entry (what a verifier replays). */
  inputs: Tensor[];
  /** Merkle proof of each entry. */
  proofs: Hex[][];
  /** Each receipt's own EIP-712 signature (what a verifier without batches would check). */
  receiptSignatures: Hex[];
};

/** Builds a batch of `size` receipts of the bundled integer model on the Iris samples. */
export async function buildReceiptBatchFixture(size: number): Promise<ReceiptBatchFixture> {
  const account = privateKeyToAccount(SIGNER_KEY);
  const { entry, artifact } = loadBundledModel("iris-int8");
  const model = parseIntegerModel(artifact);
  const { train, heldOut } = getIrisSplit();
  const samples = [...train, ...heldOut];
  const entries: BatchFileEntry[] = [];
  const inputs: Tensor[] = [];
  for (let i = 0; i < size; i++) {
    const input = quantizeInput(model, samples[i % samples.length]!.features);
    const { output, traceRoot } = runIntegerModel(model, input);
    const receipt: Receipt = {
      requestId: `0x${(i + 1).toString(16).padStart(64, "0")}`,
      modelId: entry.modelId,
      inputHash: getTensorHash(input),
      outputHash: getTensorHash(output),
      traceRoot,
      node: NODE,
      issuedAt: 1_700_000_000n + BigInt(i),
    };
    entries.push({
      receipt,
      input: { encoding: bytesToHex(encodeTensor(input)) },
      output: { encoding: bytesToHex(encodeTensor(output)) },
    });
    inputs.push(input);
  }
  const built = buildReceiptBatch(entries.map((e) => e.receipt));
  const file: BatchFile = { version: 1, node: NODE, sequence: 1n, entries: built.order.map((i) => entries[i]!) };
  const batch: ReceiptBatch = {
    node: NODE,
    sequence: file.sequence,
    root: built.root,
    count: size,
    dataHash: getBatchDataHash(file),
  };
  const receiptSignatures: Hex[] = [];
  for (const receipt of built.receipts)
    receiptSignatures.push(await signReceipt({ signer: account, domain: DOMAIN, receipt }));
  return {
    signer: account.address,
    domain: DOMAIN,
    batch,
    batchSignature: await signBatch({ signer: account, domain: DOMAIN, batch }),
    file,
    inputs: built.order.map((i) => inputs[i]!),
    proofs: built.proofs,
    receiptSignatures,
  };
}
