import path from "node:path";
import { Worker } from "node:worker_threads";
import type { RecoverJob, RecoverResult } from "./recoverWorker";

interface Slot {
  worker: Worker;
  inFlight: number;
}

/**
 * A pool of worker threads that recover secp256k1 signers (src/keeper/ingest/recoverWorker.ts), so the keeper's
 * event loop keeps parsing, hashing and committing while signatures are checked on other cores. Jobs go to the
 * least-busy worker; a worker that dies is replaced and its jobs fail (the request answers 503 and is retried).
 */
export class SignaturePool {
  private readonly slots: Slot[] = [];
  private readonly waiting = new Map<
    number,
    { slot: Slot; resolve: (r: RecoverResult) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    // Under ts-node (tests, benchmarks) the worker is TypeScript; in the compiled CLI it is JavaScript.
    const typescript = __filename.endsWith(".ts");
    const file = path.join(__dirname, `recoverWorker${typescript ? ".ts" : ".js"}`);
    const worker = new Worker(file, { execArgv: typescript ? ["-r", "ts-node/register/transpile-only"] : [] });
    worker.unref();
    const slot: Slot = { worker, inFlight: 0 };
    worker.on("message", (result: RecoverResult) => {
      const entry = this.waiting.get(result.id);
      if (!entry) return;
      this.waiting.delete(result.id);
      entry.slot.inFlight--;
      entry.resolve(result);
    });
    worker.on("error", (error) => this.replace(slot, error));
    worker.on("exit", (code) => {
      if (!this.closed) this.replace(slot, new Error(`signature worker exited with code ${code}`));
    });
    return slot;
  }

  private replace(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    for (const [id, entry] of this.waiting) {
      if (entry.slot !== slot) continue;
      this.waiting.delete(id);
      entry.reject(error);
    }
    void slot.worker.terminate();
    if (!this.closed) this.slots[index] = this.spawn();
    else this.slots.splice(index, 1);
  }

  /**
   * Recovers the signer of each (digest, signature) pair: `digests` packs 32 bytes per item, `signatures` 65. With
   * `domainSeparator`, `digests` are EIP-712 struct hashes, made digests by the worker. The two buffers are transferred to the worker (the caller must not use them afterwards).
   */
  recover(
    count: number,
    digests: Uint8Array,
    signatures: Uint8Array,
    domainSeparator?: Uint8Array,
  ): Promise<RecoverResult> {
    if (this.closed) return Promise.reject(new Error("signature pool closed"));
    let slot = this.slots[0]!;
    for (const candidate of this.slots) if (candidate.inFlight < slot.inFlight) slot = candidate;
    const id = this.nextId++;
    slot.inFlight++;
    return new Promise<RecoverResult>((resolve, reject) => {
      this.waiting.set(id, { slot, resolve, reject });
      const job: RecoverJob = { id, count, digests, signatures, domainSeparator };
      slot.worker.postMessage(job, [digests.buffer as ArrayBuffer, signatures.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [, entry] of this.waiting) entry.reject(new Error("signature pool closed"));
    this.waiting.clear();
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}
