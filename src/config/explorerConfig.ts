import { z } from "zod";
import { LOG_LEVELS, parseConfig } from "./parseConfig";

/** Settings of `verity explorer`, from flags, then the environment (and `.env`), then defaults. */
export const explorerConfigSchema = z.object({
  rpcUrl: z.string().url("must be an http(s) URL of a JSON-RPC node"),
  deployment: z.string().min(1, "must name a deployment file"),
  db: z.string().min(1),
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65_535),
  contentDir: z.string().min(1).optional(),
  confirmations: z.coerce.number().int().nonnegative(),
  intervalMs: z.coerce.number().int().min(100, "must be at least 100 ms"),
  maxBlockRange: z.coerce.number().int().positive(),
  logLevel: z.enum(LOG_LEVELS),
});

export type ExplorerConfig = z.infer<typeof explorerConfigSchema>;

/** Validates the merged settings of `verity explorer`. */
export function parseExplorerConfig(raw: Record<string, unknown>): ExplorerConfig {
  return parseConfig("explorer", explorerConfigSchema, raw);
}
