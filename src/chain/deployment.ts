import fs from "node:fs";
import { z } from "zod";
import type { Address } from "viem";
import { BaseError, getErrorMessage } from "../protocol";

/** The deployed contracts by the name `deploy/deployVerity.ts` records them under. */
export const VERITY_CONTRACT_NAMES = [
  "token",
  "modelRegistry",
  "staking",
  "nodeRegistry",
  "attestationRegistry",
  "disputeManager",
  "equivocationSlasher",
  "dataAvailabilityManager",
  "inferenceRouter",
  "oneStepExecutor",
  "fraudGame",
] as const;

/**
 * Contracts a deployment may lack: the ERC-8004 validator and the registries it answers into (see
 * `DeployVerityOptions.validationRegistry`; `identityRegistry` only where test ERC-8004 registries were deployed).
 */
export const OPTIONAL_CONTRACT_NAMES = ["verityValidator", "validationRegistry", "identityRegistry"] as const;

/** The name of one deployed contract. */
export type VerityContractName = (typeof VERITY_CONTRACT_NAMES)[number];

/** The name of a contract a deployment may lack. */
export type OptionalContractName = (typeof OPTIONAL_CONTRACT_NAMES)[number];

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address")
  .transform((value) => value as Address);

/** The addresses of one deployed system, every contract named (the optional ones when deployed). */
export const verityContractsSchema = z.object({
  ...(Object.fromEntries(VERITY_CONTRACT_NAMES.map((name) => [name, address])) as Record<
    VerityContractName,
    typeof address
  >),
  ...(Object.fromEntries(OPTIONAL_CONTRACT_NAMES.map((name) => [name, address.optional()])) as Record<
    OptionalContractName,
    z.ZodOptional<typeof address>
  >),
});

/** The addresses of one deployed system, by contract name. */
export type VerityContracts = z.infer<typeof verityContractsSchema>;

/** The schema of `deployments/<network>.json`, written by `deploy/` and read by every off-chain component. */
export const deploymentRecordSchema = z.object({
  network: z.string().min(1),
  chainId: z.number().int().positive(),
  /** The block before the first deployment transaction: where indexers start reading events. */
  startBlock: z.number().int().nonnegative(),
  contracts: verityContractsSchema,
  /** The JSON-RPC URL of a local deployment (a dev chain this machine started); absent for public networks. */
  rpcUrl: z.string().url().optional(),
});

/** The addresses of one deployed system, with the chain they live on. */
export type DeploymentRecord = z.infer<typeof deploymentRecordSchema>;

/** Thrown when a deployment file is missing or malformed; the message names the file and the bad field. */
export class DeploymentFileError extends BaseError {
  override name = "DeploymentFileError";
}

/** Reads and validates a deployment file. */
export function readDeploymentFile(file: string): DeploymentRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (cause) {
    throw new DeploymentFileError(`cannot read deployment file ${file}: ${getErrorMessage(cause)}`);
  }
  const parsed = deploymentRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const [group, name] = issue?.path ?? [];
    if (group === "contracts" && issue?.code === "invalid_type" && issue.received === "undefined") {
      throw new DeploymentFileError(`deployment file ${file} has no ${String(name)} address`);
    }
    throw new DeploymentFileError(`deployment file ${file}: ${issue?.path.join(".") || "(root)"} ${issue?.message}`);
  }
  return parsed.data;
}

/** Writes a deployment file atomically (temporary file, then rename), so readers never see half a file. */
export function writeDeploymentFile(file: string, record: DeploymentRecord): void {
  const validated = deploymentRecordSchema.parse(record);
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(validated, null, 2)}\n`);
  fs.renameSync(temporary, file);
}

/**
 * The Ignition journal id of a deployment to a local dev chain (chain id 31337): the chain's genesis timestamp and RPC
 * port, so a restarted `hardhat node` gets a fresh deployment, two nodes started in the same second (parallel tests) get
 * separate journals, and re-runs on one node stay idempotent. Journals live in `ignition/deployments/<id>`.
 */
export function localIgnitionDeploymentId(genesisTimestamp: bigint, port: string): string {
  return `chain-31337-${genesisTimestamp}-${port}`;
}
