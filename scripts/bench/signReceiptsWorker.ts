import { parentPort, workerData } from "node:worker_threads";
import type { Address, Hex } from "viem";
import { sign } from "viem/accounts";
import {
  type GetVerityDomainParameters,
  type Receipt,
  bytesToHex,
  getDomainSeparator,
  getReceiptStructHashBytes,
  getTypedDataDigest,
  keccak256Bytes,
} from "../../src/protocol";

/** Work order of one signing thread: receipts `start … start+count-1`. */
export interface SignReceiptsOrder {
  start: number;
  count: number;
  chunk: number;
  privateKey: Hex;
  node: Address;
  modelId: Hex;
  domain: GetVerityDomainParameters;
}

/** One signed receipt, compact: [structHash, requestId, inputHash, outputHash, issuedAt, signature]. */
export type SignedRow = [Hex, Hex, Hex, Hex, string, Hex];

function hashOf(tag: number, index: number): Hex {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setUint32(0, tag);
  new DataView(bytes.buffer).setUint32(4, index);
  return bytesToHex(keccak256Bytes(bytes));
}

async function run(order: SignReceiptsOrder): Promise<void> {
  const separator = getDomainSeparator(order.domain);
  const zero = `0x${"00".repeat(32)}` as Hex;
  let rows: SignedRow[] = [];
  for (let i = order.start; i < order.start + order.count; i++) {
    const receipt: Receipt = {
      requestId: hashOf(1, i),
      modelId: order.modelId,
      inputHash: hashOf(2, i),
      outputHash: hashOf(3, i),
      traceRoot: zero,
      node: order.node,
      issuedAt: 1_700_000_000n + BigInt(i),
    };
    const structHash = getReceiptStructHashBytes(receipt);
    const digest = bytesToHex(getTypedDataDigest(separator, structHash));
    const signature = await sign({ hash: digest, privateKey: order.privateKey, to: "hex" });
    rows.push([
      bytesToHex(structHash),
      receipt.requestId,
      receipt.inputHash,
      receipt.outputHash,
      receipt.issuedAt.toString(),
      signature,
    ]);
    if (rows.length === order.chunk) {
      parentPort!.postMessage(rows);
      rows = [];
    }
  }
  if (rows.length > 0) parentPort!.postMessage(rows);
  parentPort!.postMessage("done");
}

void run(workerData as SignReceiptsOrder);
