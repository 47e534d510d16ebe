import type { Address, PublicClient } from "viem";
import { getNode } from "../chain/actions/getNode";

/** What the keeper needs to know of a node, read from `NodeRegistry`. */
export interface NodeInfo {
  registered: boolean;
  signer: Address;
  endpoint: string;
}

/**
 * Reads nodes from `NodeRegistry` and caches them for `ttlMs` (default 10 s), so a signer rotation is seen within
 * the TTL. Endpoints given in `overrides` win over the registered ones.
 */
export class NodeDirectory {
  private readonly cache = new Map<string, { info: NodeInfo; expires: number }>();
  private readonly pending = new Map<string, Promise<NodeInfo>>();

  constructor(
    private readonly publicClient: PublicClient,
    private readonly nodeRegistry: Address,
    private readonly overrides: Record<string, string> = {},
    private readonly ttlMs = 10_000,
  ) {
    this.overrides = Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k.toLowerCase(), v]));
  }

  /** The node's current registration (cached). */
  async get(node: Address): Promise<NodeInfo> {
    const key = node.toLowerCase();
    const hit = this.cache.get(key);
    if (hit && hit.expires > Date.now()) return hit.info;
    let request = this.pending.get(key);
    if (!request) {
      request = this.load(key as Address).finally(() => this.pending.delete(key));
      this.pending.set(key, request);
    }
    return request;
  }

  /** Drops a node from the cache (after its batch signature did not match, say). */
  forget(node: Address): void {
    this.cache.delete(node.toLowerCase());
  }

  /** The node's registration read again from the chain (its signer may have just rotated). */
  refresh(node: Address): Promise<NodeInfo> {
    this.forget(node);
    return this.get(node);
  }

  private async load(node: Address): Promise<NodeInfo> {
    const record = await getNode(this.publicClient, { address: this.nodeRegistry, node });
    const info: NodeInfo = {
      registered: record.registered,
      signer: record.signer,
      endpoint: this.overrides[node] ?? record.endpoint,
    };
    this.cache.set(node, { info, expires: Date.now() + this.ttlMs });
    return info;
  }
}
