/**
 * Gas benchmark: Verity attestations side by side with EAS `attest`, in one run on the Hardhat network.
 *
 *   npx hardhat run scripts/bench-gas.ts                 human table
 *   BENCH_JSON=1 npx hardhat run scripts/bench-gas.ts    JSON (`hardhat run` forwards no flags)
 *   npx ts-node --files scripts/bench-gas.ts --json      JSON, run standalone
 *   npm run gas:snapshot / npm run gas:check             rewrite / compare the committed gas-snapshot.json
 *
 * The floor of a transaction is what no design can avoid: 21,000 base + calldata gas of its actual data (4 per zero
 * byte, 16 per other byte) + 22,100 per storage slot it writes that was zero before + 3,000 per ecrecover it runs.
 * Slots and ecrecovers are counted from the transaction's own trace, not assumed.
 */
import { ethers } from "hardhat";
import { ContractFactory, getBytes, keccak256, toBeHex, toUtf8Bytes, zeroPadValue } from "ethers";
import type { ContractTransactionResponse, Signer } from "ethers";
import SchemaRegistryArtifact from "@ethereum-attestation-service/eas-contracts/artifacts/contracts/SchemaRegistry.sol/SchemaRegistry.json";
import EASArtifact from "@ethereum-attestation-service/eas-contracts/artifacts/contracts/EAS.sol/EAS.json";
import { deployVeritySystem } from "./bench/verity-system";
import { applyGasSnapshotMode } from "./bench/gasSnapshot";
import { measureValidatorGas } from "./bench/validator-gas";
import type { Address, Hex } from "viem";
import { buildReceiptBatch, signBatch, signReceipt } from "../src/protocol";
import type { Receipt, ReceiptBatch } from "../src/protocol";

const BASE_GAS = 21_000n;
const NEW_SLOT_GAS = 22_100n;
const ECRECOVER_GAS = 3_000n;
const BATCH_SIZES = [1, 16, 256, 1024] as const;
const RECEIPT_SCHEMA =
  "bytes32 requestId,bytes32 modelId,bytes32 inputHash,bytes32 outputHash,bytes32 traceRoot,address node,uint64 issuedAt";

/** Fixed issue time: every input of the run is deterministic, so its gas figures are exact and repeatable. */
const ISSUED_AT = 1_767_225_600n;
let hashCounter = 0;
/** The next hash of a deterministic sequence (calldata gas depends on the bytes, so they must not be random). */
const nextHash = (): Hex => keccak256(toUtf8Bytes(`bench-gas/${hashCounter++}`)) as Hex;

function makeReceipt(node: Address, modelId: Hex): Receipt {
  return {
    requestId: nextHash(),
    modelId,
    inputHash: nextHash(),
    outputHash: nextHash(),
    traceRoot: nextHash(),
    node,
    issuedAt: ISSUED_AT,
  };
}

/** One measured transaction. */
interface Measurement {
  gasUsed: bigint;
  calldataBytes: number;
  calldataGas: bigint;
  newSlots: number;
  ecrecovers: number;
  floor: bigint;
}

/** One row of the report. */
interface Row {
  case: string;
  receipts: number;
  gasTotal: number;
  gasPerReceipt: number;
  calldataBytes: number;
  newSlots: number;
  ecrecovers: number;
  floor: number;
  ratioToFloor: number;
  ratioToEas: number;
}

interface TraceStep {
  op: string;
  depth: number;
  stack?: string[];
}

function calldataGas(data: string): bigint {
  let gas = 0n;
  for (const byte of getBytes(data)) gas += byte === 0 ? 4n : 16n;
  return gas;
}

/** Storage slots written from zero and ecrecover calls, read from the transaction's struct-log trace. */
async function traceWrites(txHash: string, to: string, blockNumber: number) {
  const trace = (await ethers.provider.send("debug_traceTransaction", [
    txHash,
    { disableMemory: true, disableStorage: true },
  ])) as { structLogs: TraceStep[] };
  const frames: string[] = [to.toLowerCase()];
  const written = new Set<string>();
  let ecrecovers = 0;
  const logs = trace.structLogs;
  for (let i = 0; i < logs.length; i++) {
    const step = logs[i];
    frames.length = step.depth;
    const stack = step.stack ?? [];
    const top = (n: number) => BigInt(`0x${stack[stack.length - 1 - n].replace(/^0x/, "")}`);
    if (step.op === "SSTORE") {
      written.add(`${frames[step.depth - 1]}:${toBeHex(top(0), 32)}`);
    } else if (["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"].includes(step.op)) {
      const target = zeroPadValue(toBeHex(top(1)), 20).toLowerCase();
      if (BigInt(target) === 1n) ecrecovers++;
      const next = logs[i + 1];
      if (next && next.depth === step.depth + 1) {
        const keepsStorage = step.op === "DELEGATECALL" || step.op === "CALLCODE";
        frames[step.depth] = keepsStorage ? frames[step.depth - 1] : target;
      }
    }
  }
  let newSlots = 0;
  for (const entry of written) {
    const [address, slot] = entry.split(":");
    const before = await ethers.provider.getStorage(address, slot, blockNumber - 1);
    const after = await ethers.provider.getStorage(address, slot, blockNumber);
    if (BigInt(before) === 0n && BigInt(after) !== 0n) newSlots++;
  }
  return { newSlots, ecrecovers };
}

async function measure(sent: Promise<ContractTransactionResponse>): Promise<Measurement> {
  const tx = await sent;
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1 || !tx.to) throw new Error(`transaction ${tx.hash} failed`);
  const { newSlots, ecrecovers } = await traceWrites(tx.hash, tx.to, receipt.blockNumber);
  const cdGas = calldataGas(tx.data);
  const floor = BASE_GAS + cdGas + NEW_SLOT_GAS * BigInt(newSlots) + ECRECOVER_GAS * BigInt(ecrecovers);
  return {
    gasUsed: receipt.gasUsed,
    calldataBytes: getBytes(tx.data).length,
    calldataGas: cdGas,
    newSlots,
    ecrecovers,
    floor,
  };
}

function row(name: string, receipts: number, m: Measurement, easPerReceipt: number): Row {
  const gasTotal = Number(m.gasUsed);
  const gasPerReceipt = gasTotal / receipts;
  return {
    case: name,
    receipts,
    gasTotal,
    gasPerReceipt,
    calldataBytes: m.calldataBytes,
    newSlots: m.newSlots,
    ecrecovers: m.ecrecovers,
    floor: Number(m.floor),
    ratioToFloor: gasTotal / Number(m.floor),
    ratioToEas: gasPerReceipt / easPerReceipt,
  };
}

async function deployEas(deployer: Signer) {
  const schemaRegistry = await new ContractFactory(
    SchemaRegistryArtifact.abi,
    SchemaRegistryArtifact.bytecode,
    deployer,
  ).deploy();
  await schemaRegistry.waitForDeployment();
  const eas = await new ContractFactory(EASArtifact.abi, EASArtifact.bytecode, deployer).deploy(
    await schemaRegistry.getAddress(),
  );
  await eas.waitForDeployment();
  const register = schemaRegistry.getFunction("register");
  const schemaUid = await register.staticCall(RECEIPT_SCHEMA, ethers.ZeroAddress, true);
  await (await register(RECEIPT_SCHEMA, ethers.ZeroAddress, true)).wait();
  return { eas, schemaUid: schemaUid as string };
}

function printTable(rows: Row[]) {
  const header = [
    "case",
    "receipts",
    "gas total",
    "gas/receipt",
    "calldata B",
    "new slots",
    "floor",
    "× floor",
    "× EAS",
  ];
  const cells = rows.map((r) => [
    r.case,
    String(r.receipts),
    r.gasTotal.toLocaleString("en-US"),
    r.gasPerReceipt.toLocaleString("en-US", { maximumFractionDigits: 1 }),
    String(r.calldataBytes),
    String(r.newSlots),
    r.floor.toLocaleString("en-US"),
    r.ratioToFloor.toFixed(3),
    r.ratioToEas.toFixed(4),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const c of cells) console.log(line(c));
}

async function main() {
  const json = process.argv.includes("--json") || process.env.BENCH_JSON === "1";
  const [deployer, keeper] = await ethers.getSigners();
  const network = await ethers.provider.getNetwork();

  const { eas, schemaUid } = await deployEas(deployer);
  const verity = await deployVeritySystem(deployer);
  const { registry, node, signer, modelId, domain } = verity;

  // EAS: one attestation of the receipt fields, no expiration, revocable, by the attester itself.
  const easReceipt = makeReceipt(node, modelId);
  const data = ethers.AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "bytes32", "bytes32", "bytes32", "bytes32", "address", "uint64"],
    [
      easReceipt.requestId,
      easReceipt.modelId,
      easReceipt.inputHash,
      easReceipt.outputHash,
      easReceipt.traceRoot,
      easReceipt.node,
      easReceipt.issuedAt,
    ],
  );
  const attest = eas.getFunction("attest");
  const easRequest = {
    schema: schemaUid,
    data: { recipient: node, expirationTime: 0n, revocable: true, refUID: ethers.ZeroHash, data, value: 0n },
  };
  const easM = await measure(attest(easRequest));
  const easPerReceipt = Number(easM.gasUsed);

  const rows: Row[] = [row("EAS attest", 1, easM, easPerReceipt)];

  // Verity single receipt, relayed by a keeper.
  const receipt = makeReceipt(node, modelId);
  const single = await measure(
    registry.connect(keeper).submitReceipt(receipt, await signReceipt({ signer, domain, receipt })),
  );
  rows.push(row("Verity single receipt", 1, single, easPerReceipt));

  // Verity batches. The node's first batch creates its sequence slot; a running node only updates it, so the
  // measured batches follow a first one (reported separately).
  let sequence = 1n;
  const submit = async (count: number, label: string) => {
    const built = buildReceiptBatch(Array.from({ length: count }, () => makeReceipt(node, modelId)));
    const batch: ReceiptBatch = { node, sequence, root: built.root, count: built.count, dataHash: nextHash() };
    sequence++;
    const m = await measure(registry.connect(keeper).submitBatch(batch, await signBatch({ signer, domain, batch })));
    rows.push(row(label, count, m, easPerReceipt));
  };
  await submit(1, "Verity batch, node's first");
  for (const size of BATCH_SIZES) await submit(size, `Verity batch of ${size}`);

  const verityPerReceipt1024 = rows[rows.length - 1].gasPerReceipt;
  const singleRatio = rows[1].ratioToFloor;
  const targets = {
    perReceiptAt1024: { measured: verityPerReceipt1024, target: 100, met: verityPerReceipt1024 <= 100 },
    singleToFloor: { measured: singleRatio, target: 1.3, met: singleRatio <= 1.3 },
  };

  // Measured last, so the cases above keep their figures.
  const validatorGas = await measureValidatorGas({
    registry,
    keeper,
    node,
    signer,
    domain,
    makeReceipt: () => makeReceipt(node, modelId),
  });

  process.exitCode = applyGasSnapshotMode({
    ...Object.fromEntries(rows.map((r) => [r.case, r.gasTotal])),
    ...validatorGas,
  });
  if (json) {
    console.log(
      JSON.stringify(
        {
          network: network.name,
          chainId: Number(network.chainId),
          system: verity.description,
          rows,
          targets,
          validator: validatorGas,
        },
        null,
        2,
      ),
    );
    return;
  }
  console.log(`Gas on ${network.name} (chain ${network.chainId}); Verity system: ${verity.description}`);
  console.log("floor = 21,000 + calldata gas (4/16) + 22,100 × new slots + 3,000 × ecrecover (from the trace)\n");
  printTable(rows);
  console.log(
    `\ntargets: ≤ 100 gas/receipt at 1,024 → ${verityPerReceipt1024.toFixed(1)} (${targets.perReceiptAt1024.met ? "met" : "NOT met"}); ` +
      `single ≤ 1.3 × floor → ${singleRatio.toFixed(3)} (${targets.singleToFloor.met ? "met" : "NOT met"})`,
  );
  console.log("\nERC-8004 (test Validation Registry, reference v2.0.0 behaviour):");
  for (const [name, gas] of Object.entries(validatorGas)) console.log(`  ${name}: ${gas.toLocaleString("en-US")} gas`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
