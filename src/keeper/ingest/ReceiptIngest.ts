import type { Address, Hex } from "viem";
import {
  type GetVerityDomainParameters,
  type Receipt,
  bytesToHex,
  getDomainSeparator,
  getReceiptStructHashBytes,
  getTypedDataDigest,
  assertLowSSignature,
  recoverDigestSigner,
} from "../../protocol";
import type { GroupCommit } from "../../service/GroupCommit";
import type { KeeperStore, ValidReceipt } from "../KeeperStore";
import type { NodeInfo } from "../NodeDirectory";
import type { Rejection } from "../validateReceipts";
import { parseReceiptItem } from "./parseReceiptItem";
import type { SignaturePool } from "./SignaturePool";

/** Items checked first in every request; if this many of them have bad signatures, the rest is not checked. */
export const PROBE_ITEMS = 16;
/** Bad signatures in the probe that make the keeper refuse the rest of the request unchecked. */
export const PROBE_MAX_INVALID = 4;

export interface ReceiptIngestOptions {
  store: KeeperStore;
  commits: GroupCommit;
  /** Worker threads for signature recovery; undefined recovers on the event loop. */
  pool: SignaturePool | undefined;
  domain: GetVerityDomainParameters;
  lookupNode: (node: Address) => Promise<NodeInfo>;
  refreshNode: (node: Address) => Promise<NodeInfo>;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
  /** Items that passed every check (stored now, or stored before). */
  valid: number;
}

/** One item that passed the cheap checks, waiting for its signer. */
interface Candidate {
  index: number;
  receipt: Receipt;
  signature: Hex;
  routerRequest: boolean;
  structHash: Uint8Array;
  node: NodeInfo;
}

const rejection = (index: number, error: string, message: string): Rejection => ({ index, error, message });

/**
 * The keeper's receipt ingestion for `POST /v1/receipts` (docs/services.md § Keeper): the cheap checks on the event
 * loop (shape, registered node, canonical signature), signer recovery on the worker pool, then ONE group commit for
 * everything valid. It resolves only after the commit is durable, so the route acknowledges nothing a crash could
 * lose. A request whose first {@link PROBE_ITEMS} items hold {@link PROBE_MAX_INVALID} bad signatures is refused
 * after the probe: a flood of forged receipts costs a few recoveries per request, not one per receipt.
 */
export class ReceiptIngest {
  constructor(private readonly o: ReceiptIngestOptions) {}

  async ingest(items: readonly unknown[]): Promise<IngestResult> {
    const rejected: Rejection[] = [];
    const valid: ValidReceipt[] = [];
    const refreshed = new Map<string, NodeInfo>();
    const nodes = new Map<string, NodeInfo>();
    // The probe: items are checked from the front until PROBE_ITEMS candidates are found and judged. Only a request
    // that passes it has its other items parsed, hashed and recovered.
    const probe = await this.candidates(items, 0, PROBE_ITEMS, nodes, rejected);
    const next = probe.next;
    const probeBad = await this.judge(probe.list, await this.recover(probe.list), valid, rejected, refreshed);
    if (probeBad >= PROBE_MAX_INVALID) {
      const unchecked = `not checked: ${probeBad} of the first ${probe.list.length} signatures were bad`;
      for (let index = next; index < items.length; index++) {
        rejected.push(rejection(index, "Unchecked", unchecked));
      }
    } else if (next < items.length) {
      const rest = await this.candidates(items, next, items.length, nodes, rejected);
      await this.judge(rest.list, await this.recover(rest.list), valid, rejected, refreshed);
    }
    rejected.sort((a, b) => a.index - b.index);
    if (valid.length === 0) return { accepted: 0, duplicates: 0, rejected, valid: 0 };
    const { accepted, duplicates } = await this.o.commits.run(() => this.o.store.insertReceipts(valid));
    return { accepted, duplicates, rejected, valid: valid.length };
  }

  /** The cheap checks (shape, registered node, canonical signature) from `from` until `want` candidates pass. */
  private async candidates(
    items: readonly unknown[],
    from: number,
    want: number,
    nodes: Map<string, NodeInfo>,
    rejected: Rejection[],
  ): Promise<{ list: Candidate[]; next: number }> {
    const list: Candidate[] = [];
    let index = from;
    for (; index < items.length && list.length < want; index++) {
      const parsed = parseReceiptItem(items[index]);
      if (!parsed.ok) {
        rejected.push(rejection(index, "InvalidReceipt", parsed.message));
        continue;
      }
      const { receipt, signature, routerRequest } = parsed;
      let node = nodes.get(receipt.node);
      if (!node) {
        node = await this.o.lookupNode(receipt.node);
        nodes.set(receipt.node, node);
      }
      if (!node.registered) {
        rejected.push(rejection(index, "NodeNotRegistered", `node ${receipt.node} is not registered`));
        continue;
      }
      try {
        assertLowSSignature(signature);
      } catch (error) {
        rejected.push(rejection(index, "InvalidSignature", (error as Error).message));
        continue;
      }
      list.push({ index, receipt, signature, routerRequest, structHash: getReceiptStructHashBytes(receipt), node });
    }
    return { list, next: index };
  }

  /** Sorts checked items into valid and rejected by their recovered signers; returns how many were bad. */
  private async judge(
    items: readonly Candidate[],
    signers: readonly (string | undefined)[],
    valid: ValidReceipt[],
    rejected: Rejection[],
    refreshed: Map<string, NodeInfo>,
  ): Promise<number> {
    let bad = 0;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const signer = signers[i];
      if (signer === undefined) {
        rejected.push(rejection(item.index, "InvalidSignature", "Signature does not recover a public key."));
        bad++;
        continue;
      }
      let node = refreshed.get(item.receipt.node) ?? item.node;
      if (signer !== node.signer.toLowerCase() && !refreshed.has(item.receipt.node)) {
        // The signer may have been rotated since the registration was cached; later items use the fresh read.
        node = await this.o.refreshNode(item.receipt.node);
        refreshed.set(item.receipt.node, node);
      }
      if (signer !== node.signer.toLowerCase()) {
        rejected.push(
          rejection(
            item.index,
            "WrongSigner",
            `signed by ${signer}, but node ${item.receipt.node}'s registered signer is ${node.signer}`,
          ),
        );
        bad++;
        continue;
      }
      valid.push({
        hash: bytesToHex(item.structHash),
        receipt: item.receipt,
        signature: item.signature,
        routerRequest: item.routerRequest,
      });
    }
    return bad;
  }

  /** The lowercase signer address of each candidate, or undefined when its signature recovers no key. */
  private async recover(candidates: readonly Candidate[]): Promise<(string | undefined)[]> {
    if (candidates.length === 0) return [];
    const separator = getDomainSeparator(this.o.domain);
    const pool = this.o.pool;
    if (!pool) {
      const out: (string | undefined)[] = [];
      for (const c of candidates) {
        try {
          const digest = getTypedDataDigest(separator, c.structHash);
          out.push((await recoverDigestSigner(digest, c.signature)).toLowerCase());
        } catch {
          out.push(undefined);
        }
      }
      return out;
    }
    // Split across the pool so every core works on a large request.
    const parts = Math.min(pool.size, Math.ceil(candidates.length / 64));
    const per = Math.ceil(candidates.length / parts);
    const jobs: Promise<(string | undefined)[]>[] = [];
    for (let from = 0; from < candidates.length; from += per) {
      const slice = candidates.slice(from, from + per);
      // Struct hashes go to the worker, which makes the EIP-712 digests; signatures are written straight from hex.
      const structHashes = new Uint8Array(32 * slice.length);
      const signatures = Buffer.alloc(65 * slice.length);
      slice.forEach((c, i) => {
        structHashes.set(c.structHash, 32 * i);
        signatures.write(c.signature.slice(2), 65 * i, 65, "hex");
      });
      jobs.push(
        pool.recover(slice.length, structHashes, signatures, separator).then(({ signers, ok }) => {
          const out: (string | undefined)[] = [];
          for (let i = 0; i < slice.length; i++) {
            out.push(ok[i] === 1 ? bytesToHex(signers.subarray(20 * i, 20 * i + 20)) : undefined);
          }
          return out;
        }),
      );
    }
    return (await Promise.all(jobs)).flat();
  }
}
