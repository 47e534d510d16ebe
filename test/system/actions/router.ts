import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, keccak256 } from "ethers";
import type { TransactionReceipt } from "ethers";
import type { Hex } from "viem";
import { eventsOf, reverted, send } from "../chain";
import type { InputMode, TrackedRequest } from "../model";
import { TOKEN } from "../system";
import type { NodeActor, Receipt } from "../system";
import { ReceiptState, RequestState, fmt } from "../world";
import type { World } from "../world";

/**
 * The router: requests (input on chain, published off chain, or withheld), fulfilments by honest and lying nodes,
 * claims of an unavailable input and its later publication, disputes of disagreeing fulfilments, reassignment,
 * settlement and refund.
 */

/** An honest assigned node's turn: it serves when it can get the input, else claims it unavailable. */
async function serveHonest(w: World, request: TrackedRequest) {
  if (!request.open) return;
  if (Number(await w.s.router.state(request.id)) !== RequestState.Pending) return;
  for (const slot of await w.s.router.getAssignments(request.id)) {
    const node = w.s.nodes.find((n) => n.address === slot.node);
    if (!node?.honest || slot.rank !== 0n || slot.inputClaimed) continue;
    const served = (request.mode !== "withheld" || request.onChain) && (await fulfil(w, request, node, true));
    if (!served) await claimUnavailable(w, request, node);
  }
}

async function claimUnavailable(w: World, request: TrackedRequest, node: NodeActor) {
  const result = await send(`${node.name} claims the input unavailable`, () =>
    w.s.router.connect(node.account).claimInputUnavailable(request.id),
  );
  if (!reverted(result)) w.count("honest input claim");
  if (!reverted(result)) w.note(`  ${node.name} claims the input of ${request.id.slice(0, 8)} unavailable`);
}

/** Attests `node`'s receipt for `request` and relays it; false when the node could not attest or relay it. */
async function fulfil(w: World, request: TrackedRequest, node: NodeActor, correct: boolean): Promise<boolean> {
  const receipt = await w.receiptFor(node, correct, {
    requestId: request.id as Receipt["requestId"],
    inputHash: request.inputHash as Receipt["inputHash"],
  });
  const tracked = await w.attestSingle(node, receipt, correct);
  if (!tracked) return false;
  const before = await w.before();
  const allowed = node.honest ? [] : ["RouterDeadlinePassed", "RouterUnexpectedState", "RouterAlreadyFulfilled"];
  const result = await send(
    `${node.name} fulfils`,
    () => w.s.router.fulfill(request.id, receipt, ethers.ZeroHash, []),
    allowed,
  );
  if (reverted(result)) return false;
  request.fulfilments.push({ node: node.address, receipt: tracked });
  w.note(`  ${node.name} fulfils request ${request.id.slice(0, 8)} ${correct ? "correctly" : "wrongly"}`);
  await w.recordDisputes(result, before);
  return true;
}

/** The nodes a transaction assigned (at a request or a reassignment). */
function assigned(w: World, receipt: TransactionReceipt): string[] {
  return eventsOf(receipt, w.s.router, "NodeAssigned").map((e) => String(e.args.node));
}

export interface RequestShape {
  user: number;
  redundancy: number;
  mode: InputMode;
  fee: number;
  minutes: number;
  liarFirst: boolean;
  liarWrong: boolean;
}

/** A consumer's request; with `liarFirst` a lying assigned node serves before the honest ones (wrongly if `liarWrong`). */
export async function request(w: World, r: RequestShape) {
  const consumer = w.user(r.user);
  const input = AbiCoder.defaultAbiCoder().encode(["string", "bytes32"], ["input", w.m.fresh("router-input")]) as Hex;
  const inputHash = keccak256(input) as Hex;
  const fee = BigInt(r.fee) * TOKEN;
  const params = {
    modelId: w.s.modelId,
    inputHash,
    inputURI: `ipfs://${inputHash}`,
    input: r.mode === "onChain" ? input : "0x",
    redundancy: r.redundancy,
    deadline: (await time.latest()) + 1 + r.minutes * 60,
    callbackGasLimit: 0,
    fee,
  };
  w.note(`${consumer.name} requests (redundancy ${r.redundancy}, input ${r.mode})`);
  const result = await send("request", () => w.s.router.connect(consumer.account).request(params), [
    "RouterNotEnoughNodes",
  ]);
  if (reverted(result)) return w.note(`  reverted ${result.reverted}`);
  const tracked: TrackedRequest = {
    id: String(eventsOf(result, w.s.router, "RequestCreated")[0]!.args.id),
    consumer: consumer.address,
    fee,
    inputHash,
    input,
    mode: r.mode,
    onChain: r.mode === "onChain",
    open: true,
    fulfilments: [],
  };
  w.m.requests.push(tracked);
  const nodes = assigned(w, result);
  w.note(`  assigned ${nodes.map((a) => w.nameOf(a)).join(", ")}`);
  if (r.liarFirst && nodes.includes(w.liar.address)) await fulfil(w, tracked, w.liar, !r.liarWrong);
  await serveHonest(w, tracked);
}

/** An open request in one of `states`. */
async function requestIn(w: World, index: number, ...states: number[]) {
  const open = w.m.requests.filter((r) => r.open);
  const current = await Promise.all(open.map((r) => w.s.router.state(r.id)));
  return w.pick(
    open.filter((_, i) => states.includes(Number(current[i]))),
    index,
  );
}

/** The lying node, when assigned to an unfilled slot: serves right (0), wrong (1), or falsely claims the input (2). */
export async function liarActs(w: World, index: number, kind: number) {
  const request = await requestIn(w, index, RequestState.Pending);
  if (!request) return;
  const slot = (await w.s.router.getAssignments(request.id)).find((a) => a.node === w.liar.address && a.rank === 0n);
  if (!slot) return;
  if (kind < 2) {
    await fulfil(w, request, w.liar, kind === 0);
    return;
  }
  const result = await send(
    "liar claims the input",
    () => w.s.router.connect(w.liar.account).claimInputUnavailable(request.id),
    ["RouterInputAlreadyClaimed"],
  );
  w.note(
    `liar claims the input of ${request.id.slice(0, 8)} unavailable${reverted(result) ? `: ${result.reverted}` : ""}`,
  );
}

/** The consumer puts a withheld input on chain at last: the claimants get a full response time and serve. */
export async function publishInput(w: World, index: number) {
  const request = w.pick(
    (await Promise.all(w.m.requests.map(async (r) => ({ r, s: Number(await w.s.router.state(r.id)) })))).filter(
      ({ r, s }) => r.open && !r.onChain && s === RequestState.Pending,
    ),
    index,
  )?.r;
  if (!request) return;
  const consumer = w.s.users.find((u) => u.address === request.consumer)!;
  await send("publishInput", () => w.s.router.connect(consumer.account).publishInput(request.id, request.input));
  request.onChain = true;
  w.count("input published late");
  w.note(`${consumer.name} publishes the input of ${request.id.slice(0, 8)}`);
  await serveHonest(w, request);
}

/** Anyone puts a disagreeing fulfilment not yet judged under judgment (the earlier side of a disagreement too). */
export async function disputeFulfillment(w: World, index: number) {
  const candidates = [];
  for (const request of w.m.requests.filter((r) => r.open)) {
    for (const f of request.fulfilments) {
      const disagrees = request.fulfilments.some((g) => g.receipt.receipt.outputHash !== f.receipt.receipt.outputHash);
      const state = Number(await w.s.attestation.receiptState(f.receipt.hash));
      if (disagrees && state === ReceiptState.None) candidates.push({ request, f });
    }
  }
  const pick = w.pick(candidates, index);
  if (!pick) return;
  const { request, f } = pick;
  const before = await w.before();
  const result = await send(
    "disputeFulfillment",
    () => w.s.router.disputeFulfillment(request.id, f.receipt.receipt, f.receipt.batchId, f.receipt.proof),
    ["AttestationWindowClosed"],
  );
  w.note(`dispute ${w.nameOf(f.node)}'s disagreeing fulfilment${reverted(result) ? `: ${result.reverted}` : ""}`);
  if (!reverted(result)) await w.recordDisputes(result, before);
}

function checkPenalties(w: World, receipt: TransactionReceipt): string {
  const penalized = eventsOf(receipt, w.s.router, "NodePenalized").map((e) => {
    const node = w.s.nodes.find((n) => n.address === String(e.args.node));
    if (node?.honest && BigInt(e.args.slashed) > 0n) {
      w.fail(
        "an honest node is never penalized",
        `${node.name} lost ${fmt(BigInt(e.args.slashed))} for a missed deadline`,
      );
    }
    return `${w.nameOf(String(e.args.node))} -${fmt(BigInt(e.args.slashed))}`;
  });
  return penalized.length ? `; penalized ${penalized.join(", ")}` : "";
}

/** Replaces the nodes that missed a deadline (waiting for the deadline, or the end of a publication period, first). */
export async function reassign(w: World, index: number) {
  const request = await requestIn(w, index, RequestState.Pending, RequestState.Expired);
  if (!request) return;
  const { deadline, publishBy } = await w.s.router.getRequest(request.id);
  await w.waitUntil(deadline > publishBy ? deadline : publishBy);
  if (Number(await w.s.router.state(request.id)) !== RequestState.Expired) return;
  const result = await send("reassign", () => w.s.router.reassign(request.id));
  if (reverted(result)) return;
  w.note(`reassign ${request.id.slice(0, 8)} (input ${request.mode})${checkPenalties(w, result)}`);
  await serveHonest(w, request);
}

/** Settles (or refunds) a request; a fee is paid only for a final or upheld receipt, never a wrong one contradicted. */
export async function settleRequest(w: World, index: number) {
  const request = await requestIn(w, index, RequestState.Settleable, RequestState.Unservable, RequestState.Verifying);
  if (!request) return;
  // A keeper waits for the windows (as the registry extends them) unless a dispute holds the request.
  let last = 0n;
  for (const a of await w.s.router.getAssignments(request.id)) {
    if (a.rank === 0n) continue;
    const record = await w.s.attestation.getReceiptDispute(a.receiptHash);
    if (Number(record.state) === ReceiptState.Disputed) return;
    for (const end of [a.windowEnd, record.windowEnd]) if (end > last) last = end;
  }
  await w.waitUntil(last);
  const state = Number(await w.s.router.state(request.id));
  if (state !== RequestState.Settleable && state !== RequestState.Unservable) return;
  const settling = Number(await w.s.router.state(request.id)) === RequestState.Settleable;
  const claimants = (await w.s.router.getAssignments(request.id))
    .filter((a) => a.rank === 0n && a.inputClaimed && w.s.nodes.some((n) => n.honest && n.address === a.node))
    .map((a) => a.node);
  const result = await send(settling ? "settle" : "refund", () =>
    settling ? w.s.router.settle(request.id) : w.s.router.refund(request.id),
  );
  if (reverted(result)) return;
  request.open = false;
  w.count(settling ? "request settled" : "request refunded");
  w.note(
    `${settling ? "settle" : "refund"} ${request.id.slice(0, 8)} (input ${request.mode})${checkPenalties(w, result)}`,
  );
  // An input never put on chain costs the consumer: every honest node that claimed it is paid its share.
  const compensated = eventsOf(result, w.s.router, "InputClaimCompensated").map((e) => String(e.args.node));
  for (const node of request.onChain ? [] : claimants) {
    if (!compensated.includes(node)) {
      w.fail("an unservable input costs the consumer, not the nodes", `${w.nameOf(node)} claimed it and was not paid`);
    }
  }
  const outputs = new Set(request.fulfilments.map((f) => f.receipt.receipt.outputHash));
  for (const event of eventsOf(result, w.s.router, "FeePaid")) {
    const node = String(event.args.node);
    const paid = request.fulfilments.find((f) => f.node === node);
    if (!paid) return w.fail("model", `fee paid to ${w.nameOf(node)}, which did not fulfil`);
    paid.receipt.paid = true;
    w.count("fee paid");
    const r = paid.receipt;
    const [state, final] = await Promise.all([
      w.s.attestation.receiptState(r.hash),
      w.s.attestation.isFinal(r.receipt, r.batchId, r.proof),
    ]);
    if (Number(state) === ReceiptState.Rejected) {
      w.fail("a receipt judged wrong is never paid", `${w.nameOf(node)} was paid for a rejected receipt`);
    }
    if (!final && Number(state) !== ReceiptState.Upheld) {
      w.fail(
        "the router pays only a final receipt",
        `${w.nameOf(node)} was paid for its ${r.correct ? "correct" : "wrong"} receipt while the registry says it is ` +
          `not final (state ${state}, still challengeable)`,
      );
    }
    if (!r.correct && outputs.size > 1) {
      w.fail(
        "a wrong receipt in a disagreement is never paid",
        `${w.nameOf(node)}'s wrong fulfilment disagreed with another and was paid (receipt state ${state})`,
      );
    }
  }
}
