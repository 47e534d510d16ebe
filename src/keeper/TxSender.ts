import {
  encodeFunctionData,
  keccak256,
  type Hash,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import type { ContractCall } from "../chain/contractCall";
import { decodeRevert, isKnownTransactionError, isNonceUsedError, isReceiptNotFoundError } from "../chain/errors";
import { BaseError } from "../protocol";
import { sleep } from "../service/backoff";

/** A transaction signed locally, ready to broadcast (and to persist before broadcasting). */
export interface SignedTransaction {
  hash: Hash;
  raw: Hex;
  nonce: number;
  gas: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  call: ContractCall;
}

/** The keeper stopped while a transaction was waiting to be mined. */
export class KeeperStoppingError extends BaseError {
  override name = "KeeperStoppingError";
  constructor() {
    super("keeper stopping");
  }
}

/**
 * Sends the keeper's transactions from one account, one at a time (one in-flight nonce sequence): it estimates gas
 * (a revert surfaces here as {@link TransactionRevertedError}, without spending gas), takes the account's pending
 * nonce from the chain, signs locally so the caller can persist the raw transaction and its hash BEFORE
 * broadcasting, waits for the receipt, and replaces a transaction that stays unmined with the same nonce at higher
 * fees.
 */
export class TxSender {
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    readonly publicClient: PublicClient,
    readonly account: LocalAccount,
    readonly chainId: number,
    readonly pollingIntervalMs = 500,
    /** How long a transaction may stay unmined before it is replaced at higher fees. */
    readonly replaceAfterMs = 60_000,
  ) {}

  /** Runs `task` with the account to itself (no other send interleaves). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lock.then(task, task);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Estimates (throws {@link TransactionRevertedError} on a revert), picks nonce and fees, and signs. */
  async prepare(call: ContractCall, nonce?: number): Promise<SignedTransaction> {
    const data = encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args });
    let estimate: bigint;
    try {
      estimate = await this.publicClient.estimateContractGas({ ...call, account: this.account });
    } catch (error) {
      throw decodeRevert(error, call.functionName);
    }
    const gas = (estimate * 6n) / 5n + 10_000n;
    const fees = await this.publicClient.estimateFeesPerGas();
    const chosenNonce =
      nonce ?? (await this.publicClient.getTransactionCount({ address: this.account.address, blockTag: "pending" }));
    return this.sign(call, data, chosenNonce, gas, fees.maxFeePerGas, fees.maxPriorityFeePerGas);
  }

  /** The same transaction (same nonce) at fees 25 % higher, to replace one that does not get mined. */
  async bump(previous: SignedTransaction): Promise<SignedTransaction> {
    const data = encodeFunctionData({
      abi: previous.call.abi,
      functionName: previous.call.functionName,
      args: previous.call.args,
    });
    const fees = await this.publicClient.estimateFeesPerGas();
    const maxPriority = bigMax((previous.maxPriorityFeePerGas * 5n) / 4n + 1n, fees.maxPriorityFeePerGas);
    const maxFee = bigMax((previous.maxFeePerGas * 5n) / 4n + 1n, fees.maxFeePerGas, maxPriority);
    return this.sign(previous.call, data, previous.nonce, previous.gas, maxFee, maxPriority);
  }

  /** Broadcasts a signed transaction; a node that already has it is fine. */
  async broadcast(tx: { raw: Hex; hash: Hash }): Promise<void> {
    try {
      await this.publicClient.sendRawTransaction({ serializedTransaction: tx.raw });
    } catch (error) {
      if (isKnownTransactionError(error)) return;
      throw error;
    }
  }

  /** The receipt of whichever of `hashes` got mined, or null. */
  async findReceipt(hashes: readonly Hash[]): Promise<TransactionReceipt | null> {
    for (const hash of hashes) {
      try {
        return await this.publicClient.getTransactionReceipt({ hash });
      } catch (error) {
        if (!isReceiptNotFoundError(error)) throw error;
      }
    }
    return null;
  }

  /** Waits up to `timeoutMs` for one of `hashes` to be mined. */
  async waitForAny(
    hashes: readonly Hash[],
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<TransactionReceipt | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const receipt = await this.findReceipt(hashes);
      if (receipt || Date.now() >= deadline || signal?.aborted) return receipt;
      await sleep(this.pollingIntervalMs, signal);
    }
  }

  /** The account's mined nonce count. */
  minedNonce(): Promise<number> {
    return this.publicClient.getTransactionCount({ address: this.account.address, blockTag: "latest" });
  }

  /** Prepares, broadcasts and waits (replacing a stuck transaction); for calls whose effect the caller can re-read. */
  async send(call: ContractCall, signal?: AbortSignal): Promise<TransactionReceipt> {
    return this.exclusive(async () => {
      let tx = await this.prepare(call);
      const hashes: Hash[] = [tx.hash];
      await this.broadcast(tx);
      for (;;) {
        const receipt = await this.waitForAny(hashes, this.replaceAfterMs, signal);
        if (receipt) return receipt;
        if (signal?.aborted) throw new KeeperStoppingError();
        tx = await this.bump(tx);
        hashes.push(tx.hash);
        await this.broadcast(tx).catch((error) => {
          if (!isNonceUsedError(error)) throw error;
        });
      }
    });
  }

  private async sign(
    call: ContractCall,
    data: Hex,
    nonce: number,
    gas: bigint,
    maxFeePerGas: bigint,
    maxPriorityFeePerGas: bigint,
  ): Promise<SignedTransaction> {
    if (!this.account.signTransaction) throw new BaseError("The keeper account cannot sign transactions locally.");
    const raw = await this.account.signTransaction({
      type: "eip1559",
      chainId: this.chainId,
      to: call.address,
      data,
      nonce,
      gas,
      maxFeePerGas,
      maxPriorityFeePerGas,
    });
    return { hash: keccak256(raw), raw, nonce, gas, maxFeePerGas, maxPriorityFeePerGas, call };
  }
}

function bigMax(...values: bigint[]): bigint {
  return values.reduce((a, b) => (a > b ? a : b));
}
