import fs from "node:fs";
import type { Command } from "commander";
import { zeroAddress, zeroHash, type Address, type Hex } from "viem";
import { getBatch } from "../../chain/actions/getBatch";
import { getNode } from "../../chain/actions/getNode";
import { getNodeRegisteredEvents } from "../../chain/actions/getNodeRegisteredEvents";
import { getReceipt } from "../../chain/actions/getReceipt";
import { getReceiptState } from "../../chain/actions/getReceiptState";
import { getSignerRotatedEvents } from "../../chain/actions/getSignerRotatedEvents";
import { isFinal } from "../../chain/actions/isFinal";
import { verifyInclusion } from "../../chain/actions/verifyInclusion";
import { ReceiptState, receiptStateNames } from "../../chain/enums.generated";
import { ConfigError } from "../../config/ConfigError";
import {
  BaseError,
  getErrorMessage,
  getReceiptStructHash,
  parseReceipt,
  recoverReceiptSigner,
  type Receipt,
} from "../../protocol";
import {
  addChainOptions,
  addExamples,
  connect,
  formatTime,
  parseBytes32,
  toCliName,
  type ChainContext,
  type ChainOptions,
} from "../options";

/** On-chain `ReceiptState` names, by enum value. */
export const RECEIPT_STATES = receiptStateNames.map(toCliName);

/** A receipt failed verification (exit code 1); the message says why. */
export class ReceiptInvalidError extends BaseError {
  override name = "ReceiptInvalidError";
}

/** One line of the verdict table. */
interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

/** `verity receipt verify`. */
export function addReceiptCommands(program: Command): void {
  const receipt = program.command("receipt").description("check receipts that nodes signed");

  addExamples(
    addChainOptions(
      receipt
        .command("verify")
        .description("check a receipt file against the chain: signer, attestation, window, dispute state")
        .argument("<file>", "JSON {receipt, signature, batchId?, proof?} (a node's POST /v1/infer answer works)"),
    ),
    ["verity receipt verify answer.json", "verity receipt verify answer.json --json"],
    "\nExit code 0 when the receipt is valid (signed by the node's signer and attested, not rejected), 1 when not.",
  ).action(async (file: string, options: ChainOptions) => {
    const input = readReceiptFile(file);
    const context = await connect(options, false);
    const checks = await verifyReceipt(context, input);
    const failed = checks.find((check) => !check.ok);
    const receiptHash = getReceiptStructHash(input.receipt);
    const verdict = failed ? "invalid" : "valid";
    if (context.output.json) {
      context.output.record({
        receiptHash,
        verdict,
        reason: failed ? `${failed.check}: ${failed.detail}` : null,
        checks,
      });
    } else {
      context.output.table(
        checks.map((check) => ({ ...check, ok: check.ok ? "yes" : "NO" })),
        ["check", "ok", "detail"],
      );
      context.output.record({ receiptHash, verdict });
    }
    if (failed) throw new ReceiptInvalidError(`receipt invalid: ${failed.check}: ${failed.detail}`);
  });
}

interface ReceiptFile {
  receipt: Receipt;
  signature: Hex;
  batchId: Hex | undefined;
  proof: Hex[];
}

/** Reads and validates the receipt file's shape (ConfigError: it is not a receipt file at all). */
function readReceiptFile(file: string): ReceiptFile {
  let raw: { receipt?: unknown; signature?: unknown; batchId?: unknown; proof?: unknown };
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8")) as typeof raw;
  } catch (cause) {
    throw new ConfigError(`<file>: cannot read receipt file ${file}: ${getErrorMessage(cause)}`);
  }
  let receipt: Receipt;
  try {
    receipt = parseReceipt(raw.receipt);
  } catch (error) {
    const details = (error as BaseError).details;
    throw new ConfigError(`<file>: ${file} has no valid receipt${details ? `: ${details}` : ""}`);
  }
  if (typeof raw.signature !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(raw.signature)) {
    throw new ConfigError(`<file>: ${file} has no 65-byte hex signature`);
  }
  const batchId =
    raw.batchId === undefined || raw.batchId === null ? undefined : parseBytes32(String(raw.batchId), "batchId");
  if (raw.proof !== undefined && !Array.isArray(raw.proof)) throw new ConfigError(`<file>: proof must be an array`);
  const proof = ((raw.proof as unknown[] | undefined) ?? []).map((item) => parseBytes32(String(item), "proof"));
  return { receipt, signature: raw.signature as Hex, batchId, proof };
}

/** Runs every check; a failed one carries the reason. */
async function verifyReceipt(context: ChainContext, file: ReceiptFile): Promise<Check[]> {
  const read = context.clients.publicClient;
  const attestations = { address: context.contracts.attestationRegistry };
  const registry = { address: context.contracts.nodeRegistry };
  const { receipt } = file;
  const checks: Check[] = [];

  const node = await getNode(read, { ...registry, node: receipt.node });
  checks.push({
    check: "node registered",
    ok: node.registered,
    detail: node.registered ? `${receipt.node}${node.jailed ? " (jailed)" : ""}` : `${receipt.node} is not registered`,
  });

  let recovered: Address | undefined;
  let signatureProblem = "";
  try {
    recovered = await recoverReceiptSigner({
      receipt,
      signature: file.signature,
      domain: { chainId: context.deployment.chainId, verifyingContract: attestations.address },
    });
  } catch (error) {
    signatureProblem = getErrorMessage(error);
  }
  if (recovered === undefined) {
    checks.push({ check: "signature", ok: false, detail: `not a canonical signature: ${signatureProblem}` });
  } else {
    const atIssue = await signerAt(context, receipt.node, receipt.issuedAt);
    const current = node.registered ? node.signer : undefined;
    const same = (a: Address | undefined) => a !== undefined && a.toLowerCase() === recovered!.toLowerCase();
    const ok = same(atIssue) || same(current);
    checks.push({
      check: "signature",
      ok,
      detail: ok
        ? `by ${recovered}, the node's signer ${same(atIssue) ? "when issued" : "now"}`
        : `by ${recovered}, not the node's signer (${atIssue ?? current ?? "none"})`,
    });
  }

  const batchId = file.batchId ?? zeroHash;
  const attested = await verifyInclusion(read, { ...attestations, receipt, batchId, proof: file.proof });
  let windowEnd = 0;
  if (file.batchId) {
    const batch = await getBatch(read, { ...attestations, id: file.batchId });
    windowEnd = batch.windowEnd;
    checks.push({
      check: "attested",
      ok: attested,
      detail: attested
        ? `in batch ${file.batchId} (${batch.count} receipts)`
        : batch.node === zeroAddress
          ? `no batch ${file.batchId} on chain`
          : `not included in batch ${file.batchId} with the given proof`,
    });
  } else {
    const status = await getReceipt(read, { ...attestations, receipt });
    windowEnd = status.windowEnd;
    checks.push({
      check: "attested",
      ok: attested,
      detail: attested ? "singly" : "not attested singly (give batchId and proof for a batched receipt)",
    });
  }

  const receiptHash = getReceiptStructHash(receipt);
  const [state, final, block] = await Promise.all([
    getReceiptState(read, { ...attestations, receiptHash }),
    isFinal(read, { ...attestations, receipt, batchId, proof: file.proof }),
    read.getBlock({ blockTag: "latest" }),
  ]);
  if (attested) {
    const open = BigInt(windowEnd) > block.timestamp;
    checks.push({
      check: "challenge window",
      ok: true,
      detail: `${open ? "open until" : "closed at"} ${formatTime(windowEnd)}`,
    });
  }
  checks.push({
    check: "dispute state",
    ok: state !== ReceiptState.Rejected,
    detail: state === ReceiptState.Rejected ? "rejected: a dispute found it wrong" : RECEIPT_STATES[state]!,
  });
  checks.push({ check: "final", ok: true, detail: final ? "yes" : "not yet" });
  return checks;
}

/** The node's signer at `issuedAt`, from its NodeRegistered and SignerRotated events (undefined when none). */
async function signerAt(context: ChainContext, node: Address, issuedAt: bigint): Promise<Address | undefined> {
  const read = context.clients.publicClient;
  const common = {
    address: context.contracts.nodeRegistry,
    args: { node },
    fromBlock: BigInt(context.deployment.startBlock),
  };
  const [registered, rotated] = await Promise.all([
    getNodeRegisteredEvents(read, common),
    getSignerRotatedEvents(read, common),
  ]);
  const changes = [
    ...registered.map((log) => ({ log, signer: log.args.signer })),
    ...rotated.map((log) => ({ log, signer: log.args.newSigner })),
  ].sort((a, b) => Number(a.log.blockNumber - b.log.blockNumber) || a.log.logIndex - b.log.logIndex);
  let signer: Address | undefined;
  for (const change of changes) {
    const block = await read.getBlock({ blockNumber: change.log.blockNumber });
    if (block.timestamp > issuedAt) break;
    signer = change.signer;
  }
  return signer;
}
