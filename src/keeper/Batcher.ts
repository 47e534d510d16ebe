import {
  type Address,
  type Hash,
  type Hex,
  type PublicClient,
  isAddressEqual,
  parseTransaction,
  zeroAddress,
} from "viem";
import type { Logger } from "pino";
import { getBatch } from "../chain/actions/getBatch";
import { getNextSequence } from "../chain/actions/getNextSequence";
import { submitBatch } from "../chain/actions/submitBatch";
import type { ContractCall } from "../chain/contractCall";
import { isNonceUsedError, TransactionRevertedError } from "../chain/errors";
import {
  BaseError,
  type GetVerityDomainParameters,
  buildReceiptBatch,
  getBatchId,
  getReceiptStructHash,
  parseBatchFile,
  recoverBatchSigner,
} from "../protocol";
import { NodeBatchError, PermanentError } from "./errors";
import type { KeeperMetrics } from "./metrics";
import type { KeeperStore, StoredBatch } from "./KeeperStore";
import type { NodeDirectory } from "./NodeDirectory";
import type { BatchFileReader, BatchReleaser, BatchSigner } from "./requestBatchSignature";
import type { SignedTransaction, TxSender } from "./TxSender";

export interface BatcherOptions {
  store: KeeperStore;
  publicClient: PublicClient;
  sender: TxSender;
  directory: NodeDirectory;
  domain: GetVerityDomainParameters;
  attestationRegistry: Address;
  signBatch: BatchSigner;
  /** Asks a node to release a batch it signed outside this keeper's plan (`POST /v1/batches/:id/release`). */
  releaseBatch: BatchReleaser;
  /** Reads a node's batch file (`GET /batches/:id`), to prove which receipts another batch attested. */
  readBatchFile: BatchFileReader;
  /** Blocks below the head a transaction or a state must be before the keeper acts on it (reorg safety). */
  confirmations: bigint;
  metrics: KeeperMetrics;
  logger: Logger;
  maxBatchSize: number;
  maxBatchAgeMs: number;
  /** Whether to broadcast `submitBatch` (false: plan and sign only). */
  submit: boolean;
  signal: AbortSignal;
}

/**
 * Turns each node's queue into batches on chain. A batch moves `planned → signed → submitted → attested`, and
 * `advance` can pick it up in any state after a crash: it first asks the chain whether the node's batch with
 * this root is attested (`getBatch` of `getBatchId(node, root)`) and what sequence the node is at (`nextSequence`),
 * so no step is ever done twice on chain.
 *
 * A batch counts as attested only once its transaction (or the root, when someone else submitted it) is
 * `confirmations` blocks deep; a transaction that a reorganization dropped before that is broadcast again. When the
 * node signed another batch at the planned sequence (someone else reached it), the keeper has it released and signs
 * its own; receipts that another batch of the node attested meanwhile are proven from that batch's file and taken out
 * of the plan, so each receipt is attested exactly once.
 */
export class Batcher {
  constructor(private readonly o: BatcherOptions) {}

  /** Plans a batch for every node whose queue is full or old enough (or any queue when `force`); returns how many. */
  async planDue(force: boolean): Promise<number> {
    const { store, maxBatchSize, maxBatchAgeMs } = this.o;
    const busy = new Set(store.openBatches().map((b) => b.node.toLowerCase()));
    let planned = 0;
    const now = Date.now();
    for (const { node, queued, oldest } of store.queuedNodes(maxBatchSize)) {
      if (busy.has(node.toLowerCase())) continue;
      if (!force && queued < maxBatchSize && now - oldest < maxBatchAgeMs) continue;
      await this.plan(node);
      planned++;
    }
    return planned;
  }

  /** Writes the plan of the next batch of `node`: sequence and members, in one transaction. */
  async plan(node: Address): Promise<StoredBatch> {
    const { store, maxBatchSize } = this.o;
    const members = store.queuedOf(node, maxBatchSize);
    if (members.length === 0) throw new BaseError(`no receipts queued for ${node}`);
    const chainNext = await this.nextSequence(node);
    const last = store.lastSequence(node);
    const sequence = last === null || chainNext > last ? chainNext : last + 1n;
    const { root } = buildReceiptBatch(members.map((m) => m.receipt));
    const id = store.planBatch({ node, sequence, root, members: members.map((m) => m.hash) });
    this.o.metrics.batchesPlanned.inc();
    this.o.logger.debug(
      { batch: id, node, sequence: sequence.toString(), count: members.length, root },
      "batch planned",
    );
    return store.batch(id)!;
  }

  /**
   * Moves one unfinished batch as far as it goes: sign, submit, confirm. Returns whether anything changed (false
   * while it waits for confirmations). Throws on transient failures.
   */
  async advance(id: number): Promise<boolean> {
    let moved = false;
    for (let steps = 0; steps < 8 && !this.o.signal.aborted; steps++) {
      const batch = this.o.store.batch(id)!;
      if (batch.state === "attested" || batch.state === "failed") return moved;
      if (batch.state === "submitted") {
        await this.o.sender.exclusive(() => this.confirm(batch));
      } else {
        const onChain = await this.attestedOnChain(batch);
        if (onChain !== "absent") return moved || onChain === "confirmed";
        if (batch.state === "planned") await this.sign(batch);
        else if (!this.o.submit) return moved;
        else await this.o.sender.exclusive(() => this.submit(batch));
      }
      if (unchanged(batch, this.o.store.batch(id)!)) return moved;
      moved = true;
    }
    return moved;
  }

  /** The block the keeper trusts: `confirmations` below the head. */
  private async confirmedBlock(): Promise<{ head: bigint; confirmed: bigint }> {
    const head = await this.o.publicClient.getBlockNumber({ cacheTime: 0 });
    return { head, confirmed: head > this.o.confirmations ? head - this.o.confirmations : 0n };
  }

  private async nextSequence(node: Address): Promise<bigint> {
    return BigInt(await getNextSequence(this.o.publicClient, { address: this.o.attestationRegistry, node }));
  }

  /**
   * Whether the node's batch with this root is attested on chain: `confirmed` (and recorded) when it is at the
   * confirmed block, `unconfirmed` when only at the latest one (wait), `absent` otherwise. A batch found under another
   * node (never the case with node-keyed ids, checked all the same) is not ours: the plan is failed and its receipts go
   * back to the queue (`confirmed` is returned: nothing more to do for this plan).
   */
  private async attestedOnChain(batch: StoredBatch): Promise<"confirmed" | "unconfirmed" | "absent"> {
    const id = getBatchId({ node: batch.node, root: batch.root });
    const read = (blockNumber?: bigint) =>
      getBatch(this.o.publicClient, { address: this.o.attestationRegistry, id, blockNumber });
    const latest = await read();
    if (latest.node === zeroAddress) return "absent";
    if (!isAddressEqual(latest.node, batch.node)) {
      this.rebatch(batch, `batch ${batch.root} is attested for another node ${latest.node}`);
      return "confirmed";
    }
    if (this.o.confirmations > 0n) {
      const { confirmed } = await this.confirmedBlock();
      if ((await read(confirmed)).node === zeroAddress) return "unconfirmed";
    }
    this.recordAttested(batch, null, null);
    return "confirmed";
  }

  /** Gives up on a plan and sends its receipts back to the queue, to be planned into a new batch. */
  private rebatch(batch: StoredBatch, reason: string) {
    this.o.store.failBatch(batch.id, reason, true);
    this.o.metrics.errors.inc({ kind: "rebatch" });
    this.o.logger.warn({ batch: batch.id, node: batch.node, reason }, "re-batching receipts");
  }

  /**
   * Gives up on a plan that failed permanently `attempts` times (a PermanentError is never retried forever): its
   * receipts go back to the queue. Returns whether it did.
   */
  giveUp(id: number, error: unknown, attempts: number, maxAttempts: number): boolean {
    if (attempts < maxAttempts) return false;
    const batch = this.o.store.batch(id);
    if (!batch || batch.state === "attested" || batch.state === "failed" || batch.state === "submitted") return false;
    this.rebatch(batch, `gave up after ${attempts} permanent failures: ${(error as Error).message}`);
    return true;
  }

  private recordAttested(batch: StoredBatch, gasUsed: bigint | null, block: bigint | null) {
    const { store, metrics, logger } = this.o;
    store.markAttested(batch.id, gasUsed, block);
    metrics.batchesAttested.inc();
    metrics.receiptsAttested.inc(batch.count);
    metrics.counts.batchesAttested++;
    metrics.counts.receiptsAttested += batch.count;
    logger.info(
      {
        batch: batch.id,
        node: batch.node,
        sequence: batch.sequence.toString(),
        count: batch.count,
        gasUsed: gasUsed?.toString(),
      },
      "batch attested",
    );
  }

  /** planned → signed: the node builds, stores and signs the batch; the keeper checks all of it. */
  private async sign(batch: StoredBatch): Promise<void> {
    const { store, directory, domain, logger } = this.o;
    const chainNext = await this.nextSequence(batch.node);
    if (chainNext !== batch.sequence) {
      logger.warn(
        { batch: batch.id, planned: batch.sequence.toString(), chain: chainNext.toString() },
        "re-planning sequence",
      );
      store.replan(batch.id, chainNext, `sequence ${batch.sequence} taken; chain expects ${chainNext}`);
      return;
    }
    const members = store.members(batch.id);
    const node = await directory.get(batch.node);
    if (!node.registered) throw new PermanentError(`node ${batch.node} is not registered`);
    let answer;
    try {
      answer = await this.o.signBatch({
        node: batch.node,
        endpoint: node.endpoint,
        sequence: batch.sequence,
        receiptHashes: members.map((m) => m.hash),
      });
    } catch (error) {
      if (error instanceof NodeBatchError && error.status === 409) {
        await this.resolveConflict(batch, node.endpoint, error);
        return;
      }
      if (error instanceof NodeBatchError) store.noteError(batch.id, `${error.message}: ${error.details ?? ""}`);
      throw error;
    }
    const { batch: signed, signature } = answer;
    const problems: string[] = [];
    if (!isAddressEqual(signed.node, batch.node)) problems.push(`node ${signed.node}`);
    if (signed.sequence !== batch.sequence) problems.push(`sequence ${signed.sequence}`);
    if (signed.root.toLowerCase() !== batch.root.toLowerCase()) problems.push(`root ${signed.root} != ${batch.root}`);
    if (signed.count !== members.length) problems.push(`count ${signed.count} != ${members.length}`);
    const batchId = getBatchId({ node: batch.node, root: batch.root });
    if (answer.batchId.toLowerCase() !== batchId.toLowerCase()) problems.push(`batchId ${answer.batchId}`);
    if (problems.length > 0) throw new NodeBatchError(`node signed another batch than planned: ${problems.join(", ")}`);
    const recovered = await recoverBatchSigner({ batch: { ...signed, node: batch.node }, domain, signature });
    if (!isAddressEqual(recovered, node.signer)) {
      directory.forget(batch.node);
      const fresh = await directory.get(batch.node);
      if (!isAddressEqual(recovered, fresh.signer)) {
        // Signed (maybe long ago) by a key the node no longer has registered: have it released, so the node signs
        // again with its current key once it runs with it; meanwhile this backs off.
        await this.o
          .releaseBatch({ node: batch.node, endpoint: node.endpoint, batchId: answer.batchId })
          .catch(() => undefined);
        throw new NodeBatchError(`batch signed by ${recovered}, not the registered signer ${fresh.signer}`);
      }
    }
    store.markSigned(batch.id, signed.dataHash, signature);
  }

  /**
   * A node's 409 to a planned batch: another batch is in the way. One at the planned sequence, signed for someone
   * else, is released (it can then never be attested together with ours: one sequence, one batch on chain); receipts
   * another batch attested are adopted; a batch at an earlier sequence that the node has not seen confirmed yet, or a
   * release still pending, is waited for (transient error, retried with backoff).
   */
  private async resolveConflict(batch: StoredBatch, endpoint: string, error: NodeBatchError): Promise<void> {
    const { store, logger, metrics } = this.o;
    const answer = error.answer ?? {};
    const inTheWay = typeof answer.batchId === "string" ? (answer.batchId.toLowerCase() as Hex) : undefined;
    metrics.errors.inc({ kind: error.code ?? "conflict" });
    switch (error.code) {
      case "SequenceConflict":
      case "ReceiptAlreadyBatched": {
        if (inTheWay === undefined) break;
        if (answer.sequence !== batch.sequence.toString(10) || answer.state !== "signed") {
          throw new Error(`node holds receipts in batch ${inTheWay} at sequence ${String(answer.sequence)}; waiting`);
        }
        const { state } = await this.o.releaseBatch({ node: batch.node, endpoint, batchId: inTheWay });
        logger.warn(
          { batch: batch.id, node: batch.node, sequence: batch.sequence.toString(), released: inTheWay, state },
          "released a batch the node signed outside this keeper's plan",
        );
        store.noteError(batch.id, `released batch ${inTheWay} signed outside this plan`);
        return;
      }
      case "ReceiptAlreadyAttested": {
        const attested = Array.isArray(answer.attested)
          ? (answer.attested as { receiptHash: Hex; batchId: Hex }[])
          : [];
        if (attested.length === 0) break;
        await this.adopt(batch, endpoint, attested);
        return;
      }
      case "ReceiptReleasePending":
      case "SequenceNotCurrent":
        throw new Error(`${error.message}: ${String(answer.message ?? "")}; retrying`);
    }
    store.noteError(batch.id, `${error.message}: ${error.details ?? ""}`);
    throw error;
  }

  /**
   * Takes out of the plan the members that other batches of the same node attested: each such batch must be
   * attested for the node at the confirmed block, and its file (read from the node) must rebuild its root and hold
   * the receipts; only what is proven that way is recorded as attested there.
   */
  private async adopt(
    batch: StoredBatch,
    endpoint: string,
    claims: readonly { receiptHash: Hex; batchId: Hex }[],
  ): Promise<void> {
    const { store, logger, metrics } = this.o;
    const members = new Map(store.members(batch.id).map((m) => [m.hash.toLowerCase(), m]));
    const byBatch = new Map<Hex, Set<string>>();
    for (const claim of claims) {
      const id = claim.batchId.toLowerCase() as Hex;
      if (!byBatch.has(id)) byBatch.set(id, new Set());
      byBatch.get(id)!.add(claim.receiptHash.toLowerCase());
    }
    const { confirmed } = await this.confirmedBlock();
    for (const [batchId, claimed] of byBatch) {
      const onChain = await getBatch(this.o.publicClient, {
        address: this.o.attestationRegistry,
        id: batchId,
        blockNumber: confirmed,
      });
      if (onChain.node === zeroAddress) throw new Error(`batch ${batchId} is not attested at block ${confirmed} yet`);
      if (!isAddressEqual(onChain.node, batch.node)) {
        throw new PermanentError(`batch ${batchId} is attested for another node ${onChain.node}`);
      }
      const file = parseBatchFile(await this.o.readBatchFile({ endpoint, batchId }));
      const built = buildReceiptBatch(file.entries.map((entry) => entry.receipt));
      const root = built.root;
      if (getBatchId({ node: batch.node, root }).toLowerCase() !== batchId || built.count !== Number(onChain.count)) {
        throw new PermanentError(`the node's file of batch ${batchId} does not rebuild its root`);
      }
      const proven = built.receipts
        .map((receipt) => getReceiptStructHash(receipt).toLowerCase())
        .filter((hash) => claimed.has(hash) && members.has(hash)) as Hex[];
      if (proven.length === 0) throw new PermanentError(`batch ${batchId} holds none of the receipts the node named`);
      for (const hash of proven) members.delete(hash);
      const rest = [...members.values()];
      const remainingRoot = rest.length === 0 ? null : buildReceiptBatch(rest.map((m) => m.receipt)).root;
      store.adoptAttested(
        batch.id,
        { node: batch.node, sequence: file.sequence, root, receipts: built.receipts },
        proven,
        remainingRoot,
      );
      metrics.receiptsAttested.inc(proven.length);
      metrics.counts.receiptsAttested += proven.length;
      logger.warn(
        { batch: batch.id, node: batch.node, attestedIn: batchId, receipts: proven.length, left: rest.length },
        "receipts attested in a batch this keeper did not plan; re-planning the rest",
      );
    }
  }

  private submitCall(batch: StoredBatch): ContractCall {
    return submitBatch({
      address: this.o.attestationRegistry,
      batch: {
        node: batch.node,
        sequence: batch.sequence,
        root: batch.root,
        count: batch.count,
        dataHash: batch.dataHash!,
      },
      signature: batch.signature!,
    });
  }

  /** signed → submitted: estimate (a revert is reconciled here), sign, persist the transaction, broadcast. */
  private async submit(batch: StoredBatch): Promise<void> {
    const { store, logger, sender } = this.o;
    let tx: SignedTransaction;
    try {
      tx = await sender.prepare(this.submitCall(batch));
    } catch (error) {
      if (!(error instanceof TransactionRevertedError)) throw error;
      await this.reconcileRevert(batch, error);
      return;
    }
    store.markSubmitted(batch.id, [...batch.txHashes, tx.hash], tx.raw, tx.nonce);
    logger.debug({ batch: batch.id, tx: tx.hash, nonce: tx.nonce }, "submitBatch sent");
    try {
      await sender.broadcast(tx);
    } catch (error) {
      if (!isNonceUsedError(error)) throw error;
    }
  }

  /** What a permanent revert means for the plan. */
  private async reconcileRevert(batch: StoredBatch, error: TransactionRevertedError): Promise<void> {
    const { store, logger, metrics } = this.o;
    metrics.errors.inc({ kind: error.errorName ?? "revert" });
    logger.warn(
      { batch: batch.id, error: error.errorName, args: error.errorArgs?.map(String) },
      "submitBatch would revert",
    );
    switch (error.errorName) {
      case "AttestationBatchExists": {
        // `AttestationBatchExists(id, owner)`: attested already only if it is this node's batch with this root.
        const [id, owner] = (error.errorArgs ?? []) as [string | undefined, string | undefined];
        const ours = getBatchId({ node: batch.node, root: batch.root });
        const mine =
          typeof owner === "string" &&
          isAddressEqual(owner as Address, batch.node) &&
          typeof id === "string" &&
          id.toLowerCase() === ours.toLowerCase();
        if (mine) this.recordAttested(batch, null, null);
        else this.rebatch(batch, `batch ${String(id)} exists for ${String(owner)}, not this node's`);
        return;
      }
      case "AttestationUnexpectedSequence": {
        const expected = BigInt(error.errorArgs?.[2] as bigint);
        store.replan(batch.id, expected, `chain expects sequence ${expected}`);
        return;
      }
      case "AttestationInvalidSignature":
        // The node rotated its signer since it signed: ask again.
        this.o.directory.forget(batch.node);
        store.replan(batch.id, batch.sequence, "signature no longer by the registered signer");
        return;
      default:
        store.noteError(batch.id, error.message);
        throw new PermanentError(`submitBatch of batch ${batch.id} reverts: ${error.message}`);
    }
  }

  /** submitted → attested: find the mined transaction; rebroadcast, replace at higher fees, or fall back to signed. */
  private async confirm(batch: StoredBatch): Promise<void> {
    const { store, sender, logger, metrics } = this.o;
    const hashes = batch.txHashes as Hash[];
    let receipt = await sender.findReceipt(hashes);
    if (!receipt) {
      const mined = await sender.minedNonce();
      if (batch.nonce !== null && mined > batch.nonce) {
        // The nonce went to another transaction and none of ours was mined (checked just before): send again.
        if ((await this.attestedOnChain(batch)) !== "absent") return;
        store.unsubmit(batch.id, "nonce used by another transaction");
        return;
      }
      if (batch.rawTx) {
        await sender.broadcast({ raw: batch.rawTx, hash: hashes[hashes.length - 1]! }).catch((error) => {
          if (!isNonceUsedError(error)) throw error;
        });
      }
      receipt = await sender.waitForAny(hashes, sender.replaceAfterMs, this.o.signal);
      if (!receipt) {
        if (this.o.signal.aborted || !batch.rawTx) return;
        const previous = parseTransaction(batch.rawTx);
        const bumped = await sender.bump({
          hash: hashes[hashes.length - 1]!,
          raw: batch.rawTx,
          nonce: previous.nonce!,
          gas: previous.gas!,
          maxFeePerGas: previous.maxFeePerGas!,
          maxPriorityFeePerGas: previous.maxPriorityFeePerGas!,
          call: this.submitCall(batch),
        });
        store.markSubmitted(batch.id, [...hashes, bumped.hash], bumped.raw, bumped.nonce);
        logger.warn({ batch: batch.id, tx: bumped.hash }, "submitBatch not mined in time; replaced at higher fees");
        await sender.broadcast(bumped).catch((error) => {
          if (!isNonceUsedError(error)) throw error;
        });
        return;
      }
    }
    if (this.o.confirmations > 0n) {
      const { head } = await this.confirmedBlock();
      // Not deep enough yet: look again later (a reorganization that drops it meanwhile leads to a rebroadcast).
      if (head - receipt.blockNumber < this.o.confirmations) return;
    }
    if (receipt.status === "success") {
      metrics.batchesSubmitted.inc();
      metrics.batchGas.observe(Number(receipt.gasUsed));
      metrics.counts.batchesSubmitted++;
      metrics.counts.transactions++;
      metrics.counts.gasUsed += receipt.gasUsed;
      metrics.counts.batchGasUsed.push(receipt.gasUsed);
      this.recordAttested(batch, receipt.gasUsed, receipt.blockNumber);
      return;
    }
    metrics.counts.transactions++;
    if ((await this.attestedOnChain(batch)) !== "absent") return;
    store.unsubmit(batch.id, `transaction ${receipt.transactionHash} reverted`);
  }
}

/** True when a step left the batch exactly as it was (nothing to do until the chain moves). */
function unchanged(before: StoredBatch, after: StoredBatch): boolean {
  return (
    before.state === after.state &&
    before.sequence === after.sequence &&
    before.root === after.root &&
    before.txHashes.length === after.txHashes.length &&
    before.error === after.error
  );
}
