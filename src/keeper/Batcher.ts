import { type Address, type Hash, type PublicClient, isAddressEqual, parseTransaction, zeroAddress } from "viem";
import type { Logger } from "pino";
import { getBatch } from "../chain/actions/getBatch";
import { getNextSequence } from "../chain/actions/getNextSequence";
import { submitBatch } from "../chain/actions/submitBatch";
import type { ContractCall } from "../chain/contractCall";
import { isNonceUsedError, TransactionRevertedError } from "../chain/errors";
import { BaseError, type GetVerityDomainParameters, buildReceiptBatch, recoverBatchSigner } from "../protocol";
import { NodeBatchError, PermanentError } from "./errors";
import type { KeeperMetrics } from "./metrics";
import type { KeeperStore, StoredBatch } from "./KeeperStore";
import type { NodeDirectory } from "./NodeDirectory";
import type { BatchSigner } from "./requestBatchSignature";
import type { SignedTransaction, TxSender } from "./TxSender";

export interface BatcherOptions {
  store: KeeperStore;
  publicClient: PublicClient;
  sender: TxSender;
  directory: NodeDirectory;
  domain: GetVerityDomainParameters;
  attestationRegistry: Address;
  signBatch: BatchSigner;
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
 * `advance` can pick it up in any state after a crash: it first asks the chain whether the root is attested
 * (`getBatch`) and what sequence the node is at (`nextSequence`), so no step is ever done twice on chain.
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

  /** Moves one unfinished batch as far as it goes: sign, submit, confirm. Throws on transient failures. */
  async advance(id: number): Promise<void> {
    for (let steps = 0; steps < 8 && !this.o.signal.aborted; steps++) {
      const batch = this.o.store.batch(id)!;
      if (batch.state === "attested" || batch.state === "failed") return;
      if (batch.state === "submitted") {
        await this.o.sender.exclusive(() => this.confirm(batch));
        continue;
      }
      if (await this.attestedOnChain(batch)) return;
      if (batch.state === "planned") await this.sign(batch);
      else if (!this.o.submit) return;
      else await this.o.sender.exclusive(() => this.submit(batch));
    }
  }

  private async nextSequence(node: Address): Promise<bigint> {
    return BigInt(await getNextSequence(this.o.publicClient, { address: this.o.attestationRegistry, node }));
  }

  /** True (and recorded) when the batch's root is already attested on chain. */
  private async attestedOnChain(batch: StoredBatch, gasUsed: bigint | null = null, block: bigint | null = null) {
    const onChain = await getBatch(this.o.publicClient, { address: this.o.attestationRegistry, id: batch.root });
    if (onChain.node === zeroAddress) return false;
    if (!isAddressEqual(onChain.node, batch.node)) {
      throw new PermanentError(`root ${batch.root} is attested for another node ${onChain.node}`);
    }
    this.recordAttested(batch, gasUsed, block);
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
      if (error instanceof NodeBatchError) store.noteError(batch.id, `${error.message}: ${error.details ?? ""}`);
      throw error;
    }
    const { batch: signed, signature } = answer;
    const problems: string[] = [];
    if (!isAddressEqual(signed.node, batch.node)) problems.push(`node ${signed.node}`);
    if (signed.sequence !== batch.sequence) problems.push(`sequence ${signed.sequence}`);
    if (signed.root.toLowerCase() !== batch.root.toLowerCase()) problems.push(`root ${signed.root} != ${batch.root}`);
    if (signed.count !== members.length) problems.push(`count ${signed.count} != ${members.length}`);
    if (answer.batchId.toLowerCase() !== batch.root.toLowerCase()) problems.push(`batchId ${answer.batchId}`);
    if (problems.length > 0) throw new NodeBatchError(`node signed another batch than planned: ${problems.join(", ")}`);
    const recovered = await recoverBatchSigner({ batch: { ...signed, node: batch.node }, domain, signature });
    if (!isAddressEqual(recovered, node.signer)) {
      directory.forget(batch.node);
      const fresh = await directory.get(batch.node);
      if (!isAddressEqual(recovered, fresh.signer)) {
        throw new NodeBatchError(`batch signed by ${recovered}, not the registered signer ${fresh.signer}`);
      }
    }
    store.markSigned(batch.id, signed.dataHash, signature);
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
      case "AttestationBatchExists":
        this.recordAttested(batch, null, null);
        return;
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
        if (await this.attestedOnChain(batch)) return;
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
    if (await this.attestedOnChain(batch)) return;
    store.unsubmit(batch.id, `transaction ${receipt.transactionHash} reverted`);
  }
}
