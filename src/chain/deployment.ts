import fs from "node:fs";
import { z } from "zod";
import { BaseError } from "../protocol";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address");

/** The schema of `deployments/<network>.json`, written by `deploy/` and read by every off-chain component. */
export const deploymentRecordSchema = z.object({
  network: z.string().min(1),
  chainId: z.number().int().positive(),
  /** The block before the first deployment transaction: where indexers start reading events. */
  startBlock: z.number().int().nonnegative(),
  contracts: z.record(z.string(), address),
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
    throw new DeploymentFileError(`cannot read deployment file ${file}: ${(cause as Error).message}`);
  }
  const parsed = deploymentRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
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
