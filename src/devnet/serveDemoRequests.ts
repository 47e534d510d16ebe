import fs from "node:fs";
import path from "node:path";
import { bytesToHex, keccak256, parseEventLogs, stringToHex, type Address, type Hex } from "viem";
import { inferenceRouterAbi } from "../chain/abis.generated";
import type { VerityClients } from "../chain/createVerityClients";
import { approve } from "../chain/actions/approve";
import { requestInference } from "../chain/actions/requestInference";
import { sendContractCall } from "../chain/sendContractCall";
import type { ModelManifestEntry } from "../models";
import { getIrisSplit } from "../models/build";
import { isDishonestRequest } from "../node/corruptOutput";
import { toDataUri } from "../node/fetchInput";
import {
  BaseError,
  createTensor,
  encodeTensor,
  getPayloadHash,
  getTensorHash,
  type Receipt,
  type Tensor,
} from "../protocol";
import {
  compareWithTolerance,
  createIntegerRuntime,
  createOnnxRuntime,
  parseIntegerModel,
  quantizeInput,
  type LoadedModel,
} from "../runtime";

/** A model the demo requests, with the demo's own copy of it to know the right answers. */
export interface DemoModel {
  entry: ModelManifestEntry;
  reference: LoadedModel;
  /** Builds the model's input tensor from Iris features. */
  toInput(features: readonly number[]): Tensor;
}

/** An answer of a node's HTTP API, as its client receives it. */
export interface ApiAnswer {
  node: Address;
  model: ModelManifestEntry;
  receipt: Receipt;
  receiptHash: Hex;
  signature: Hex;
  /** True when the output differs from the demo's own run beyond the model's policy. */
  wrong: boolean;
}

/** An on-chain request made through the InferenceRouter. */
export interface RouterRequest {
  id: Hex;
  model: ModelManifestEntry;
  input: Tensor;
  fee: bigint;
}

/** Loads the bundled models with the demo's own runtimes, to tell right answers from wrong ones. */
export async function loadDemoModels(modelsDir: string, entries: readonly ModelManifestEntry[]): Promise<DemoModel[]> {
  return Promise.all(
    entries.map(async (entry) => {
      const artifact = new Uint8Array(fs.readFileSync(path.join(modelsDir, entry.file)));
      if (entry.verificationMode === "EXACT") {
        const integerModel = parseIntegerModel(artifact);
        return {
          entry,
          reference: await createIntegerRuntime().load(artifact),
          toInput: (features) => quantizeInput(integerModel, features),
        };
      }
      return {
        entry,
        reference: await createOnnxRuntime().load(artifact),
        toInput: (features) => createTensor("float32", [1, 4], features),
      };
    }),
  );
}

/** Tensors travel in the node API as `{dtype, shape, data}` with plain numbers. */
function toJsonTensor(tensor: Tensor) {
  return { dtype: tensor.dtype, shape: tensor.shape, data: Array.from(tensor.data as ArrayLike<number>, Number) };
}

/** True when `output` is not what the model gives for `input` under the model's verification policy. */
async function isWrong(model: DemoModel, input: Tensor, output: Tensor): Promise<boolean> {
  const { output: expected } = await model.reference.run(input);
  if (model.entry.verificationMode === "EXACT") return getPayloadHash(expected) !== getTensorHash(output);
  return !compareWithTolerance(expected, output, BigInt(model.entry.tolerance)).ok;
}

/**
 * Picks request ids for `count` API requests to one node so that, with its dishonest share, exactly
 * `Math.round(count * share)` of them are ones the node corrupts: the demo's story then has a known number of lies.
 */
export function chooseRequestIds(count: number, share: number, salt: string): Hex[] {
  const lies = Math.round(count * share);
  const honest = count - lies;
  const chosen: { id: Hex; lie: boolean }[] = [];
  let counter = 0;
  while (chosen.length < count) {
    const id = keccak256(stringToHex(`${salt}:${counter++}`));
    const lie = isDishonestRequest(id, share);
    const have = chosen.filter((c) => c.lie === lie).length;
    if (have < (lie ? lies : honest)) chosen.push({ id, lie });
  }
  return chosen.map((c) => c.id);
}

/** Sends Iris samples to each node's `POST /v1/infer` and checks every answer against the demo's own run. */
export async function requestOffChain(
  nodes: readonly { operator: Address; url: string; dishonestShare: number }[],
  models: readonly DemoModel[],
  perNodeAndModel: number,
): Promise<ApiAnswer[]> {
  const samples = getIrisSplit().heldOut;
  const answers: ApiAnswer[] = [];
  let sample = 0;
  for (const node of nodes) {
    for (const model of models) {
      const ids = chooseRequestIds(perNodeAndModel, node.dishonestShare, `${node.operator}:${model.entry.name}`);
      for (const requestId of ids) {
        const input = model.toInput(samples[sample++ % samples.length]!.features);
        const response = await fetch(`${node.url}/v1/infer`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ modelId: model.entry.modelId, input: toJsonTensor(input), requestId }),
        });
        if (!response.ok)
          throw new BaseError(`node ${node.operator} answered ${response.status}: ${await response.text()}`);
        const body = (await response.json()) as {
          output: { dtype: Tensor["dtype"]; shape: number[]; data: number[] };
          receipt: Omit<Receipt, "issuedAt"> & { issuedAt: string };
          signature: Hex;
          receiptHash: Hex;
        };
        const output = createTensor(body.output.dtype, body.output.shape, body.output.data);
        answers.push({
          node: node.operator,
          model: model.entry,
          receipt: { ...body.receipt, issuedAt: BigInt(body.receipt.issuedAt) },
          receiptHash: body.receiptHash,
          signature: body.signature,
          wrong: await isWrong(model, input, output),
        });
      }
    }
  }
  return answers;
}

/** The consumer escrows fees and asks the router for inferences whose inputs travel as `data:` URIs. */
export async function requestOnChain(
  consumer: VerityClients,
  contracts: { token: Address; inferenceRouter: Address },
  model: DemoModel,
  count: number,
  feePerRequest: bigint,
): Promise<RouterRequest[]> {
  const samples = getIrisSplit().heldOut.slice(-count);
  await sendContractCall(
    consumer,
    approve({ address: contracts.token, spender: contracts.inferenceRouter, amount: feePerRequest * BigInt(count) }),
  );
  const latest = await consumer.publicClient.getBlock({ blockTag: "latest" });
  const requests: RouterRequest[] = [];
  for (const sample of samples) {
    const input = model.toInput(sample.features);
    const hash = await sendContractCall(
      consumer,
      requestInference({
        address: contracts.inferenceRouter,
        params: {
          modelId: model.entry.modelId,
          inputHash: getTensorHash(input),
          inputURI: toDataUri(encodeTensor(input)),
          input: bytesToHex(encodeTensor(input)),
          redundancy: 1,
          deadline: Number(latest.timestamp) + 600,
          callbackGasLimit: 0,
          fee: feePerRequest,
        },
      }),
    );
    const receipt = await consumer.publicClient.getTransactionReceipt({ hash });
    const [created] = parseEventLogs({ abi: inferenceRouterAbi, logs: receipt.logs, eventName: "RequestCreated" });
    requests.push({ id: created!.args.id, model: model.entry, input, fee: feePerRequest });
  }
  return requests;
}
