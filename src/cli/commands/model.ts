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
import {
  KNOWN_RUNTIMES as RUNTIMES,
  RegistrationRefusedError,
  getOnchainRuntimeId,
  prepareModelRegistration,
  type TensorSpec,
} from "../../runtime";
import { INTEGER_V2_MAGIC, getModelCommitmentV2, parseIntegerModelV2 } from "../../runtime/integerV2";
import { findManifestEntry as findRegisteredManifestEntry } from "../validateRequestInput";
import {
  KEY_HELP,
  addChainOptions,
  toCliName,
  addExamples,
  connect,
  formatTime,
  parseBytes32,
  parseInteger,
  type ChainContext,
  type ChainOptions,
} from "../options";
import { addModelCompileCommand } from "../modelCompileCommand";

/** On-chain `VerificationMode` names, by enum value. */
export const VERIFICATION_MODES = verificationModeNames.map(toCliName);
const MODEL_STATUSES = modelStatusNames.map(toCliName);
/** Runtimes this repository knows, so tables can name them. */
const KNOWN_RUNTIMES = RUNTIMES.map((r) => r.name);

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
  const model = program
    .command("model")
    .description("register and inspect models in the ModelRegistry; compile ONNX models to verity-int8-v2");

  const register = addChainOptions(
    model
      .command("register")
      .description(
        "register a model artifact; its id is keccak256 of the artifact bytes (a verity-int8-v2 model: its commitment)",
      )
      .argument("<artifact>", "the model file (e.g. models/iris-int8.vmodel)")
      .option("--runtime <name>", "runtime name, hashed on chain (default: from the manifest next to the artifact)")
      .addOption(
        new Option("--mode <mode>", "verification mode (default: from the manifest)").choices(["exact", "tolerance"]),
      )
      .option("--tolerance <value>", "absolute tolerance per output value, decimal (e.g. 0.0001); tolerance mode only")
      .option(
        "--metadata-uri <uri>",
        "where the model is described (default: an ONNX model's signature document address, else file://<artifact>)",
      )
      .option(
        "--max-dim <name=max...>",
        "largest value of a dynamic ONNX input dimension, by dim_param (or <input>:<axis>); repeat per dimension",
      )
      .option("--max-input-bytes <n>", "largest canonical input encoding an ONNX model accepts (default 1048576)")
      .option("--allow-unknown-runtime", "register under a runtime this repository can't run (nothing is checked)")
      .option("--signature-dir <dir>", "write an ONNX model's signature document there as <CID>.json (for nodes)")
      .option("--weights-root <bytes32>", "commitment to the weights (default: the model id)")
      .option("--previous <modelId>", "the model this one supersedes"),
  );
  addExamples(
    register,
    [
      "verity model register models/iris-int8.vmodel",
      "verity model register my.vmodel2 --runtime verity-int8-v2 --mode exact",
      "verity model register my.onnx --runtime onnxruntime-cpu-f32-v1 --mode tolerance --tolerance 0.0001 \\\n" +
        "      --max-dim batch=32 --json",
    ],
    KEY_HELP,
  ).action(async (artifact: string, options: ChainOptions & RegisterOptions) => {
    const { registration, bytes, runtime, mode } = buildRegistration(artifact, options);
    // Everything that can be refused is refused here, before any transaction.
    let prepared;
    try {
      prepared = await prepareModelRegistration({
        artifact: bytes,
        runtime,
        mode,
        allowUnknownRuntime: options.allowUnknownRuntime === true,
        maxDims: parseMaxDims(options.maxDim ?? []),
        ...(options.maxInputBytes === undefined
          ? {}
          : { maxInputBytes: parseInteger(options.maxInputBytes, "--max-input-bytes", 1, 0xffffffff) }),
      });
    } catch (error) {
      if (error instanceof RegistrationRefusedError) throw new ConfigError(`<artifact>: ${error.message}`);
      throw error;
    }
    let signatureFile: string | undefined;
    if (prepared.signature) {
      // The document is addressed by its content; the metadata URI names that address unless told otherwise.
      if (options.metadataUri === undefined) registration.metadataURI = prepared.signature.uri;
      if (options.signatureDir !== undefined) {
        signatureFile = path.join(options.signatureDir, `${prepared.signature.uri.slice("ipfs://".length)}.json`);
        fs.writeFileSync(signatureFile, prepared.signature.text);
      }
    }
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
      ...(prepared.signature
        ? {
            inputs: prepared.signature.document.inputs.map(describeSpec).join(context.output.json ? ", " : "\n"),
            outputs: prepared.signature.document.outputs.map(describeSpec).join(context.output.json ? ", " : "\n"),
            signature: prepared.signature.uri,
            ...(signatureFile ? { signatureFile } : {}),
          }
        : {}),
      checked: prepared.checked,
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

  addModelCompileCommand(model);
}

interface RegisterOptions {
  runtime?: string;
  mode?: "exact" | "tolerance";
  tolerance?: string;
  metadataUri?: string;
  weightsRoot?: string;
  previous?: string;
  maxDim?: string[];
  maxInputBytes?: string;
  allowUnknownRuntime?: boolean;
  signatureDir?: string;
}

/** `--max-dim N=64 --max-dim x:0=8` as `{ N: 64, "x:0": 8 }`. */
function parseMaxDims(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const value of values) {
    const match = /^(.+)=(\d+)$/.exec(value);
    if (!match) throw new ConfigError(`--max-dim: expected <name>=<max>, got "${value}"`);
    out[match[1]!] = parseInteger(match[2]!, `--max-dim ${match[1]}`, 1, 0xffffffff);
  }
  return out;
}

/** `name: dtype [dims]` with dynamic dimensions as `name≤max`. */
function describeSpec(spec: TensorSpec): string {
  const dims = spec.shape.map((d) =>
    typeof d === "number" ? d : d.max === undefined ? d.param : `${d.param}≤${d.max}`,
  );
  return `${spec.name}: ${spec.dtype} [${dims.join(",")}]`;
}

/** Builds the `ModelRegistration` from the artifact, the flags and the manifest next to the artifact. */
function buildRegistration(artifact: string, options: RegisterOptions) {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(artifact));
  } catch (cause) {
    throw new ConfigError(`<artifact>: cannot read ${artifact}: ${getErrorMessage(cause)}`);
  }
  const id = getArtifactModelId(bytes);
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
  const registration = {
    id,
    runtimeId: getOnchainRuntimeId(runtime),
    mode: VERIFICATION_MODES.indexOf(mode),
    tolerance,
    weightsRoot: options.weightsRoot ? parseBytes32(options.weightsRoot, "--weights-root") : id,
    previous: options.previous ? parseBytes32(options.previous, "--previous") : zeroHash,
    metadataURI: options.metadataUri ?? `file://${path.basename(artifact)}`,
  };
  return { registration, bytes, runtime, mode };
}

/**
 * The id a model registers under: a runtime-v2 artifact ("VIN2") its model commitment (what the runtime, the node and
 * the fraud game check), any other artifact keccak256 of its bytes. A malformed v2 artifact falls back to keccak256 and
 * is refused by the runtime check before any transaction.
 */
export function getArtifactModelId(bytes: Uint8Array): Hex {
  if (INTEGER_V2_MAGIC.every((byte, i) => bytes[i] === byte)) {
    try {
      return getModelCommitmentV2(parseIntegerModelV2(bytes)).modelId;
    } catch {
      return getModelId(bytes);
    }
  }
  return getModelId(bytes);
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
