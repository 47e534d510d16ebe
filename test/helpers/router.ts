import { time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { IInferenceRouter } from "../../typechain-types";
import type { RouterFixture, RouterNode } from "../fixtures/router";
import { MIN_FEE_PER_NODE, MODEL_ID, RESPONSE_TIME } from "../fixtures/router";
import {
  batchIdOf,
  buildTree,
  hashReceipt,
  makeReceipt,
  proofOf,
  randomHash,
  signBatchEthers,
  signReceiptEthers,
} from "./receipts";
import type { Receipt } from "./receipts";

/** The on-chain enums, generated from the compiler output (src/chain/enums.generated.ts). */
export { ReceiptState, RequestState } from "../../src/chain/enums.generated";

export type RequestParams = IInferenceRouter.RequestParamsStruct & {
  modelId: string;
  inputHash: string;
  inputURI: string;
  input: string;
  redundancy: bigint;
  deadline: bigint;
  callbackGasLimit: bigint;
  fee: bigint;
};

/** A relayed receipt with how it was attested. */
export interface Fulfilment {
  receipt: Receipt;
  receiptHash: string;
  batchId: string;
  proof: string[];
}

/** Drives the router and the attestation registry the way consumers, nodes and keepers do. */
export class RouterHelper {
  constructor(readonly f: RouterFixture) {}

  /**
   * Request parameters with defaults: `MODEL_ID`, an input on chain (random bytes, `inputHash` their keccak256),
   * redundancy 1, `RESPONSE_TIME` from the latest block, min fee. Overriding `inputHash` alone names the input by URI
   * only (no bytes on chain).
   */
  async params(overrides: Partial<RequestParams> = {}): Promise<RequestParams> {
    const redundancy = overrides.redundancy ?? 1n;
    const input =
      overrides.input ?? (overrides.inputHash === undefined ? ethers.hexlify(ethers.randomBytes(48)) : "0x");
    return {
      modelId: MODEL_ID,
      inputHash: input === "0x" ? randomHash() : ethers.keccak256(input),
      inputURI: "ipfs://input",
      input,
      redundancy,
      deadline: BigInt(await time.latest()) + RESPONSE_TIME,
      callbackGasLimit: 0n,
      fee: MIN_FEE_PER_NODE * redundancy,
      ...overrides,
    };
  }

  /** The id the next request of `consumer` gets. */
  async nextId(consumer: string): Promise<string> {
    return this.f.router.computeRequestId(consumer, await this.f.router.nonceOf(consumer));
  }

  /** Makes a request from `consumer` (the fixture's consumer EOA by default). */
  async request(
    overrides: Partial<RequestParams> = {},
    consumer: HardhatEthersSigner = this.f.consumer,
  ): Promise<{ id: string; params: RequestParams; tx: ContractTransactionResponse }> {
    const params = await this.params(overrides);
    const id = await this.nextId(consumer.address);
    const tx = await this.f.router.connect(consumer).request(params);
    return { id, params, tx };
  }

  /** Makes a request from the consumer contract. */
  async requestFromContract(overrides: Partial<RequestParams> = {}): Promise<{ id: string; params: RequestParams }> {
    const params = await this.params(overrides);
    const id = await this.nextId(await this.f.consumerContract.getAddress());
    await this.f.consumerContract.makeRequest(params);
    return { id, params };
  }

  /** The nodes assigned to request `id` now, in slot order. */
  async assigned(id: string): Promise<RouterNode[]> {
    const assignments = await this.f.router.getAssignments(id);
    return assignments.map((a) => this.node(a.node));
  }

  node(address: string): RouterNode {
    const node = this.f.routerNodes.find((n) => n.address === address);
    if (!node) throw new Error(`not a fixture node: ${address}`);
    return node;
  }

  /** A receipt by `node` for request `id` that matches the request (model, input). */
  async receiptFor(id: string, node: RouterNode, overrides: Partial<Receipt> = {}): Promise<Receipt> {
    const request = await this.f.router.getRequest(id);
    return makeReceipt(node.address, request.modelId, {
      requestId: id,
      inputHash: request.inputHash,
      ...overrides,
    });
  }

  /** Attests `receipt` singly, signed by its node's key. */
  async attest(receipt: Receipt): Promise<Fulfilment> {
    const signature = await signReceiptEthers(this.node(receipt.node).signer, this.f.domain, receipt);
    await this.f.attestations.submitReceipt(receipt, signature);
    return { receipt, receiptHash: hashReceipt(receipt), batchId: ethers.ZeroHash, proof: [] };
  }

  /** Attests `receipts` (all by one node) as its next batch; returns the tree. */
  async attestBatch(receipts: Receipt[]): Promise<StandardMerkleTree<[string]>> {
    const node = this.node(receipts[0].node);
    const tree = buildTree(receipts);
    const batch = {
      node: node.address,
      sequence: await this.f.attestations.nextSequence(node.address),
      root: tree.root,
      count: BigInt(receipts.length),
      dataHash: randomHash(),
    };
    await this.f.attestations.submitBatch(batch, await signBatchEthers(node.signer, this.f.domain, batch));
    return tree;
  }

  /** Attests in a batch (with a filler receipt) and returns the fulfilment arguments. */
  async attestInBatch(receipt: Receipt): Promise<Fulfilment> {
    const filler = makeReceipt(receipt.node, receipt.modelId);
    const tree = await this.attestBatch([receipt, filler]);
    return {
      receipt,
      receiptHash: hashReceipt(receipt),
      batchId: batchIdOf(receipt.node, tree.root),
      proof: proofOf(tree, receipt),
    };
  }

  /** Relays `fulfilment` through the keeper. */
  fulfillWith(id: string, fulfilment: Fulfilment) {
    return this.f.router.connect(this.f.keeper).fulfill(id, fulfilment.receipt, fulfilment.batchId, fulfilment.proof);
  }

  /** `node` attests a receipt for `id` claiming `outputHash` (random when omitted) and the keeper relays it. */
  async fulfill(id: string, node: RouterNode, outputHash?: string): Promise<Fulfilment> {
    const receipt = await this.receiptFor(id, node, outputHash ? { outputHash } : {});
    const fulfilment = await this.attest(receipt);
    await this.fulfillWith(id, fulfilment);
    return fulfilment;
  }

  /** Every assigned node fulfils `id` with the same output. */
  async fulfillAll(id: string, outputHash: string = randomHash()): Promise<Fulfilment[]> {
    const result: Fulfilment[] = [];
    for (const node of await this.assigned(id)) result.push(await this.fulfill(id, node, outputHash));
    return result;
  }

  /** What each of `accounts` can `claim` from the router now. */
  async credits(accounts: readonly string[]): Promise<bigint[]> {
    return Promise.all(accounts.map((a) => this.f.router.claimableOf(a)));
  }

  /**
   * Runs `send` and returns how much each of `accounts`' router credit grew; asserts no token left or reached the
   * router meanwhile (settlement and refund only credit).
   */
  async creditChanges(send: () => Promise<unknown>, accounts: readonly string[]): Promise<bigint[]> {
    const before = await this.credits(accounts);
    const routerBalance = await this.f.token.balanceOf(await this.f.router.getAddress());
    (await await send()) as unknown;
    const after = await this.credits(accounts);
    if ((await this.f.token.balanceOf(await this.f.router.getAddress())) !== routerBalance) {
      throw new Error("tokens moved at settlement");
    }
    return after.map((a, i) => a - before[i]!);
  }

  /** Moves time past every fulfilled receipt's challenge window. */
  async passWindows(id: string): Promise<void> {
    const ends = (await this.f.router.getAssignments(id)).map((a) => a.windowEnd);
    const last = ends.reduce((a, b) => (a > b ? a : b), 0n);
    if (last > BigInt(await time.latest())) await time.increaseTo(last);
  }

  /** Moves time to the request's current deadline. */
  async passDeadline(id: string): Promise<void> {
    const { deadline } = await this.f.router.getRequest(id);
    await time.increaseTo(deadline);
  }
}
