import fs from "node:fs";
import path from "node:path";
import { keccak256, type Hex } from "viem";
import {
  getOnchainRuntimeId,
  parseModelSignature,
  type LoadedModel,
  type ModelSignature,
  type Runtime,
} from "../runtime";
import {
  createIntegerRuntimeV2,
  getModelCommitmentV2,
  INTEGER_V2_RUNTIME_ID,
  parseIntegerModelV2,
  type IntegerModelV2,
  type ModelCommitmentV2,
} from "../runtime/integerV2";
import type { ModelManifest } from "../models";
import { UnknownModelError } from "./errors";

const V2_RUNTIME = getOnchainRuntimeId(INTEGER_V2_RUNTIME_ID);

/**
 * The models this verifier can replay: artifacts listed in the `manifest.json` of each directory, loaded on first use
 * into the runtime the chain names for the model, and kept loaded.
 */
export class ModelCatalog {
  private readonly runtimes = new Map<string, Runtime>();
  private readonly artifacts = new Map<string, string>();
  /** Signature-document addresses the manifests name, by model id. */
  private readonly signatureUris = new Map<string, string>();
  private readonly directories: readonly string[];
  private readonly signatures = new Map<string, ModelSignature>();
  private readonly loaded = new Map<string, Promise<LoadedModel>>();

  constructor(runtimes: readonly Runtime[], modelDirectories: readonly string[]) {
    for (const runtime of runtimes) this.runtimes.set(getOnchainRuntimeId(runtime.runtimeId), runtime);
    this.directories = modelDirectories;
    for (const directory of modelDirectories) {
      const manifest = JSON.parse(fs.readFileSync(path.join(directory, "manifest.json"), "utf8")) as ModelManifest;
      for (const entry of manifest.models) {
        this.artifacts.set(entry.modelId.toLowerCase(), path.join(directory, entry.file));
        if (entry.signature !== undefined) this.signatureUris.set(entry.modelId.toLowerCase(), entry.signature);
      }
    }
  }

  /** True when an artifact for `modelId` is known here. */
  has(modelId: Hex): boolean {
    return this.artifacts.has(modelId.toLowerCase());
  }

  /**
   * The loaded model for `modelId`, replayed by the runtime registered on chain as `onchainRuntimeId`. Throws
   * {@link UnknownModelError} when the artifact or the runtime is not available here, or the artifact's bytes don't
   * hash to the model id.
   */
  load(modelId: Hex, onchainRuntimeId: Hex): Promise<LoadedModel> {
    const key = `${modelId.toLowerCase()}/${onchainRuntimeId.toLowerCase()}`;
    let model = this.loaded.get(key);
    if (!model) {
      model = this.loadUncached(modelId, onchainRuntimeId);
      this.loaded.set(key, model);
      model.catch(() => this.loaded.delete(key));
    }
    return model;
  }

  /**
   * The signature document a replay's inputs are checked against (docs/runtime.md § Model signatures): the one the
   * model's on-chain `metadataURI` addresses when it is `ipfs://…` (what registration records), else the one its
   * manifest entry names; found as `<CID>.json` in this catalog's directories and checked against its address.
   * Undefined for a model without one (the bundled integer models: their runtimes check their one input). Throws
   * {@link UnknownModelError} when the document is not here or does not hash to its address.
   */
  loadSignature(modelId: Hex, metadataURI?: string): ModelSignature | undefined {
    const uri = metadataURI?.startsWith("ipfs://") ? metadataURI : this.signatureUris.get(modelId.toLowerCase());
    if (uri === undefined) return undefined;
    const cached = this.signatures.get(uri);
    if (cached) return cached;
    const name = `${uri.slice("ipfs://".length)}.json`;
    const artifact = this.artifacts.get(modelId.toLowerCase());
    const candidates = [...(artifact ? [path.dirname(artifact)] : []), ...this.directories].map((d) =>
      path.join(d, name),
    );
    const file = candidates.find((candidate) => fs.existsSync(candidate));
    if (file === undefined) {
      throw new UnknownModelError("The model's signature document is not here.", {
        details: `${uri} for ${modelId} (looked for ${name} in ${[...new Set(candidates.map(path.dirname))].join(", ")})`,
      });
    }
    let signature: ModelSignature;
    try {
      signature = parseModelSignature(fs.readFileSync(file, "utf8"), uri);
    } catch (cause) {
      throw new UnknownModelError("The model's signature document is unusable.", { details: `${file}`, cause });
    }
    this.signatures.set(uri, signature);
    return signature;
  }

  /**
   * The runtime-v2 model `modelId` parsed, with its commitment (what a fraud-game challenger proves against). Throws
   * {@link UnknownModelError} when the artifact is not here or does not commit to the id.
   */
  async loadIntegerV2(modelId: Hex): Promise<{ model: IntegerModelV2; commitment: ModelCommitmentV2 }> {
    const file = this.artifacts.get(modelId.toLowerCase());
    if (!file) throw new UnknownModelError("No artifact here for the model.", { details: `model ${modelId}` });
    const model = parseIntegerModelV2(new Uint8Array(await fs.promises.readFile(file)));
    const commitment = getModelCommitmentV2(model);
    if (commitment.modelId !== modelId.toLowerCase()) {
      throw new UnknownModelError("Artifact does not commit to the model id.", { details: `${file} for ${modelId}` });
    }
    return { model, commitment };
  }

  private async loadUncached(modelId: Hex, onchainRuntimeId: Hex): Promise<LoadedModel> {
    if (onchainRuntimeId.toLowerCase() === V2_RUNTIME) {
      // A runtime-v2 model id is the model's commitment, checked by the runtime's load (not keccak256 of the file).
      const file = this.artifacts.get(modelId.toLowerCase());
      if (!file) throw new UnknownModelError("No artifact here for the model.", { details: `model ${modelId}` });
      try {
        return await createIntegerRuntimeV2({ expectedModelId: modelId }).load(
          new Uint8Array(await fs.promises.readFile(file)),
        );
      } catch (cause) {
        throw new UnknownModelError("Artifact does not commit to the model id.", {
          details: `${file} for ${modelId}`,
          cause,
        });
      }
    }
    const runtime = this.runtimes.get(onchainRuntimeId.toLowerCase());
    if (!runtime)
      throw new UnknownModelError("No runtime here for the model.", { details: `runtime ${onchainRuntimeId}` });
    const file = this.artifacts.get(modelId.toLowerCase());
    if (!file) throw new UnknownModelError("No artifact here for the model.", { details: `model ${modelId}` });
    const artifact = new Uint8Array(await fs.promises.readFile(file));
    if (keccak256(artifact) !== modelId.toLowerCase()) {
      throw new UnknownModelError("Artifact does not hash to the model id.", { details: `${file} for ${modelId}` });
    }
    return runtime.load(artifact);
  }
}
