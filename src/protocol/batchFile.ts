import type { Address, Hex } from "viem";
import { toHex } from "./bytes";
import { keccak256Bytes } from "./keccak";
import type { Receipt } from "./receipt";

/** Where a receipt's input or output lives: inline (canonical tensor encoding, hex) or at a content address. */
export type TensorReference = { encoding: Hex } | { uri: string };

/** One leaf of a batch file: the receipt with its input and output (inline or by reference). */
export type BatchFileEntry = { receipt: Receipt; input: TensorReference; output: TensorReference };

/**
 * The batch file a node serves for each batch (docs/protocol.md § Batch file). `entries` are in leaf order.
 * `dataHash` in the signed `ReceiptBatch` is {@link getBatchDataHash} of this file.
 */
export type BatchFile = { version: 1; node: Address; sequence: bigint; entries: BatchFileEntry[] };

const utf8 = new TextEncoder();

/** Current batch file format version. */
export const BATCH_FILE_VERSION = 1;

function serializeReference(reference: TensorReference): string {
  return "encoding" in reference
    ? `{"encoding":${JSON.stringify(reference.encoding.toLowerCase())}}`
    : `{"uri":${JSON.stringify(reference.uri)}}`;
}

function serializeReceipt(r: Receipt): string {
  // Keys in ascending order; hex lowercased; uint64 as a decimal string.
  return (
    `{"inputHash":"${r.inputHash.toLowerCase()}","issuedAt":"${r.issuedAt.toString(10)}",` +
    `"modelId":"${r.modelId.toLowerCase()}","node":"${r.node.toLowerCase()}",` +
    `"outputHash":"${r.outputHash.toLowerCase()}","requestId":"${r.requestId.toLowerCase()}",` +
    `"traceRoot":"${r.traceRoot.toLowerCase()}"}`
  );
}

/**
 * The canonical JSON text of a batch file: keys in ascending order at every level, no whitespace, hex and
 * addresses lowercase, integers as decimal strings. Parsing it with {@link parseBatchFile} gives the file back.
 */
export function serializeBatchFile(file: BatchFile): string {
  const entries = file.entries.map(
    (e) =>
      `{"input":${serializeReference(e.input)},"output":${serializeReference(e.output)},"receipt":${serializeReceipt(e.receipt)}}`,
  );
  return (
    `{"entries":[${entries.join(",")}],"node":"${file.node.toLowerCase()}",` +
    `"sequence":"${file.sequence.toString(10)}","version":${file.version}}`
  );
}

/** keccak256 of the UTF-8 bytes of {@link serializeBatchFile}: the `dataHash` of the signed batch. */
export function getBatchDataHash(file: BatchFile): Hex {
  return toHex(keccak256Bytes(utf8.encode(serializeBatchFile(file))));
}
