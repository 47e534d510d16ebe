import fs from "node:fs";
import type { Command } from "commander";
import { zeroHash, type Address, type Hex } from "viem";
import { getCurrentAnswer } from "../../chain/actions/getCurrentAnswer";
import { getValidationRequests, type ValidationRequestEntry } from "../../chain/actions/getValidationRequests";
import { getValidationStatus } from "../../chain/actions/getValidationStatus";
import { getValidatorAnswer } from "../../chain/actions/getValidatorAnswer";
import { requestValidation } from "../../chain/actions/requestValidation";
import { updateValidation } from "../../chain/actions/updateValidation";
import { answerNames } from "../../chain/enums.generated";
import { sendContractCall } from "../../chain/sendContractCall";
import { ConfigError } from "../../config/ConfigError";
import {
  BaseError,
  VALIDATION_REQUEST_DOCUMENT_TYPE,
  getErrorMessage,
  getReceiptStructHash,
  getValidationRequestHash,
  parseReceipt,
  toValidationRequestUri,
  type Receipt,
  type ValidationRequestDocument,
} from "../../protocol";
import {
  addChainOptions,
  addExamples,
  connect,
  formatTime,
  parseBytes32,
  toCliName,
  type ChainContext,
  type ChainOptions,
} from "../options";

/** `IVerityValidator.Answer` names, by enum value. */
export const ANSWERS = answerNames.map(toCliName);

/** The deployment has no ERC-8004 validator, or a request can't be answered from what the chain holds. */
export class ValidatorUnavailableError extends BaseError {
  override name = "ValidatorUnavailableError";
}

/** `verity validator request|status|update`. */
export function addValidatorCommands(program: Command): void {
  const validator = program
    .command("validator")
    .description("ERC-8004 validation: ask the VerityValidator about a receipt, follow and push its answer");

  addExamples(
    addChainOptions(
      validator
        .command("request")
        .description("ask the VerityValidator (ERC-8004 validationRequest) about an attested receipt, as an agent")
        .argument("<file>", "JSON {receipt, batchId?, proof?} (a node's POST /v1/infer answer with its proof works)")
        .requiredOption("--agent-id <id>", "the ERC-8004 agent id (the key must be its owner or operator)")
        .option("--salt <hex>", "32-byte salt of the request (default: random)"),
    ),
    [
      "VERITY_KEY=0x… verity validator request answer.json --agent-id 0",
      "verity validator request answer.json --agent-id 3 --json",
    ],
    "\nThe request URI is a data: URI holding the receipt, its batch and proof and the salt, so anyone can push updates.",
  ).action(async (file: string, options: ChainOptions & { agentId: string; salt?: string }) => {
    const input = readReceiptReference(file);
    const agentId = parseAgentId(options.agentId);
    const salt = options.salt ? parseBytes32(options.salt, "--salt") : randomBytes32();
    const context = await connect(options, true);
    const { validator: validatorAddress, registry } = validatorAddresses(context);
    const document: ValidationRequestDocument = {
      type: VALIDATION_REQUEST_DOCUMENT_TYPE,
      chainId: context.deployment.chainId,
      validator: validatorAddress,
      agentId,
      receipt: input.receipt,
      batchId: input.batchId,
      proof: input.proof,
      salt,
    };
    const requestHash = getValidationRequestHash({
      chainId: document.chainId,
      validator: validatorAddress,
      agentId,
      receiptHash: getReceiptStructHash(input.receipt),
      batchId: input.batchId,
      salt,
    });
    const transaction = await sendContractCall(
      context.clients,
      requestValidation({
        address: registry,
        validatorAddress,
        agentId,
        requestURI: toValidationRequestUri(document),
        requestHash,
      }),
    );
    context.output.record({ requestHash, agentId, salt, validator: validatorAddress, registry, transaction });
  });

  addExamples(
    addChainOptions(
      validator
        .command("status")
        .description("a request's answer in the Validation Registry, and the answer the chain gives now")
        .argument("<requestHash>"),
    ),
    ["verity validator status 0x…", "verity validator status 0x… --json"],
  ).action(async (hashText: string, options: ChainOptions) => {
    const requestHash = parseBytes32(hashText, "<requestHash>");
    const context = await connect(options, false);
    const status = await readStatus(context, requestHash);
    context.output.record(status);
  });

  addExamples(
    addChainOptions(
      validator
        .command("update")
        .description("push the chain's current answer for a request (permissionless; nothing sent when up to date)")
        .argument("<requestHash>"),
    ),
    ["VERITY_KEY=0x… verity validator update 0x…"],
    "\nExit code 0 when the answer was pushed or was already up to date.",
  ).action(async (hashText: string, options: ChainOptions) => {
    const requestHash = parseBytes32(hashText, "<requestHash>");
    const context = await connect(options, true);
    const { validator: address } = validatorAddresses(context);
    const entry = await findRequest(context, requestHash);
    const document = requireDocument(entry);
    const read = context.clients.publicClient;
    const [pushed, current] = await Promise.all([
      getValidatorAnswer(read, { address, requestHash }),
      getCurrentAnswer(read, { address, ...documentReference(document) }),
    ]);
    if (pushed === current) {
      context.output.record({ requestHash, answer: ANSWERS[pushed], updated: false });
      return;
    }
    const transaction = await sendContractCall(
      context.clients,
      updateValidation({ address, requestHash, ...documentReference(document), salt: document.salt }),
    );
    context.output.record({
      requestHash,
      previous: ANSWERS[pushed],
      answer: ANSWERS[current],
      updated: true,
      transaction,
    });
  });
}

/** The validator and Validation Registry of the deployment (ValidatorUnavailableError when it has none). */
function validatorAddresses(context: ChainContext): { validator: Address; registry: Address } {
  const { verityValidator, validationRegistry } = context.contracts;
  if (!verityValidator || !validationRegistry) {
    throw new ValidatorUnavailableError(
      "this deployment has no ERC-8004 validator (deploy with VERITY_ERC8004_VALIDATION_REGISTRY, or on a local chain)",
    );
  }
  return { validator: verityValidator, registry: validationRegistry };
}

/** The ValidationRequest of `requestHash` addressed to the deployment's validator. */
async function findRequest(context: ChainContext, requestHash: Hex): Promise<ValidationRequestEntry> {
  const { validator, registry } = validatorAddresses(context);
  const [entry] = await getValidationRequests(context.clients.publicClient, {
    registry,
    validator,
    chainId: context.deployment.chainId,
    fromBlock: BigInt(context.deployment.startBlock),
    requestHash,
  });
  if (!entry) throw new ValidatorUnavailableError(`no request ${requestHash} addressed to the validator ${validator}`);
  return entry;
}

function requireDocument(entry: ValidationRequestEntry): ValidationRequestDocument {
  if (!entry.document) {
    throw new ValidatorUnavailableError(`request ${entry.requestHash} can't be answered: ${entry.problem}`);
  }
  return entry.document;
}

function documentReference(document: ValidationRequestDocument) {
  return { receipt: document.receipt, batchId: document.batchId, proof: document.proof };
}

/** What `verity validator status` prints. */
async function readStatus(context: ChainContext, requestHash: Hex): Promise<Record<string, unknown>> {
  const { validator: address, registry } = validatorAddresses(context);
  const read = context.clients.publicClient;
  let status;
  try {
    status = await getValidationStatus(read, { address: registry, requestHash });
  } catch (cause) {
    throw new ValidatorUnavailableError(`the Validation Registry holds no request ${requestHash}`, { cause });
  }
  const ours = status.validatorAddress.toLowerCase() === address.toLowerCase();
  const result: Record<string, unknown> = {
    requestHash,
    validator: status.validatorAddress,
    agentId: status.agentId,
    response: status.response,
    tag: status.tag,
    lastUpdate: formatTime(status.lastUpdate),
  };
  if (!ours) return { ...result, note: "the request names another validator" };
  const entry = await findRequest(context, requestHash);
  const pushed = await getValidatorAnswer(read, { address, requestHash });
  result.answer = ANSWERS[pushed];
  if (!entry.document) return { ...result, current: `unanswerable: ${entry.problem}` };
  result.receiptHash = getReceiptStructHash(entry.document.receipt);
  result.batchId = entry.document.batchId === zeroHash ? "(single)" : entry.document.batchId;
  try {
    const current = await getCurrentAnswer(read, { address, ...documentReference(entry.document) });
    result.current = ANSWERS[current];
    result.upToDate = current === pushed;
  } catch (error) {
    result.current = `unanswerable: ${getErrorMessage(error).split("\n")[0]}`;
  }
  return result;
}

interface ReceiptReference {
  receipt: Receipt;
  batchId: Hex;
  proof: Hex[];
}

/** Reads `{receipt, batchId?, proof?}` from a JSON file (ConfigError naming what is wrong). */
function readReceiptReference(file: string): ReceiptReference {
  let raw: { receipt?: unknown; batchId?: unknown; proof?: unknown };
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8")) as typeof raw;
  } catch (cause) {
    throw new ConfigError(`<file>: cannot read receipt file ${file}: ${getErrorMessage(cause)}`);
  }
  let receipt: Receipt;
  try {
    receipt = parseReceipt(raw.receipt);
  } catch (error) {
    const details = (error as BaseError).details;
    throw new ConfigError(`<file>: ${file} has no valid receipt${details ? `: ${details}` : ""}`);
  }
  const batchId =
    raw.batchId === undefined || raw.batchId === null ? zeroHash : parseBytes32(String(raw.batchId), "batchId");
  if (raw.proof !== undefined && !Array.isArray(raw.proof)) throw new ConfigError("<file>: proof must be an array");
  const proof = ((raw.proof as unknown[] | undefined) ?? []).map((item) => parseBytes32(String(item), "proof"));
  return { receipt, batchId, proof };
}

function parseAgentId(value: string): bigint {
  if (!/^(0|[1-9][0-9]*)$/.test(value)) throw new ConfigError(`--agent-id: must be a non-negative integer`);
  return BigInt(value);
}

function randomBytes32(): Hex {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `0x${Buffer.from(bytes).toString("hex")}` as Hex;
}
