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
import { getDigitsSplit } from "../models/build/digits";
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
import {
  createIntegerRuntimeV2,
  INTEGER_V2_RUNTIME_ID,
  parseIntegerModelV2,
  quantizeInputV2,
} from "../runtime/integerV2";

/** A model the demo requests, with the demo's own copy of it to know the right answers. */
export interface DemoModel {
  entry: ModelManifestEntry;
  reference: LoadedModel;
  /** Builds the model's input tensor from the features of one of its samples. */
  toInput(features: readonly number[]): Tensor;
  /** Held-out samples the clients send: Iris flowers, or 8x8 handwritten digits for the digits CNN. */
  samples: readonly { features: readonly number[] }[];
}

/** An answer of a node's HTTP API, as its client receives it. */
export interface ApiAnswer {
  node: Address;
  model: ModelManifestEntry;
  receipt: Receipt;
  receiptHash: Hex;
  signature: Hex;
  /** The input the client sent. */
  input: Tensor;
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
      if (entry.runtimeId === INTEGER_V2_RUNTIME_ID) {
        const integerModel = parseIntegerModelV2(artifact);
        return {
          entry,
          reference: await createIntegerRuntimeV2({ expectedModelId: entry.modelId }).load(artifact),
          toInput: (features) => quantizeInputV2(integerModel, features),
          samples: getDigitsSplit().heldOut,
        };
      }
      if (entry.verificationMode === "EXACT") {
        const integerModel = parseIntegerModel(artifact);
        return {
          entry,
          reference: await createIntegerRuntime().load(artifact),
          toInput: (features) => quantizeInput(integerModel, features),
          samples: getIrisSplit().heldOut,
        };
      }
      return {
        entry,
        reference: await createOnnxRuntime().load(artifact),
        toInput: (features) => createTensor("float32", [1, 4], features),
        samples: getIrisSplit().heldOut,
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

/**
 * Sends held-out samples to each node's `POST /v1/infer` (`perNodeAndModel(model)` requests per node and model) and
 * checks every answer against the demo's own run.
 */
export async function requestOffChain(
  nodes: readonly { operator: Address; url: string; dishonestShare: number }[],
  models: readonly DemoModel[],
  perNodeAndModel: (model: DemoModel) => number,
): Promise<ApiAnswer[]> {
  const answers: ApiAnswer[] = [];
  const next = new Map<DemoModel, number>();
  for (const node of nodes) {
    for (const model of models) {
      const count = perNodeAndModel(model);
      const ids = chooseRequestIds(count, node.dishonestShare, `${node.operator}:${model.entry.name}`);
      for (const requestId of ids) {
        const sample = next.get(model) ?? 0;
        next.set(model, sample + 1);
        const input = model.toInput(model.samples[sample % model.samples.length]!.features);
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
          input,
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
