import { ethers } from "hardhat";
import { privateKeyToAccount } from "viem/accounts";
import type { Hex } from "viem";
import { reverted, send } from "../chain";
import type { Equivocation } from "../model";
import { lie, signed } from "../system";
import type { Receipt } from "../system";
import type { World } from "../world";

/** Equivocation: the lying node signs two outputs for one request, may rotate its key, and anyone proves it. */

export async function equivocate(w: World, submitOne: boolean) {
  const liar = w.liar;
  const a = await w.receiptFor(liar, true);
  const b = { ...a, outputHash: lie(a.inputHash, 2) };
  const pair: Equivocation = {
    node: liar,
    a: { receipt: a, signature: await signed(w.s, liar.key, a) },
    b: { receipt: b, signature: await signed(w.s, liar.key, b) },
    proven: false,
  };
  w.m.equivocations.push(pair);
  w.note(`liar signs two outputs for one request${submitOne ? " and attests one" : ""}`);
  if (submitOne) await w.attestSingle(liar, b, false);
}

export async function rotateLiarKey(w: World) {
  const liar = w.liar;
  const key = privateKeyToAccount(ethers.Wallet.createRandom().privateKey as Hex);
  const result = await send("rotateSigner", () => w.s.nodeRegistry.connect(liar.account).rotateSigner(key.address), [
    "NodeRegistryNotRegistered",
  ]);
  if (reverted(result)) return;
  liar.key = key;
  liar.keys.push(key);
  w.note("liar rotates its signing key");
}

/** Evidence is judged against the signer registered when the receipts were signed: a rotation escapes nothing. */
export async function proveEquivocation(w: World, index: number, userIndex: number) {
  const pair = w.pick(
    w.m.equivocations.filter((e) => !e.proven),
    index,
  );
  if (!pair) return;
  const prover = w.user(userIndex);
  const evidence = (x: { receipt: Receipt; signature: string }) => ({
    receipt: x.receipt,
    kind: 0,
    signature: x.signature,
    batchId: ethers.ZeroHash,
    proof: [],
  });
  const result = await send(
    "proveEquivocation",
    () => w.s.equivocation.connect(prover.account).proveEquivocation(evidence(pair.a), evidence(pair.b)),
    ["EquivocationInvalidSignature"],
  );
  if (reverted(result)) {
    w.fail(
      "an equivocation is punished whatever the node did since",
      `two receipts signed by ${pair.node.name}'s signer of the time were refused as evidence (${result.reverted})`,
    );
  }
  pair.proven = true;
  w.count("equivocation proven");
  w.note(`${prover.name} proves the liar's equivocation`);
}
