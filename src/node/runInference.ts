import type { Hex } from "viem";
import {
  bytesToHex,
  encodePayload,
  getReceiptStructHash,
  isTensorBundle,
  keccak256Bytes,
  signReceipt,
  type Receipt,
  type TensorPayload,
} from "../protocol";
import type { NodeContext } from "./context";
import { corruptOutput, isDishonestRequest } from "./corruptOutput";
import { runCorruptedIntegerModelV2 } from "./corruptTrace";
import type { ServedModel } from "./loadServedModels";
import type { ReceiptSource, StoredReceipt } from "./NodeStore";

export interface RunInferenceParameters {
  model: ServedModel;
  input: TensorPayload;
  requestId: Hex;
  source: ReceiptSource;
  /** Runs inside the transaction that stores the receipt (the router watcher marks its assignment answered). */
  alsoStore?: (receiptHash: Hex) => void;
}

export interface RunInferenceReturnType {
  stored: StoredReceipt;
  output: TensorPayload;
}

/**
 * Runs the model, corrupts the output when the request falls in the dishonest share, builds and signs the receipt,
 * and stores receipt, signature, input and output in one transaction (grouped with concurrent requests' receipts)
 * before returning: whatever the caller answers
 * afterwards is already durable, and the outbox will forward it.
 */
export async function runInference(
  context: NodeContext,
  { model, input, requestId, source, alsoStore }: RunInferenceParameters,
): Promise<RunInferenceReturnType> {
  const labels = { model: model.entry.name };
  const stopTimer = context.metrics.inferenceSeconds.startTimer(labels);
  let result = await model.loaded.run(input);
  stopTimer();
  const lying = isDishonestRequest(requestId, context.dishonestShare);
  // Trace mode, on a runtime-v2 model: one trace element is wrong and propagated (output and trace root follow it).
  const wrongRun =
    lying && context.dishonestMode === "trace" && model.integerV2 && !isTensorBundle(input) && input.dtype === "int8"
      ? runCorruptedIntegerModelV2(model.integerV2, input.data as Int8Array)
      : undefined;
  if (wrongRun) result = { output: wrongRun.output, traceRoot: wrongRun.traceRoot };
  const corrupted = wrongRun ? wrongRun.output : lying ? corruptOutput(result.output) : undefined;
  const dishonest = corrupted !== undefined && (wrongRun !== undefined || corrupted !== result.output);
  const output = corrupted ?? result.output;
  const inputEncoding = encodePayload(input);
  const outputEncoding = encodePayload(output);
  const inputHash = bytesToHex(keccak256Bytes(inputEncoding));
  const outputHash = bytesToHex(keccak256Bytes(outputEncoding));
  const receipt: Receipt = {
    requestId: requestId.toLowerCase() as Hex,
    modelId: model.modelId,
    inputHash,
    outputHash,
    traceRoot: result.traceRoot.toLowerCase() as Hex,
    node: context.operator.toLowerCase() as Hex,
    issuedAt: context.now(),
  };
  const signature = await signReceipt({ signer: context.signer, domain: context.domain, receipt });
  const stored: StoredReceipt = {
    receiptHash: getReceiptStructHash(receipt),
    receipt,
    signature,
    source,
    dishonest,
    forwarded: false,
    batchId: null,
  };
  await context.store.storeReceipt(
    stored,
    [
      { hash: inputHash, encoding: inputEncoding },
      { hash: outputHash, encoding: outputEncoding },
    ],
    alsoStore && (() => alsoStore(stored.receiptHash)),
    context.groupCommit ?? true,
  );
  context.metrics.inferences.inc({ ...labels, source });
  if (dishonest) context.metrics.dishonestOutputs.inc(labels);
  context.logger.debug(
    { receiptHash: stored.receiptHash, requestId, model: labels.model, source, dishonest },
    "receipt signed",
  );
  context.onReceiptStored();
  return { stored, output };
}
