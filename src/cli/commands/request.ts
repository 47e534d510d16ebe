import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { bytesToHex, formatUnits, parseEventLogs, zeroHash, type Hex } from "viem";
import { inferenceRouterAbi } from "../../chain/abis.generated";
import { getAssignments } from "../../chain/actions/getAssignments";
import { getModel } from "../../chain/actions/getModel";
import { getRequest } from "../../chain/actions/getRequest";
import { getRequestFulfilledEvents } from "../../chain/actions/getRequestFulfilledEvents";
import { getRequestRefundedEvents } from "../../chain/actions/getRequestRefundedEvents";
import { getRequestSettledEvents } from "../../chain/actions/getRequestSettledEvents";
import { getRequestState } from "../../chain/actions/getRequestState";
import { reassign } from "../../chain/actions/reassign";
import { refund } from "../../chain/actions/refund";
import { requestInference } from "../../chain/actions/requestInference";
import { RequestState, requestStateNames } from "../../chain/enums.generated";
import { sendContractCall } from "../../chain/sendContractCall";
import { ConfigError } from "../../config/ConfigError";
import {
  BaseError,
  decodePayload,
  encodePayload,
  encodeTensor,
  getErrorMessage,
  getPayloadHash,
  isTensorBundle,
  tensorDtypes,
  type Tensor,
  type TensorPayload,
} from "../../protocol";
import { ExitCode, ExitCodeError } from "../exitCode";
import { describeResultCheck, formatPayload, readRequestResult, toResultJson } from "../requestResult";
import { findDeclaredInput, validateRequestInput } from "../validateRequestInput";
import {
  InputValidationError,
  parseModelSignature,
  parseTensorJson,
  validatePayload,
  type ModelSignature,
  type TensorJson,
} from "../../runtime";
import {
  KEY_HELP,
  addChainOptions,
  assertTokenBalance,
  addExamples,
  connect,
  ensureTokenAllowance,
  formatTime,
  getTokenInfo,
  parseAmount,
  parseBytes32,
  parseInteger,
  toCliName,
  type ChainContext,
  type ChainOptions,
} from "../options";

/** The router's cap on `inputURI` (`InferenceRouter.MAX_INPUT_URI_LENGTH`). */
const MAX_INPUT_URI_LENGTH = 512;
/** The router's cap on the input bytes posted with a request (`InferenceRouter.MAX_INPUT_LENGTH`). */
const MAX_INPUT_LENGTH = 16_384;

/** On-chain `RequestState` names, by enum value. */
export const REQUEST_STATES = requestStateNames.map(toCliName);

/** The media type of a `data:` URI holding a tensor's canonical encoding. */
export const TENSOR_MEDIA_TYPE = "application/vnd.verity.tensor";

interface SubmitOptions extends ChainOptions {
  model: string;
  input: string;
  redundancy: string;
  deadline: string;
  fee: string;
  callbackGas: string;
  signature?: string;
}

/** `verity request submit|show`. */
export function addRequestCommands(program: Command): void {
  const request = program.command("request").description("ask the InferenceRouter for an inference, follow it");

  addExamples(
    addChainOptions(
      request
        .command("submit")
        .description("escrow a fee and have staked nodes run a model on an input")
        .requiredOption("--model <id>", "the model id (bytes32)")
        .requiredOption(
          "--input <file|uri>",
          `a JSON tensor file {dtype, shape, data}, or {"inputs": {name: {dtype, shape, data}, …}} for named inputs ` +
            `(sent as a data: URI of the canonical bytes), or a data:${TENSOR_MEDIA_TYPE};base64,… URI`,
        )
        .option(
          "--signature <file>",
          "the model's signature document (default: <CID>.json of its metadata URI, next to the input, in models/ or models/onnx/)",
        )
        .option("--redundancy <n>", "how many distinct nodes serve it", "1")
        .option("--deadline <seconds>", "seconds from now the nodes have to answer", "600")
        .requiredOption("--fee <amount>", "fee in whole tokens, decimals allowed (at least the minimum per node × n)")
        .option("--callback-gas <gas>", "gas for the consumer callback (0: none)", "0"),
    ),
    [
      "verity request submit --model 0x874f…1baa --input sample.json --redundancy 2 --deadline 600 --fee 0.1",
      `verity request submit --model 0x874f…1baa --input 'data:${TENSOR_MEDIA_TYPE};base64,…' --fee 0.05 --json`,
    ],
    `${KEY_HELP}\nsample.json: {"dtype":"int8","shape":[1,4],"data":[12,-3,40,7]}`,
  ).action(async (options: SubmitOptions) => {
    const modelId = parseBytes32(options.model, "--model");
    const read = readInput(options.input);
    const redundancy = parseInteger(options.redundancy, "--redundancy", 1, 255);
    const deadlineSeconds = parseInteger(options.deadline, "--deadline", 1, 2 ** 32);
    const callbackGasLimit = parseInteger(options.callbackGas, "--callback-gas", 0, 2 ** 32 - 1);
    const context = await connect(options, true);
    // Checked against the model's signature before anything is escrowed.
    const tensor = await checkInput(context, modelId, read.payload, options);
    const encoding = encodePayload(tensor);
    if (encoding.length > MAX_INPUT_LENGTH) {
      throw new ConfigError(
        `--input: the input is ${encoding.length} bytes encoded, over the router's limit of ${MAX_INPUT_LENGTH} bytes`,
      );
    }
    // A bundle naming the only input of a one-input model commits the plain tensor: its URI follows.
    const uri = tensor === read.payload ? read.uri : toPayloadUri(encoding);
    const { decimals, symbol } = await getTokenInfo(context);
    const fee = parseAmount(options.fee, decimals, "--fee");
    const router = context.contracts.inferenceRouter;
    await assertTokenBalance(context, fee, `a request with fee ${options.fee} ${symbol}`);
    const inputHash = getPayloadHash(tensor);
    const block = await context.clients.publicClient.getBlock({ blockTag: "latest" });
    const deadline = Number(block.timestamp) + deadlineSeconds;
    await ensureTokenAllowance(context, router, fee);
    context.output.progress(`requesting ${redundancy} node(s) for model ${modelId}, fee ${options.fee} ${symbol}`);
    const hash = await sendContractCall(
      context.clients,
      requestInference({
        address: router,
        // The input goes on chain too (so it is provably available); the URI only when it fits the router's cap.
        params: {
          modelId,
          inputHash,
          inputURI: uri.length <= MAX_INPUT_URI_LENGTH ? uri : "",
          input: bytesToHex(encoding),
          redundancy,
          deadline,
          callbackGasLimit,
          fee,
        },
      }),
    );
    const receipt = await context.clients.publicClient.getTransactionReceipt({ hash });
    const logs = parseEventLogs({ abi: inferenceRouterAbi, logs: receipt.logs });
    const created = logs.find((log) => log.eventName === "RequestCreated");
    const assigned = logs.flatMap((log) => (log.eventName === "NodeAssigned" ? [log.args.node] : []));
    context.output.record({
      requestId: created?.eventName === "RequestCreated" ? created.args.id : "",
      modelId,
      inputHash,
      inputURI: context.output.json || uri.length <= 80 ? uri : `${uri.slice(0, 77)}...`,
      fee: formatUnits(fee, decimals),
      deadline: formatTime(deadline),
      assignedNodes: context.output.json ? assigned : assigned.join("\n"),
      transaction: hash,
    });
  });

  addSettlementCommands(request);

  addExamples(
    addChainOptions(
      request
        .command("show")
        .description("state, assignments, fulfilments and settlement of a request")
        .argument("<id>", "the request id (bytes32)"),
    ),
    ["verity request show 0x5f3c…", "verity request show 0x5f3c… --json"],
  )
    .option(
      "--content-dir <dir>",
      "tensors (tensors/<hash>) to look in before the nodes (env VERITY_CONTENT_DIR)",
      process.env.VERITY_CONTENT_DIR,
    )
    .action(async (id: string, options: ChainOptions & { contentDir?: string }) => {
      const requestId = parseBytes32(id, "<id>");
      const context = await connect(options, false);
      const read = context.clients.publicClient;
      const address = context.contracts.inferenceRouter;
      const request = await getRequest(read, { address, id: requestId });
      if (request.createdAt === 0) throw new BaseError(`no request ${requestId}`);
      const [state, assignments, { decimals }] = await Promise.all([
        getRequestState(read, { address, id: requestId }),
        getAssignments(read, { address, id: requestId }),
        getTokenInfo(context),
      ]);
      const range = { address, args: { id: requestId }, fromBlock: BigInt(context.deployment.startBlock) };
      const [fulfilled, settled, refunded] = await Promise.all([
        getRequestFulfilledEvents(read, range),
        getRequestSettledEvents(read, range),
        getRequestRefundedEvents(read, range),
      ]);
      const batchOf = new Map(fulfilled.map((log) => [log.args.receiptHash, log.args.batchId]));
      const rows = assignments.map((assignment) => ({
        node: assignment.node,
        rank: assignment.rank,
        receiptHash: assignment.receiptHash === zeroHash ? "" : assignment.receiptHash,
        outputHash: assignment.outputHash === zeroHash ? "" : assignment.outputHash,
        batchId: batchOf.get(assignment.receiptHash) ?? "",
        windowEnd: formatTime(assignment.windowEnd),
      }));
      const tokens = (value: bigint) => formatUnits(value, decimals);
      const settlement = settled[0]
        ? {
            outputHash: settled[0].args.outputHash,
            paidToNodes: tokens(settled[0].args.paidToNodes),
            toTreasury: tokens(settled[0].args.toTreasury),
            refunded: tokens(settled[0].args.refunded),
          }
        : refunded[0]
          ? { refunded: tokens(refunded[0].args.amount) }
          : undefined;
      const result = await readRequestResult(context, {
        settledOutputHash: settled[0]?.args.outputHash,
        assignments,
        contentDir: options.contentDir,
      });
      const summary = {
        requestId,
        state: REQUEST_STATES[state],
        consumer: request.consumer,
        modelId: request.modelId,
        inputHash: request.inputHash,
        fee: tokens(request.fee),
        redundancy: request.redundancy,
        fulfilled: request.fulfilled,
        reassignments: request.reassignments,
        createdAt: formatTime(request.createdAt),
        deadline: formatTime(request.deadline),
      };
      if (context.output.json) {
        context.output.record({
          ...summary,
          assignments: rows,
          settlement: settlement ?? null,
          result: result ? toResultJson(result) : null,
        });
      } else {
        context.output.record({
          ...summary,
          settlement: settlement
            ? Object.entries(settlement)
                .map(([k, v]) => `${k}: ${v}`)
                .join("\n")
            : "",
          result: result?.check === "checked" ? formatPayload(result.output) : "",
          resultCheck: result ? describeResultCheck(result) : "no answer yet",
        });
        context.output.table(rows, ["node", "rank", "receiptHash", "outputHash", "batchId", "windowEnd"]);
      }
      if (result?.check === "mismatch")
        throw new ExitCodeError(`request ${requestId}: ${result.reason}`, ExitCode.Failed);
    });
}

/** Adds `request refund` and `request reassign`: anyone may send them once the request is due. */
function addSettlementCommands(request: Command): void {
  const actions = [
    {
      name: "refund",
      description:
        "refund an expired request nobody answered in time (anyone may send it; the fee goes back to the consumer)",
      call: refund,
    },
    {
      name: "reassign",
      description: "replace the assigned nodes that missed the deadline with freshly drawn ones",
      call: reassign,
    },
  ] as const;
  for (const action of actions) {
    addExamples(
      addChainOptions(request.command(action.name).description(action.description).argument("<id>", "the request id")),
      [`verity request ${action.name} 0x5f3c…`],
      KEY_HELP,
    ).action(async (id: string, options: ChainOptions) => {
      const requestId = parseBytes32(id, "<id>");
      const context = await connect(options, true);
      const address = context.contracts.inferenceRouter;
      const before = await getRequestState(context.clients.publicClient, { address, id: requestId });
      const needed = action.name === "refund" ? RequestState.Unservable : RequestState.Expired;
      if (before !== needed) {
        const hint =
          before === RequestState.Expired
            ? "its deadline passed and a reassignment is still possible: run `verity request reassign` first"
            : before === RequestState.Unservable
              ? "no reassignment is left and nothing was fulfilled: run `verity request refund`"
              : before === RequestState.Pending
                ? "its deadline has not passed yet"
                : "it is not waiting for nodes";
        throw new BaseError(
          `request ${requestId} is ${REQUEST_STATES[before]}, not ${REQUEST_STATES[needed]}: ${hint}`,
        );
      }
      context.output.progress(`${action.name}: request ${requestId} is ${REQUEST_STATES[before]}`);
      const hash = await sendContractCall(context.clients, action.call({ address, id: requestId }));
      const after = await getRequestState(context.clients.publicClient, { address, id: requestId });
      context.output.record({
        requestId,
        before: REQUEST_STATES[before],
        state: REQUEST_STATES[after],
        transaction: hash,
      });
    });
  }
}

/** Reads `--input`: a JSON tensor file, made into a `data:` URI of its canonical bytes, or such a URI itself. */
export function readInput(input: string): { payload: TensorPayload; uri: string } {
  if (input.startsWith("data:")) {
    const match = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(input);
    if (!match) throw new ConfigError("--input: malformed data: URI");
    const body = match[2] ? Buffer.from(match[3]!, "base64") : Buffer.from(decodeURIComponent(match[3]!), "latin1");
    try {
      return { payload: decodePayload(new Uint8Array(body)), uri: input };
    } catch (error) {
      throw new ConfigError(`--input: the data: URI is not a canonical tensor: ${getErrorMessage(error)}`);
    }
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(input, "utf8"));
  } catch (cause) {
    throw new ConfigError(`--input: cannot read JSON tensor file ${input}: ${getErrorMessage(cause)}`);
  }
  const value = raw as { dtype?: unknown; shape?: unknown; data?: unknown; inputs?: unknown };
  if (value.inputs !== undefined) {
    if (typeof value.inputs !== "object" || value.inputs === null || Array.isArray(value.inputs)) {
      throw new ConfigError(`--input: ${input}: "inputs" must map input names to {dtype, shape, data}`);
    }
    try {
      const tensors = Object.fromEntries(
        Object.entries(value.inputs as Record<string, TensorJson>).map(([name, json]) => [
          name,
          parseTensorJson(json, `input "${name}"`),
        ]),
      );
      const payload: TensorPayload = { tensors };
      return { payload, uri: toPayloadUri(encodePayload(payload)) };
    } catch (error) {
      throw new ConfigError(`--input: ${input}: ${getErrorMessage(error)}`);
    }
  }
  if (
    typeof value.dtype !== "string" ||
    !Object.hasOwn(tensorDtypes, value.dtype) ||
    !Array.isArray(value.shape) ||
    !Array.isArray(value.data)
  ) {
    throw new ConfigError(
      `--input: ${input} must hold {dtype, shape, data} with dtype one of ${Object.keys(tensorDtypes).join(", ")}`,
    );
  }
  let tensor: Tensor;
  let bytes: Uint8Array;
  try {
    tensor = parseTensorJson(value as TensorJson, "input");
    bytes = encodeTensor(tensor);
  } catch (error) {
    const reason = error instanceof InputValidationError ? error.problems.join("; ") : getErrorMessage(error);
    throw new ConfigError(`--input: ${input} is not a valid tensor: ${reason}`);
  }
  return { payload: tensor, uri: toPayloadUri(bytes) };
}

function toPayloadUri(bytes: Uint8Array): string {
  return `data:${TENSOR_MEDIA_TYPE};base64,${Buffer.from(bytes).toString("base64")}`;
}

/**
 * Validates the input against the model's signature document when the model has one (its metadata URI is the
 * document's `ipfs://` address), returning the payload the request commits. Refusals are {@link ConfigError}s
 * naming each input, raised before anything is escrowed.
 */
async function checkInput(
  context: ChainContext,
  modelId: Hex,
  payload: TensorPayload,
  options: SubmitOptions,
): Promise<TensorPayload> {
  const model = await getModel(context.clients.publicClient, {
    address: context.contracts.modelRegistry,
    id: modelId,
  }).catch(() => undefined);
  if (!model || model.registeredAt === 0) throw new ConfigError(`--model: no model ${modelId} is registered`);
  const uri = model.metadataURI;
  if (!uri.startsWith("ipfs://")) {
    // A model without a signature document: checked against the input its manifest declares, when one is here.
    const declared = findDeclaredInput(uri, modelId);
    if (!declared) {
      context.output.progress(`model ${modelId} declares no input this machine can read: the input is not checked`);
      return payload;
    }
    if (isTensorBundle(payload))
      throw new ConfigError(`--input: model ${modelId} takes one unnamed input, not named ones`);
    validateRequestInput(payload, declared);
    return payload;
  }
  const name = `${uri.slice("ipfs://".length)}.json`;
  const candidates = options.signature
    ? [options.signature]
    : [
        ...(options.input.startsWith("data:") ? [] : [path.join(path.dirname(options.input), name)]),
        path.join("models", name),
        path.join("models", "onnx", name),
      ];
  const file = candidates.find((candidate) => fs.existsSync(candidate));
  if (file === undefined) {
    throw new ConfigError(
      `--signature: the model's signature document ${uri} is not here (looked in ${candidates.join(", ")}); ` +
        "pass --signature <file> so the input can be checked before the fee is escrowed",
    );
  }
  let signature: ModelSignature;
  try {
    signature = parseModelSignature(fs.readFileSync(file, "utf8"), uri);
  } catch (error) {
    throw new ConfigError(`--signature: ${file}: ${getErrorMessage(error)}`);
  }
  try {
    return validatePayload(signature, payload);
  } catch (error) {
    if (error instanceof InputValidationError) {
      throw new ConfigError(`--input: does not match the model's signature: ${error.problems.join("; ")}`);
    }
    throw error;
  }
}
