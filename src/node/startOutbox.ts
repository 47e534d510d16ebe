import type { Hex } from "viem";
import type { NodeContext } from "./context";
import { createLoop, type Loop } from "../service/createLoop";
import { toReceiptJson } from "./json";
import { getErrorMessage } from "../protocol";

export interface StartOutboxParameters {
  /** The keeper's base URL; receipts go to `POST {keeperUrl}/v1/receipts`. */
  keeperUrl: string;
  /** Pause when the outbox is empty, in milliseconds. */
  intervalMs: number;
  /** Most receipts per request (default 500). */
  chunkSize?: number;
  /** First retry delay after a failure (doubles up to `maxBackoffMs`), in milliseconds (default 250). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Per-request timeout, in milliseconds (default 10 s). */
  timeoutMs?: number;
}

/** The outbox loop and its last failure, for `/health`. */
export interface Outbox extends Loop {
  lastError(): string | undefined;
}

/**
 * Pushes stored receipts the keeper has not acknowledged, oldest first, in chunks. A chunk is marked forwarded only
 * when the keeper answers 200 (it has then made them durable, or already had them); anything else is retried with
 * exponential backoff. A crash between the keeper's 200 and the mark resends the chunk, which the keeper counts as
 * duplicates: no receipt is lost, none is queued twice.
 */
export function startOutbox(context: NodeContext, parameters: StartOutboxParameters): Outbox {
  const url = `${parameters.keeperUrl.replace(/\/+$/, "")}/v1/receipts`;
  const chunkSize = parameters.chunkSize ?? 500;
  const minBackoffMs = parameters.minBackoffMs ?? 250;
  const maxBackoffMs = parameters.maxBackoffMs ?? 30_000;
  let backoffMs = 0;
  let lastError: string | undefined;

  const fail = (message: string, retryAfterMs = 0) => {
    lastError = message;
    backoffMs = Math.min(maxBackoffMs, Math.max(minBackoffMs, backoffMs * 2));
    // A busy keeper says when to come back (503 + Retry-After); never sooner than that, nor than the backoff.
    const delayMs = Math.max(backoffMs, Math.min(retryAfterMs, maxBackoffMs));
    context.metrics.forwardFailures.inc();
    context.logger.warn({ url, retryInMs: delayMs, error: message }, "keeper did not take the receipts; retrying");
    return { delayMs, backoff: true };
  };

  const loop = createLoop(
    async () => {
      const chunk = context.store.getOutbox(chunkSize);
      if (chunk.length === 0) return { delayMs: parameters.intervalMs };
      const body = {
        receipts: chunk.map((r) => ({
          receipt: toReceiptJson(r.receipt),
          signature: r.signature,
          routerRequest: r.source === "router",
        })),
      };
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(parameters.timeoutMs ?? 10_000),
        });
      } catch (error) {
        return fail(getErrorMessage(error));
      }
      const text = await response.text().catch(() => "");
      if (response.status !== 200) {
        return fail(
          `HTTP ${response.status}: ${text.slice(0, 500)}`,
          retryAfterMs(response.headers.get("retry-after")),
        );
      }
      const hashes = chunk.map((r) => r.receiptHash as Hex);
      context.store.markForwarded(hashes);
      context.metrics.receiptsForwarded.inc(hashes.length);
      logAnswer(context, text, hashes.length);
      backoffMs = 0;
      lastError = undefined;
      return { delayMs: chunk.length === chunkSize ? 0 : parameters.intervalMs };
    },
    (error) => context.logger.error({ err: error }, "outbox step failed"),
  );
  return { ...loop, lastError: () => lastError };
}

/** A `Retry-After` header in milliseconds (delay in seconds, or an HTTP date); 0 when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (header === null) return 0;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? 0 : Math.max(0, at - now);
}

function logAnswer(context: NodeContext, text: string, sent: number): void {
  let answer: { accepted?: number; duplicates?: number; rejected?: unknown[] } = {};
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    // The keeper's 200 is what counts; its body is only logged.
  }
  const rejected = Array.isArray(answer.rejected) ? answer.rejected : [];
  if (rejected.length > 0) context.logger.error({ rejected }, "keeper rejected receipts");
  context.logger.debug({ sent, accepted: answer.accepted, duplicates: answer.duplicates }, "receipts forwarded");
}
