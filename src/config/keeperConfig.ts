import { z } from "zod";
import { confirmationsSchema } from "./confirmations";
import { LOG_LEVELS, parseConfig } from "./parseConfig";

const nodeEndpoint = z.string().regex(/^0x[0-9a-fA-F]{40}=https?:\/\/\S+$/, "must be <operator address>=<http(s) URL>");

/** Settings of `verity keeper run`, from flags, then the environment (and `.env`), then defaults. */
export const keeperConfigSchema = z.object({
  rpcUrl: z.string().url("must be an http(s) URL of a JSON-RPC node"),
  deployment: z.string().min(1, "must name a deployment file"),
  db: z.string().min(1),
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65_535),
  maxBatchSize: z.coerce.number().int().min(1).max(65_536),
  maxBatchAgeMs: z.coerce.number().int().min(10, "must be at least 10 ms"),
  intervalMs: z.coerce.number().int().min(10, "must be at least 10 ms"),
  replaceAfterMs: z.coerce.number().int().min(1_000, "must be at least 1,000 ms"),
  confirmations: confirmationsSchema,
  nodes: z.array(nodeEndpoint).default([]),
  batchToken: z.string().optional(),
  settle: z.boolean(),
  /** Push the VerityValidator's ERC-8004 answers for requests about receipts this keeper attested. */
  validatorUpdates: z.boolean().default(true),
  sweepJails: z.boolean().default(true),
  logLevel: z.enum(LOG_LEVELS),
});

export type KeeperConfig = z.infer<typeof keeperConfigSchema>;

/** Validates the merged settings of `verity keeper run`. */
export function parseKeeperConfig(raw: Record<string, unknown>): KeeperConfig {
  return parseConfig("keeper", keeperConfigSchema, raw);
}
/** `--node <operator>=<url>` values as a map. */
export function parseNodeEndpoints(values: readonly string[]): Record<`0x${string}`, string> {
  return Object.fromEntries(
    values.map((value) => {
      const at = value.indexOf("=");
      return [value.slice(0, at).toLowerCase(), value.slice(at + 1)];
    }),
  );
}
