import type { Address, Hex, PublicClient } from "viem";
import type { Logger } from "pino";
import { getCurrentAnswer } from "../chain/actions/getCurrentAnswer";
import { getValidationRequests } from "../chain/actions/getValidationRequests";
import { getValidatorAnswer } from "../chain/actions/getValidatorAnswer";
import { updateValidation } from "../chain/actions/updateValidation";
import { Answer, answerNames } from "../chain/enums.generated";
import { TransactionRevertedError } from "../chain/errors";
import { getBatchId, getErrorMessage, getReceiptStructHash, type ValidationRequestDocument } from "../protocol";
import type { KeeperStore } from "./KeeperStore";
import type { KeeperMetrics } from "./metrics";
import type { TxSender } from "./TxSender";

export interface ValidatorWorkerOptions {
  store: KeeperStore;
  publicClient: PublicClient;
  sender: TxSender;
  /** The VerityValidator. */
  validator: Address;
  /** The ERC-8004 Validation Registry it answers into. */
  registry: Address;
  chainId: number;
  /** Where to start reading requests (the deployment's start block). */
  fromBlock: bigint;
  /** Most blocks one read of request logs covers. */
  maxBlockRange: bigint;
  /** Least time between two reads of new requests, and between two looks at a request whose answer did not move. */
  recheckMs: number;
  /** Blocks below the head a request log must be before it is read (reorg safety). */
  confirmations: bigint;
  metrics: KeeperMetrics;
  logger: Logger;
  signal: AbortSignal;
}

interface Watched {
  requestHash: Hex;
  document: ValidationRequestDocument;
}

/**
 * Pushes the VerityValidator's answers for ERC-8004 requests about receipts this keeper attested: it reads the
 * validator's `ValidationRequest` logs (their `requestURI` carries the receipt, batch, proof and salt), keeps the
 * requests whose receipt is in a batch this keeper attested, and calls `update` whenever the chain's answer moves
 * (soft on attestation, final after the window, rejected after a dispute), until the answer is terminal. Every step
 * re-reads the chain first (`answerOf`, `currentAnswer`), so a restart or an update pushed by someone else repeats
 * nothing; the requests are read again from the start block after a restart.
 */
export class ValidatorWorker {
  private nextBlock: bigint;
  /** When the request logs may be read again (at most every `recheckMs`, so the batching loop stays cheap). */
  private nextRead = 0;
  private readonly watched = new Map<Hex, Watched>();
  /** Requests about receipts this keeper holds but has not attested yet: followed once their batch is attested. */
  private readonly pending = new Map<Hex, Watched>();
  private readonly nextLook = new Map<Hex, number>();

  constructor(private readonly o: ValidatorWorkerOptions) {
    this.nextBlock = o.fromBlock;
  }

  /** Reads new requests and pushes every answer that moved; true when a transaction was sent. */
  async step(): Promise<boolean> {
    await this.readRequests();
    for (const request of this.pending.values()) {
      const where = this.whereHeld(request.document);
      if (where !== "queued") this.pending.delete(request.requestHash);
      if (where === "attested") this.follow(request);
    }
    let acted = false;
    const now = Date.now();
    for (const request of this.watched.values()) {
      if (this.o.signal.aborted) break;
      if ((this.nextLook.get(request.requestHash) ?? 0) > now) continue;
      if (await this.push(request)) acted = true;
      else this.nextLook.set(request.requestHash, Date.now() + this.o.recheckMs);
    }
    return acted;
  }

  /** How many requests the worker follows (attested here, answer not terminal yet). */
  get following(): number {
    return this.watched.size;
  }

  private async readRequests(): Promise<void> {
    if (Date.now() < this.nextRead) return;
    this.nextRead = Date.now() + this.o.recheckMs;
    const head = await this.o.publicClient.getBlockNumber({ cacheTime: 0 });
    const confirmed = head - this.o.confirmations;
    while (this.nextBlock <= confirmed) {
      const toBlock =
        confirmed < this.nextBlock + this.o.maxBlockRange - 1n ? confirmed : this.nextBlock + this.o.maxBlockRange - 1n;
      const entries = await getValidationRequests(this.o.publicClient, {
        registry: this.o.registry,
        validator: this.o.validator,
        chainId: this.o.chainId,
        fromBlock: this.nextBlock,
        toBlock,
      });
      for (const entry of entries) {
        if (!entry.document) {
          this.o.logger.debug({ requestHash: entry.requestHash, problem: entry.problem }, "validation request skipped");
          continue;
        }
        const request = { requestHash: entry.requestHash, document: entry.document };
        const where = this.whereHeld(entry.document);
        if (where === "attested") this.follow(request);
        else if (where === "queued") this.pending.set(request.requestHash, request);
      }
      this.nextBlock = toBlock + 1n;
    }
  }

  private follow(request: Watched): void {
    this.watched.set(request.requestHash, request);
    this.o.logger.info({ requestHash: request.requestHash }, "following a validation request about our receipt");
  }

  /**
   * Where this keeper holds the request's receipt: `attested` in a batch it attested under the request's batch id,
   * `queued` while that may still happen (stored, its batch not attested yet), else `elsewhere` (not ours).
   */
  private whereHeld(document: ValidationRequestDocument): "attested" | "queued" | "elsewhere" {
    const stored = this.o.store.receipt(getReceiptStructHash(document.receipt));
    if (!stored) return "elsewhere";
    const batch = stored.batch === null ? undefined : this.o.store.batch(stored.batch);
    if (!batch || batch.state !== "attested") return "queued";
    const batchId = getBatchId({ node: batch.node, root: batch.root });
    return batchId.toLowerCase() === document.batchId.toLowerCase() ? "attested" : "elsewhere";
  }

  /** Pushes the request's answer if it moved; true when a transaction was sent. Drops terminal requests. */
  private async push(request: Watched): Promise<boolean> {
    const { document, requestHash } = request;
    const reference = { receipt: document.receipt, batchId: document.batchId, proof: document.proof };
    const address = this.o.validator;
    let current: Answer;
    try {
      current = (await getCurrentAnswer(this.o.publicClient, { address, ...reference })) as Answer;
    } catch (error) {
      // Not attested where the request says (a wrong proof or batch in the document): nothing will ever answer it.
      this.o.logger.warn({ requestHash, err: getErrorMessage(error) }, "validation request unanswerable; dropped");
      this.watched.delete(requestHash);
      return false;
    }
    const pushed = await getValidatorAnswer(this.o.publicClient, { address, requestHash });
    if (pushed !== current) {
      try {
        const receipt = await this.o.sender.send(
          updateValidation({ address, requestHash, ...reference, salt: document.salt }),
          this.o.signal,
        );
        this.o.metrics.counts.transactions++;
        if (receipt.status !== "success") {
          throw new TransactionRevertedError("update", undefined, undefined, receipt.transactionHash);
        }
        this.o.metrics.counts.validatorUpdates++;
        this.o.logger.info({ requestHash, answer: answerNames[current] }, "validator answer pushed");
      } catch (error) {
        // Someone pushed the same answer first: nothing left to do for now.
        if (error instanceof TransactionRevertedError && error.errorName === "ValidatorAnswerUnchanged") return false;
        throw error;
      }
    }
    if (current === Answer.Final || current === Answer.Rejected) this.watched.delete(requestHash);
    return pushed !== current;
  }
}
