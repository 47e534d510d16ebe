import fs from "node:fs";
import path from "node:path";
import type { Address, Hex } from "viem";
import { registerModel } from "../chain/actions/registerModel";
import type { VerityClients } from "../chain/createVerityClients";
import { VerificationMode } from "../chain/enums.generated";
import { sendContractCall } from "../chain/sendContractCall";
import { readModelManifest, type ModelManifestEntry } from "../models";
import { bytesToHex } from "../protocol";
import { getOnchainRuntimeId } from "../runtime";
import { getModelCommitmentV2, INTEGER_V2_RUNTIME_ID, parseIntegerModelV2 } from "../runtime/integerV2";

const ZERO_ID: Hex = `0x${"00".repeat(32)}`;

/** The digits CNN of `models/manifest.json`'s `digits` section: the demo's fraud-provable (runtime v2) model. */
export const DEMO_V2_MODEL_NAME = "digits-cnn-int8";

/** `models/manifest.json` with the digits section, which `ModelManifest` does not describe. */
type ManifestWithDigits = ReturnType<typeof readModelManifest> & {
  digits?: { models?: (Omit<ModelManifestEntry, "tolerance"> & { tolerance?: string })[] };
};

/**
 * Writes the demo's models directory in `workDir`: a `manifest.json` listing the bundled Iris models and the digits
 * CNN v2 (which the bundled manifest keeps in its `digits` section, out of `models`), next to links to the bundled
 * artifacts. The node services and the verifiers load their models from it.
 */
export function prepareDemoModels(modelsDir: string, workDir: string): { dir: string; entries: ModelManifestEntry[] } {
  const manifest = readModelManifest(modelsDir) as ManifestWithDigits;
  const digits = manifest.digits?.models?.find((m) => m.name === DEMO_V2_MODEL_NAME);
  if (!digits) throw new Error(`${modelsDir}/manifest.json has no digits model ${DEMO_V2_MODEL_NAME}`);
  const entries: ModelManifestEntry[] = [...manifest.models, { ...digits, tolerance: digits.tolerance ?? "0" }];
  const dir = path.join(workDir, "models");
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of entries) fs.symlinkSync(path.resolve(modelsDir, entry.file), path.join(dir, entry.file));
  for (const entry of entries) {
    if (!entry.signature) continue;
    const file = `${entry.signature.replace(/^ipfs:\/\//, "")}.json`;
    fs.symlinkSync(path.resolve(modelsDir, file), path.join(dir, file));
  }
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ ...manifest, models: entries }, undefined, 2));
  return { dir, entries };
}

/**
 * Registers a runtime-v2 model EXACT, under its commitment: the id and the weights root the fraud game proves weights
 * against are computed from the artifact, and an id in the manifest that is not the commitment is refused (the
 * nodes' loader would refuse to serve it).
 */
export async function registerIntegerV2Model(
  owner: VerityClients,
  modelRegistry: Address,
  modelsDir: string,
  entry: ModelManifestEntry,
): Promise<Hex> {
  if (entry.runtimeId !== INTEGER_V2_RUNTIME_ID || entry.verificationMode !== "EXACT")
    throw new Error(`${entry.name} is not an EXACT ${INTEGER_V2_RUNTIME_ID} model`);
  const commitment = getModelCommitmentV2(
    parseIntegerModelV2(new Uint8Array(fs.readFileSync(path.join(modelsDir, entry.file)))),
  );
  if (commitment.modelId !== entry.modelId.toLowerCase())
    throw new Error(`${entry.file} commits to ${commitment.modelId}, the manifest says ${entry.modelId}`);
  await sendContractCall(
    owner,
    registerModel({
      address: modelRegistry,
      registration: {
        id: commitment.modelId,
        runtimeId: getOnchainRuntimeId(INTEGER_V2_RUNTIME_ID),
        mode: VerificationMode.EXACT,
        tolerance: 0n,
        weightsRoot: bytesToHex(commitment.weightsRoot),
        previous: ZERO_ID,
        metadataURI: `verity://models/${entry.file}`,
      },
    }),
  );
  return commitment.modelId;
}
