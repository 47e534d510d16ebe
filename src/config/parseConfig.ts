import type { z } from "zod";
import { ConfigError } from "./ConfigError";

/** Log levels every service accepts (pino's). */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * Validates a service's merged settings (flags, then environment and `.env`, then defaults) once, at the edge; the
 * `ConfigError` names every bad setting, e.g. `invalid keeper configuration: port: must be ...`.
 */
export function parseConfig<schema extends z.ZodTypeAny>(
  service: string,
  schema: schema,
  raw: Record<string, unknown>,
): z.infer<schema> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new ConfigError(`invalid ${service} configuration: ${problems}`);
  }
  return parsed.data;
}
