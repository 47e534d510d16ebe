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
import { parseTensorJson, type TensorJson } from "../../runtime";
import { ExitCode, ExitCodeError } from "../exitCode";
import { fetchReceiptProof, type FetchReceiptProofReturnType } from "../fetchReceiptProof";
import { findReceiptInBatchFiles } from "../findReceiptInBatchFiles";
import {
  BaseError,
  getErrorMessage,
  getReceiptStructHash,
  getTensorHash,
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
  parseInteger,
  parseUrl,
  toCliName,
  type ChainContext,
  type ChainOptions,
} from "../options";

/** On-chain `ReceiptState` names, by enum value. */
export const RECEIPT_STATES = receiptStateNames.map(toCliName);

/** The one state `receipt verify` reports. */
export type ReceiptVerdict = "pending" | "attested" | "final" | "disputed" | "rejected" | "invalid";

/** The exit code of each verdict (docs: `verity receipt verify --help`). */
export const RECEIPT_VERDICT_EXIT_CODES: Record<ReceiptVerdict, ExitCode> = {
  final: ExitCode.Ok,
  invalid: ExitCode.Failed,
  pending: ExitCode.ReceiptPending,
  attested: ExitCode.ReceiptWindowOpen,
  disputed: ExitCode.ReceiptDisputed,
  rejected: ExitCode.ReceiptRejected,
};

/** One line of the verdict table. */
interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

interface VerifyOptions extends ChainOptions {
  acceptOpenWindow: boolean;
  contentDir?: string;
  nodeUrl?: string;
  wait: string;
}

/** `verity receipt verify`. */
export function addReceiptCommands(program: Command): void {
  const receipt = program.command("receipt").description("check receipts that nodes signed");

  addExamples(
    addChainOptions(
      receipt
        .command("verify")
        .description(
          "check a receipt file: output and input hashes, signer, attestation (finding a batch proof itself), window, disputes",
        )
        .argument(
          "<file>",
          "JSON {receipt, signature, output?, input?, batchId?, proof?} (a node's POST /v1/infer answer works)",
        )
        .option("--accept-open-window", "exit 0 for an attested receipt whose challenge window is still open", false)
        .option("--node-url <url>", "ask this node for the batch proof (default: the node's registered endpoint)")
        .option(
          "--content-dir <dir>",
          "batch files (batches/<dataHash>.json) to look in when the node cannot give the proof (env VERITY_CONTENT_DIR)",
          process.env.VERITY_CONTENT_DIR,
        )
        .option(
          "--wait <seconds>",
          "while the receipt is pending (not attested yet), ask again every second for up to this long",
          "0",
        ),
    ),
    ["verity receipt verify answer.json", "verity receipt verify answer.json --wait 60 --accept-open-window --json"],
    "\nReports exactly one state, with its exit code:\n" +
      "  final     0  attested, challenge window closed, not rejected\n" +
      "  invalid   1  output/input does not hash to the receipt, wrong signer, unknown node or a wrong proof\n" +
      "  pending   5  signed, but not attested on chain yet (not in any submitted batch)\n" +
      "  attested  6  attested, challenge window open (0 with --accept-open-window)\n" +
      "  disputed  7  under dispute\n" +
      "  rejected  8  a dispute found it wrong\n" +
      "(2: bad arguments, 3: chain unreachable.) A batched receipt without batchId/proof is looked up at the node;\n" +
      "when the node is offline or does not give the proof, in the batch files of the node's BatchSubmitted events\n" +
      "(--content-dir, else the node's GET /batches/<id>), each checked against its dataHash.",
  ).action(async (file: string, options: VerifyOptions) => {
    const waitMs = parseInteger(options.wait, "--wait", 0, 86_400) * 1000;
    const input = readReceiptFile(file);
    const nodeUrl = options.nodeUrl === undefined ? undefined : parseUrl(options.nodeUrl, "--node-url");
    const context = await connect(options, false);
    const deadline = Date.now() + waitMs;
    const lookup = { nodeUrl, contentDir: options.contentDir };
    let verification = await verifyReceipt(context, input, lookup);
    if (verification.verdict === "pending" && waitMs > 0) {
      context.output.progress(`receipt pending (${verification.reason}); asking again every second`);
    }
    while (verification.verdict === "pending" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      verification = await verifyReceipt(context, input, lookup);
    }
    const { verdict, reason, checks } = verification;
    const receiptHash = getReceiptStructHash(input.receipt);
    if (context.output.json) {
      context.output.record({ receiptHash, verdict, reason, checks });
    } else {
      context.output.table(
        checks.map((check) => ({ ...check, ok: check.ok ? "yes" : "NO" })),
        ["check", "ok", "detail"],
      );
      context.output.record({ receiptHash, verdict, ...(reason ? { reason } : {}) });
    }
    if (verdict === "final" || (verdict === "attested" && options.acceptOpenWindow)) return;
    throw new ExitCodeError(`receipt ${verdict}${reason ? `: ${reason}` : ""}`, RECEIPT_VERDICT_EXIT_CODES[verdict]);
  });
}

interface ReceiptFile {
  receipt: Receipt;
  signature: Hex;
  batchId: Hex | undefined;
  proof: Hex[] | undefined;
  /** The output tensor as given (checked against `receipt.outputHash`). */
  output: unknown;
  /** The input tensor as given (checked against `receipt.inputHash`). */
  input: unknown;
}

/** Reads and validates the receipt file's shape (ConfigError: it is not a receipt file at all). */
function readReceiptFile(file: string): ReceiptFile {
  let raw: {
    receipt?: unknown;
    signature?: unknown;
    batchId?: unknown;
    proof?: unknown;
    output?: unknown;
    input?: unknown;
  };
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
  if (raw.proof !== undefined && raw.proof !== null && !Array.isArray(raw.proof)) {
    throw new ConfigError(`<file>: proof must be an array`);
  }
  const proof = Array.isArray(raw.proof) ? raw.proof.map((item) => parseBytes32(String(item), "proof")) : undefined;
  return { receipt, signature: raw.signature as Hex, batchId, proof, output: raw.output, input: raw.input };
}

/** Whether a tensor given in the file hashes to the receipt's hash; undefined when the file has none. */
function checkTensor(name: "output" | "input", value: unknown, expected: Hex): Check | undefined {
  if (value === undefined || value === null) return undefined;
  let hash: Hex;
  try {
    hash = getTensorHash(parseTensorJson(value as TensorJson, name));
  } catch (error) {
    return { check: `${name} hash`, ok: false, detail: `the ${name} is not a valid tensor: ${getErrorMessage(error)}` };
  }
  const ok = hash === expected.toLowerCase();
  return {
    check: `${name} hash`,
    ok,
    detail: ok ? `matches ${name}Hash` : `the ${name} hashes to ${hash}, the receipt says ${expected}`,
  };
}

/** What verification found: the one verdict, why (for anything but final), and the checks behind it. */
interface Verification {
  verdict: ReceiptVerdict;
  reason: string | null;
  checks: Check[];
}

/** Runs every check and derives the one verdict: invalid > rejected > disputed > pending > attested/final. */
async function verifyReceipt(context: ChainContext, file: ReceiptFile, lookup: ProofLookup): Promise<Verification> {
  const read = context.clients.publicClient;
  const attestations = { address: context.contracts.attestationRegistry };
  const registry = { address: context.contracts.nodeRegistry };
  const { receipt } = file;
  const receiptHash = getReceiptStructHash(receipt);
  const checks: Check[] = [];

  for (const tensor of [
    checkTensor("output", file.output, receipt.outputHash),
    checkTensor("input", file.input, receipt.inputHash),
  ]) {
    if (tensor) checks.push(tensor);
  }
  if (file.output === undefined || file.output === null) {
    checks.push({ check: "output hash", ok: true, detail: "no output in the file: only the receipt is checked" });
  }

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

  const attestation = await findAttestation(context, file, node.registered ? node.endpoint : "", lookup);
  checks.push({ check: "attested", ok: attestation.kind !== "invalid", detail: attestation.detail });

  const invalid = checks.find((check) => !check.ok);
  if (invalid) return { verdict: "invalid", reason: `${invalid.check}: ${invalid.detail}`, checks };

  const state = await getReceiptState(read, { ...attestations, receiptHash });
  if (state === ReceiptState.Rejected) {
    checks.push({ check: "dispute", ok: false, detail: "rejected: a dispute found it wrong" });
    return { verdict: "rejected", reason: "a dispute found it wrong", checks };
  }
  if (state === ReceiptState.Disputed) {
    const detail = "under dispute (see `verity dispute list`)";
    checks.push({ check: "dispute", ok: true, detail });
    return { verdict: "disputed", reason: detail, checks };
  }
  checks.push({
    check: "dispute",
    ok: true,
    detail: state === ReceiptState.Upheld ? "a dispute upheld it" : "none",
  });
  if (attestation.kind !== "attested") return { verdict: "pending", reason: attestation.detail, checks };

  const [final, block] = await Promise.all([
    isFinal(read, { ...attestations, receipt, batchId: attestation.batchId, proof: attestation.proof }),
    read.getBlock({ blockTag: "latest" }),
  ]);
  const open = BigInt(attestation.windowEnd) > block.timestamp;
  checks.push({
    check: "challenge window",
    ok: true,
    detail: `${open ? "open until" : "closed at"} ${formatTime(attestation.windowEnd)}`,
  });
  if (final) return { verdict: "final", reason: null, checks };
  return { verdict: "attested", reason: `challenge window open until ${formatTime(attestation.windowEnd)}`, checks };
}

/** Where `receipt verify` looks for a batch proof the file lacks: the node, then batch files. */
interface ProofLookup {
  nodeUrl: string | undefined;
  contentDir: string | undefined;
}

/** Where the receipt is attested, or why it is not (yet). */
type Attestation =
  | { kind: "attested"; batchId: Hex; proof: Hex[]; windowEnd: number; detail: string }
  | { kind: "pending"; detail: string }
  | { kind: "invalid"; detail: string };

/**
 * Finds the receipt's attestation: singly; in the batch the file names (with its proof); else in the batch its node
 * reports (`GET /v1/receipts/<hash>` at `--node-url` or the registered endpoint). A batch not on chain yet, or no
 * batch at all, is pending; a proof that does not lead to the batch's root is invalid.
 */
async function findAttestation(
  context: ChainContext,
  file: ReceiptFile,
  endpoint: string,
  { nodeUrl, contentDir }: ProofLookup,
): Promise<Attestation> {
  const read = context.clients.publicClient;
  const address = context.contracts.attestationRegistry;
  const { receipt } = file;
  const single = await getReceipt(read, { address, receipt });
  if (single.windowEnd !== 0) {
    return { kind: "attested", batchId: zeroHash, proof: [], windowEnd: single.windowEnd, detail: "singly" };
  }
  let batchId = file.batchId;
  let proof = file.proof;
  let source = "the file's";
  if (batchId === undefined || proof === undefined) {
    const url = nodeUrl ?? endpoint;
    let found: FetchReceiptProofReturnType =
      url === ""
        ? { kind: "unavailable", reason: "no node to ask" }
        : await fetchReceiptProof(url, getReceiptStructHash(receipt));
    let from = "the node";
    if (found.kind !== "batched") {
      const files = await findReceiptInBatchFiles(context, receipt, { contentDir, endpoint: url || undefined });
      if (files.kind === "found") {
        found = { kind: "batched", batchId: files.batchId, proof: files.proof };
        from = "the batch file";
      } else if (found.kind === "unbatched") {
        return { kind: "pending", detail: `not attested; ${url} has not batched it yet` };
      } else {
        return {
          kind: "pending",
          detail: `not attested singly; no batch proof (${found.reason}; batch files: ${files.reason})`,
        };
      }
    }
    if (batchId !== undefined && batchId !== found.batchId) {
      return { kind: "invalid", detail: `the file names batch ${batchId}, the node batched it in ${found.batchId}` };
    }
    batchId = found.batchId;
    proof = found.proof;
    source = from === "the node" ? "the node's" : "the batch file's";
  }
  const batch = await getBatch(read, { address, id: batchId });
  if (batch.node === zeroAddress) {
    return { kind: "pending", detail: `batch ${batchId} is not on chain yet` };
  }
  if (!(await verifyInclusion(read, { address, receipt, batchId, proof }))) {
    return {
      kind: "invalid",
      detail: `${source} proof does not lead from this receipt to batch ${batchId}'s root: it is not in that batch`,
    };
  }
  return {
    kind: "attested",
    batchId,
    proof,
    windowEnd: batch.windowEnd,
    detail: `in batch ${batchId} (${batch.count} receipts; proof from ${source.replace(/'s$/, "")})`,
  };
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
