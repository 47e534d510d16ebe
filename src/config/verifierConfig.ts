import { z } from "zod";
import { confirmationsSchema } from "./confirmations";
import { LOG_LEVELS, parseConfig } from "./parseConfig";

/** Settings of `verity verifier run`, from flags, then the environment (and `.env`), then defaults. */
export const verifierConfigSchema = z.object({
  rpcUrl: z.string().url("must be an http(s) URL of a JSON-RPC node"),
  deployment: z.string().min(1, "must name a deployment file"),
  db: z.string().min(1),
  contentDir: z.string().min(1).optional(),
  modelsDir: z.string().min(1),
  auditShare: z.coerce.number().min(0, "must be within [0, 1]").max(1, "must be within [0, 1]"),
  confirmations: confirmationsSchema,
  intervalMs: z.coerce.number().int().min(100, "must be at least 100 ms"),
  maxBlockRange: z.coerce.number().int().positive(),
  challenge: z.boolean(),
  once: z.boolean(),
  logLevel: z.enum(LOG_LEVELS),
});

export type VerifierConfig = z.infer<typeof verifierConfigSchema>;

/** Validates the merged settings of `verity verifier run`. */
export function parseVerifierConfig(raw: Record<string, unknown>): VerifierConfig {
  return parseConfig("verifier", verifierConfigSchema, raw);
}
