import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The node's Prometheus metrics, in a registry of its own (several nodes may share a process in tests). */
export interface NodeMetrics {
  registry: Registry;
  inferences: Counter<"model" | "source">;
  inferenceSeconds: Histogram<"model">;
  dishonestOutputs: Counter<"model">;
  receiptsForwarded: Counter;
  forwardFailures: Counter;
  batchesSigned: Counter;
  batchesReleased: Counter;
  routerAnswered: Counter;
  routerSkipped: Counter;
  outboxSize: Gauge;
}

/** Creates the `verity_node_*` metrics; `outboxSize` is read when scraped. */
export function createNodeMetrics(outboxSize: () => number): NodeMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    inferences: new Counter({
      name: "verity_node_inferences_total",
      help: "Inferences run and signed, by model and source (api or router).",
      labelNames: ["model", "source"],
      registers,
    }),
    inferenceSeconds: new Histogram({
      name: "verity_node_inference_seconds",
      help: "Time to run a model on one input.",
      labelNames: ["model"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    dishonestOutputs: new Counter({
      name: "verity_node_dishonest_outputs_total",
      help: "Outputs corrupted on purpose (--dishonest test mode).",
      labelNames: ["model"],
      registers,
    }),
    receiptsForwarded: new Counter({
      name: "verity_node_receipts_forwarded_total",
      help: "Receipts the keeper acknowledged.",
      registers,
    }),
    forwardFailures: new Counter({
      name: "verity_node_forward_failures_total",
      help: "Failed attempts to push the outbox to the keeper.",
      registers,
    }),
    batchesSigned: new Counter({
      name: "verity_node_batches_signed_total",
      help: "Receipt batches signed (repeats of an already signed batch not counted).",
      registers,
    }),
    batchesReleased: new Counter({
      name: "verity_node_batches_released_total",
      help: "Signed batches released at the keeper's request (never submitted; receipts freed for another batch).",
      registers,
    }),
    routerAnswered: new Counter({
      name: "verity_node_router_assignments_answered_total",
      help: "On-chain request assignments answered with a signed receipt.",
      registers,
    }),
    routerSkipped: new Counter({
      name: "verity_node_router_assignments_skipped_total",
      help: "On-chain request assignments skipped (input unavailable or wrong, model not served, no longer open).",
      registers,
    }),
    outboxSize: new Gauge({
      name: "verity_node_outbox_size",
      help: "Signed receipts not yet acknowledged by the keeper.",
      registers,
      collect() {
        this.set(outboxSize());
      },
    }),
  };
}
