import { z } from "zod";
import { checkBatchTokenExposure } from "./checkBatchTokenExposure";
import { confirmationsSchema } from "./confirmations";
import { LOG_LEVELS, parseConfig } from "./parseConfig";

/**
 * Settings of `verity node serve`, from flags, then the environment (and `.env`), then defaults. A node listening
 * beyond loopback must have a batch token (else anyone who reaches it could have it sign batches).
 */
export const nodeConfigSchema = z
  .object({
    rpcUrl: z.string().url("must be an http(s) URL of a JSON-RPC node"),
    deployment: z.string().min(1, "must name a deployment file"),
    operator: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be the operator's 0x-prefixed 20-byte address"),
    db: z.string().min(1),
    modelsDir: z.string().min(1),
    host: z.string().min(1),
    port: z.coerce.number().int().min(0, "must be a TCP port (0 picks a free one)").max(65_535, "must be a TCP port"),
    keeperUrl: z.string().url("must be the keeper's http(s) URL").optional(),
    batchToken: z.string().optional(),
    confirmations: confirmationsSchema,
    dishonestShare: z.coerce.number().min(0, "must be within [0, 1]").max(1, "must be within [0, 1]"),
    pollingIntervalMs: z.coerce.number().int().min(50, "must be at least 50 ms"),
    watchRouter: z.boolean(),
    logLevel: z.enum(LOG_LEVELS),
  })
  .superRefine((config, context) => {
    const problem = checkBatchTokenExposure(config.host, config.batchToken);
    if (problem) context.addIssue({ code: z.ZodIssueCode.custom, path: ["batchToken"], message: problem });
  });

export type NodeConfig = z.infer<typeof nodeConfigSchema>;

/** Validates the merged settings of `verity node serve`. */
export function parseNodeConfig(raw: Record<string, unknown>): NodeConfig {
  return parseConfig("node", nodeConfigSchema, raw);
}
