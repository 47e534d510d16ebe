import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The keeper's Prometheus metrics (`verity_keeper_*`) and the same figures as plain numbers for reports. */
export class KeeperMetrics {
  readonly registry = new Registry();
  readonly receiptsAccepted = new Counter({
    name: "verity_keeper_receipts_accepted_total",
    help: "Receipts stored",
    registers: [this.registry],
  });
  readonly receiptsDuplicate = new Counter({
    name: "verity_keeper_receipts_duplicate_total",
    help: "Receipts already stored",
    registers: [this.registry],
  });
  readonly receiptsRejected = new Counter({
    name: "verity_keeper_receipts_rejected_total",
    help: "Receipts refused",
    labelNames: ["error"],
    registers: [this.registry],
  });
  readonly requestsRefused = new Counter({
    name: "verity_keeper_requests_refused_total",
    help: "POST /v1/receipts refused before checking: busy (503) or body too large (413)",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly groupCommits = new Counter({
    name: "verity_keeper_group_commits_total",
    help: "SQLite transactions that stored receipts (each may hold many requests)",
    registers: [this.registry],
  });
  readonly batchesPlanned = new Counter({
    name: "verity_keeper_batches_planned_total",
    help: "Batch plans written",
    registers: [this.registry],
  });
  readonly batchesSubmitted = new Counter({
    name: "verity_keeper_batches_submitted_total",
    help: "submitBatch transactions mined by this keeper",
    registers: [this.registry],
  });
  readonly batchesAttested = new Counter({
    name: "verity_keeper_batches_attested_total",
    help: "Batches seen attested on chain",
    registers: [this.registry],
  });
  readonly receiptsAttested = new Counter({
    name: "verity_keeper_receipts_attested_total",
    help: "Receipts in attested batches",
    registers: [this.registry],
  });
  readonly batchGas = new Histogram({
    name: "verity_keeper_batch_gas_used",
    help: "Gas used by each submitBatch",
    buckets: [60_000, 80_000, 100_000, 150_000, 200_000, 400_000],
    registers: [this.registry],
  });
  readonly routerActions = new Counter({
    name: "verity_keeper_router_actions_total",
    help: "Router transactions",
    labelNames: ["action"],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: "verity_keeper_errors_total",
    help: "Failures by kind",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  readonly queued = new Gauge({
    name: "verity_keeper_receipts_queued",
    help: "Receipts waiting for a batch",
    registers: [this.registry],
  });
  readonly openBatches = new Gauge({
    name: "verity_keeper_batches_open",
    help: "Batches planned but not attested",
    registers: [this.registry],
  });

  /** Plain counters since start, for the demo's report. */
  readonly counts = {
    receiptsAccepted: 0,
    receiptsDuplicate: 0,
    receiptsRejected: 0,
    batchesSubmitted: 0,
    batchesAttested: 0,
    receiptsAttested: 0,
    transactions: 0,
    gasUsed: 0n,
    batchGasUsed: [] as bigint[],
    fulfils: 0,
    settlements: 0,
    reassignments: 0,
    refunds: 0,
    /** ERC-8004 answers pushed through the VerityValidator. */
    validatorUpdates: 0,
  };
}
