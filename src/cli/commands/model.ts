import fs from "node:fs";
import path from "node:path";
import { Option, type Command } from "commander";
import { formatUnits, parseUnits, zeroHash, type Hex } from "viem";
import { getModel } from "../../chain/actions/getModel";
import { getModelRegisteredEvents } from "../../chain/actions/getModelRegisteredEvents";
import { getSuccessor } from "../../chain/actions/getSuccessor";
import { registerModel } from "../../chain/actions/registerModel";
import { ModelStatus, modelStatusNames, verificationModeNames } from "../../chain/enums.generated";
import { decodeRevert, TransactionRevertedError } from "../../chain/errors";
import { sendContractCall } from "../../chain/sendContractCall";
import { ConfigError } from "../../config/ConfigError";
import type { ModelManifest, ModelManifestEntry } from "../../models";
import { BaseError, getErrorMessage, getModelId } from "../../protocol";
import { getOnchainRuntimeId } from "../../runtime";
import { findManifestEntry as findRegisteredManifestEntry } from "../validateRequestInput";
import {
  KEY_HELP,
  addChainOptions,
  toCliName,
  addExamples,
  connect,
  formatTime,
  parseBytes32,
  type ChainContext,
  type ChainOptions,
} from "../options";

/** On-chain `VerificationMode` names, by enum value. */
export const VERIFICATION_MODES = verificationModeNames.map(toCliName);
const MODEL_STATUSES = modelStatusNames.map(toCliName);
/** Runtimes this repository knows, so tables can name them. */
const KNOWN_RUNTIMES = ["verity-int8-v1", "onnxruntime-cpu-f32-v1"];

/** The name of a runtime id when it is one of ours, else the id. */
export function describeRuntime(runtimeId: Hex): string {
  return KNOWN_RUNTIMES.find((name) => getOnchainRuntimeId(name) === runtimeId) ?? runtimeId;
}

/** A tolerance in 18-decimal fixed point shown as a decimal (`0.0001`). */
function formatTolerance(tolerance: bigint): string {
  return formatUnits(tolerance, 18);
}

/** `verity model register|list|show`. */
export function addModelCommands(program: Command): void {
  const model = program.command("model").description("register and inspect models in the ModelRegistry");

  const register = addChainOptions(
    model
      .command("register")
      .description("register a model artifact; its id is keccak256 of the artifact bytes")
      .argument("<artifact>", "the model file (e.g. models/iris-int8.vmodel)")
      .option("--runtime <name>", "runtime name, hashed on chain (default: from the manifest next to the artifact)")
      .addOption(
        new Option("--mode <mode>", "verification mode (default: from the manifest)").choices(["exact", "tolerance"]),
      )
      .option("--tolerance <value>", "absolute tolerance per output value, decimal (e.g. 0.0001); tolerance mode only")
      .option("--metadata-uri <uri>", "where the model is described (default: file://<artifact>)")
      .option("--weights-root <bytes32>", "commitment to the weights (default: the model id)")
      .option("--previous <modelId>", "the model this one supersedes"),
  );
  addExamples(
    register,
    [
      "verity model register models/iris-int8.vmodel",
      "verity model register my.onnx --runtime onnxruntime-cpu-f32-v1 --mode tolerance --tolerance 0.0001 \\\n" +
        "      --metadata-uri ipfs://bafy... --json",
    ],
    KEY_HELP,
  ).action(async (artifact: string, options: ChainOptions & RegisterOptions) => {
    const registration = buildRegistration(artifact, options);
    const context = await connect(options, true);
    context.output.progress(`registering model ${registration.id}`);
    const hash = await sendContractCall(
      context.clients,
      registerModel({ address: context.contracts.modelRegistry, registration }),
    );
    context.output.record({
      modelId: registration.id,
      runtime: options.runtime ?? describeRuntime(registration.runtimeId),
      mode: VERIFICATION_MODES[registration.mode],
      tolerance: formatTolerance(registration.tolerance),
      metadataURI: registration.metadataURI,
      transaction: hash,
    });
  });

  addExamples(
    addChainOptions(model.command("list").description("list registered models (from ModelRegistered events)")),
    ["verity model list", "verity model list --json"],
  ).action(async (options: ChainOptions) => {
    const context = await connect(options, false);
    const events = await getModelRegisteredEvents(context.clients.publicClient, {
      address: context.contracts.modelRegistry,
      fromBlock: BigInt(context.deployment.startBlock),
    });
    const rows = [];
    for (const event of events) rows.push(await describeModel(context, event.args.id));
    context.output.table(rows, ["modelId", "name", "status", "runtime", "mode", "tolerance", "owner", "metadataURI"]);
  });

  addExamples(
    addChainOptions(
      model.command("show").description("show one model").argument("<modelId>", "the model id (bytes32)"),
    ),
    ["verity model show 0x874fc54a5fd79d742fcaea9492a8971bd6b4bfbc0bb54ec647fa30052be31baa"],
  ).action(async (id: string, options: ChainOptions) => {
    const modelId = parseBytes32(id, "<modelId>");
    const context = await connect(options, false);
    context.output.record(await describeModel(context, modelId));
  });
}

interface RegisterOptions {
  runtime?: string;
  mode?: "exact" | "tolerance";
  tolerance?: string;
  metadataUri?: string;
  weightsRoot?: string;
  previous?: string;
}

/** Builds the `ModelRegistration` from the artifact, the flags and the manifest next to the artifact. */
function buildRegistration(artifact: string, options: RegisterOptions) {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(artifact));
  } catch (cause) {
    throw new ConfigError(`<artifact>: cannot read ${artifact}: ${getErrorMessage(cause)}`);
  }
  const id = getModelId(bytes);
  const entry = findManifestEntry(path.dirname(artifact), id);
  const runtime = options.runtime ?? entry?.runtimeId;
  if (!runtime) throw new ConfigError("--runtime: required (the artifact is not in a manifest.json next to it)");
  const mode = options.mode ?? (entry?.verificationMode.toLowerCase() as "exact" | "tolerance" | undefined);
  if (!mode) throw new ConfigError("--mode: required (the artifact is not in a manifest.json next to it)");
  let tolerance: bigint;
  if (options.tolerance !== undefined) {
    if (!/^\d+(\.\d{1,18})?$/.test(options.tolerance)) {
      throw new ConfigError(
        `--tolerance: must be a decimal number with at most 18 decimals, got "${options.tolerance}"`,
      );
    }
    tolerance = parseUnits(options.tolerance, 18);
  } else {
    tolerance = entry && mode === entry.verificationMode.toLowerCase() ? BigInt(entry.tolerance) : 0n;
  }
  if (mode === "exact" && tolerance !== 0n) throw new ConfigError("--tolerance: exact mode takes no tolerance");
  if (mode === "tolerance" && tolerance === 0n) throw new ConfigError("--tolerance: tolerance mode needs a tolerance");
  return {
    id,
    runtimeId: getOnchainRuntimeId(runtime),
    mode: VERIFICATION_MODES.indexOf(mode),
    tolerance,
    weightsRoot: options.weightsRoot ? parseBytes32(options.weightsRoot, "--weights-root") : id,
    previous: options.previous ? parseBytes32(options.previous, "--previous") : zeroHash,
    metadataURI: options.metadataUri ?? `file://${path.basename(artifact)}`,
  };
}

function findManifestEntry(directory: string, modelId: Hex): ModelManifestEntry | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(directory, "manifest.json"), "utf8")) as ModelManifest;
    return manifest.models.find((entry) => entry.modelId.toLowerCase() === modelId);
  } catch {
    return undefined;
  }
}

/** One model as a row: status, runtime, policy, owner, registration time and successor. */
async function describeModel(context: ChainContext, id: Hex): Promise<Record<string, unknown>> {
  const address = context.contracts.modelRegistry;
  const read = context.clients.publicClient;
  let model;
  try {
    model = await getModel(read, { address, id });
  } catch (error) {
    const reverted = decodeRevert(error, "getModel");
    if (reverted instanceof TransactionRevertedError && reverted.errorName === "ModelRegistryUnknownModel") {
      throw new BaseError(`no model ${id} is registered`);
    }
    throw error;
  }
  if (model.status === ModelStatus.None) throw new BaseError(`no model ${id} is registered`);
  const successor = await getSuccessor(read, { address, id });
  return {
    modelId: id,
    name: findRegisteredManifestEntry(model.metadataURI, id)?.name ?? "",
    status: MODEL_STATUSES[model.status],
    runtime: describeRuntime(model.runtimeId),
    mode: VERIFICATION_MODES[model.mode],
    tolerance: formatTolerance(model.tolerance),
    owner: model.owner,
    registeredAt: formatTime(model.registeredAt),
    weightsRoot: model.weightsRoot,
    previous: model.previous === zeroHash ? "" : model.previous,
    successor: successor === zeroHash ? "" : successor,
    metadataURI: model.metadataURI,
  };
}
