import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { parseEther, type Address, type Hex } from "viem";
import {
  attestationRegistryAbi,
  disputeManagerAbi,
  modelRegistryAbi,
  nodeRegistryAbi,
  stakingAbi,
} from "../../src/chain/abis.generated";
import { sendTransaction } from "../../src/chain/sendTransaction";
import { getIrisSplit, readModelManifest } from "../../src/models";
import {
  buildReceiptBatch,
  createTensor,
  encodeTensor,
  getBatchDataHash,
  getReceiptStructHash,
  getTensorHash,
  serializeBatchFile,
  signBatch,
  bytesToHex,
  type BatchFile,
  type Receipt,
} from "../../src/protocol";
import { createIntegerRuntime, getOnchainRuntimeId, parseIntegerModel, quantizeInput } from "../../src/runtime";
import { ModelCatalog } from "../../src/verifier/ModelCatalog";
import { VerdictStore } from "../../src/verifier/VerdictStore";
import type { VerifierContext } from "../../src/verifier/context";
import { DisputeState } from "../../src/verifier/pursueChallenges";
import { runVerifierStep } from "../../src/verifier/runVerifierStep";
import { labelId, startLocalSystem, type LocalSystem } from "./localSystem";

const MODELS_DIR = path.resolve(__dirname, "..", "..", "models");
const STAKE = parseEther("1000");

describe("verifier end to end on a real JSON-RPC chain", function () {
  this.timeout(300_000);
  let system: LocalSystem;
  const contentDir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-content-"));

  before(async function () {
    system = await startLocalSystem({ VERITY_MINIMUM_STAKE: parseEther("100").toString() });
  });

  after(async function () {
    await system?.stop();
  });

  function verifierContext(index: number, challenge: boolean): VerifierContext {
    const clients = system.clients(index);
    return {
      clients,
      chainId: system.deployment.chainId,
      addresses: {
        token: system.addresses.token!,
        modelRegistry: system.addresses.modelRegistry!,
        nodeRegistry: system.addresses.nodeRegistry!,
        attestationRegistry: system.addresses.attestationRegistry!,
        disputeManager: system.addresses.disputeManager!,
      },
      store: new VerdictStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verity-verifier-")), "db.sqlite")),
      catalog: new ModelCatalog([createIntegerRuntime()], [MODELS_DIR]),
      logger: pino({ level: process.env.VERITY_TEST_LOG ?? "silent" }),
      contentDir,
      auditShare: 1,
      confirmations: 0n,
      maxBlockRange: 1_000n,
      beneficiary: clients.walletClient!.account.address,
      challenge,
    };
  }

  it("challenges a node that lies about an output; the committee slashes and jails it", async function () {
    const manifest = readModelManifest(MODELS_DIR);
    const entry = manifest.models.find((model) => model.runtimeId === "verity-int8-v1")!;
    const modelId = entry.modelId as Hex;
    const owner = system.clients(0);
    const { addresses } = system;

    // The model owner registers the bundled integer model (EXACT).
    await sendTransaction(owner, {
      address: addresses.modelRegistry!,
      abi: modelRegistryAbi,
      functionName: "registerModel",
      args: [
        {
          id: modelId,
          runtimeId: getOnchainRuntimeId(entry.runtimeId),
          mode: 0,
          tolerance: 0n,
          weightsRoot: modelId,
          previous: `0x${"00".repeat(32)}`,
          metadataURI: "file://models/iris-int8.vmodel",
        },
      ],
    });

    // Account 1 runs an inference node with signer key account 2; accounts 3-6 are verifiers (3 challenges).
    const node = system.clients(1);
    const signer = system.account(2);
    const registrations: [number, Address, number][] = [
      [1, signer.address, 0],
      [3, system.account(13).address, 1],
      [4, system.account(14).address, 1],
      [5, system.account(15).address, 1],
      [6, system.account(16).address, 1],
    ];
    for (const [index, signerAddress, role] of registrations) {
      const clients = system.clients(index);
      await sendTransaction(clients, {
        address: addresses.nodeRegistry!,
        abi: nodeRegistryAbi,
        functionName: "registerNode",
        args: [signerAddress, `http://127.0.0.1:1/node-${index}`, role, [modelId]],
      });
      await sendTransaction(clients, {
        address: addresses.token!,
        abi: [
          {
            type: "function",
            name: "approve",
            stateMutability: "nonpayable",
            inputs: [
              { name: "spender", type: "address" },
              { name: "amount", type: "uint256" },
            ],
            outputs: [{ type: "bool" }],
          },
        ],
        functionName: "approve",
        args: [addresses.staking!, STAKE],
      });
      await sendTransaction(clients, {
        address: addresses.staking!,
        abi: stakingAbi,
        functionName: "stake",
        args: [STAKE],
      });
    }

    // The node serves four held-out samples honestly and lies about the fifth.
    const artifact = new Uint8Array(fs.readFileSync(path.join(MODELS_DIR, entry.file)));
    const integerModel = parseIntegerModel(artifact);
    const loaded = await createIntegerRuntime().load(artifact);
    const nodeAddress = node.walletClient!.account.address;
    const entries: BatchFile["entries"] = [];
    const samples = getIrisSplit().heldOut.slice(0, 5);
    for (const [i, sample] of samples.entries()) {
      const input = quantizeInput(integerModel, sample.features);
      const result = await loaded.run(input);
      const lie = i === 4;
      const output = lie
        ? createTensor("int32", [1], [((Number(result.output.data[0]) + 1) % 3) as number])
        : result.output;
      const receipt: Receipt = {
        requestId: labelId(`request-${i}`),
        modelId,
        inputHash: getTensorHash(input),
        outputHash: getTensorHash(output),
        traceRoot: result.traceRoot,
        node: nodeAddress,
        issuedAt: BigInt(Math.floor(Date.now() / 1000)),
      };
      entries.push({
        receipt,
        input: { encoding: bytesToHex(encodeTensor(input)) },
        output: { encoding: bytesToHex(encodeTensor(output)) },
      });
    }
    const lyingHash = getReceiptStructHash(entries[4]!.receipt);
    const tree = buildReceiptBatch(entries.map((e) => e.receipt));
    const file: BatchFile = {
      version: 1,
      node: nodeAddress,
      sequence: 1n,
      entries: tree.order.map((index) => entries[index]!),
    };
    const dataHash = getBatchDataHash(file);
    fs.mkdirSync(path.join(contentDir, "batches"), { recursive: true });
    fs.writeFileSync(path.join(contentDir, "batches", `${dataHash}.json`), serializeBatchFile(file));
    const batch = { node: nodeAddress, sequence: 1n, root: tree.root, count: tree.count, dataHash };
    const signature = await signBatch({
      signer,
      domain: { chainId: system.deployment.chainId, verifyingContract: addresses.attestationRegistry! },
      batch,
    });
    await sendTransaction(node, {
      address: addresses.attestationRegistry!,
      abi: attestationRegistryAbi,
      functionName: "submitBatch",
      args: [batch, signature],
    });

    // The challenger audits, finds the lie and challenges it; committee members only vote.
    const challenger = verifierContext(3, true);
    const committee = [4, 5, 6].map((index) => verifierContext(index, false));
    const startBlock = BigInt(system.deployment.startBlock);
    const first = await runVerifierStep(challenger, startBlock);
    expect(first).to.include({ attestationsRecorded: 1, batchesAudited: 1, receiptsChecked: 5, wrongResults: 1 });
    expect(first.challengesOpened).to.equal(1);
    expect(challenger.store.getVerdict(lyingHash)?.verdict).to.equal("wrong-output");
    expect(challenger.store.verdicts({ verdict: "valid" })).to.have.length(4);
    const disputeId = BigInt(challenger.store.getChallenge(lyingHash)!.disputeId!);

    // Once the draw block has passed, the challenger draws the committee; it never challenges twice.
    await system.mine();
    await system.mine();
    expect((await runVerifierStep(challenger, startBlock)).challengesOpened).to.equal(0);
    const read = (functionName: "state", id: bigint) =>
      system.clients(0).publicClient.readContract({
        address: addresses.disputeManager!,
        abi: disputeManagerAbi,
        functionName,
        args: [id],
      });
    expect(await read("state", disputeId)).to.equal(DisputeState.Committing);

    for (const member of committee) await runVerifierStep(member, startBlock);
    await system.advanceTime(3_601);
    for (const member of committee) await runVerifierStep(member, startBlock);
    expect(await read("state", disputeId)).to.be.oneOf([DisputeState.Revealing, DisputeState.Resolvable]);
    await system.advanceTime(3_601);
    await runVerifierStep(challenger, startBlock);
    expect(await read("state", disputeId)).to.equal(DisputeState.Resolved);

    const publicClient = system.clients(0).publicClient;
    const dispute = await publicClient.readContract({
      address: addresses.disputeManager!,
      abi: disputeManagerAbi,
      functionName: "getDispute",
      args: [disputeId],
    });
    expect(dispute.outcome).to.equal(1); // NodeWrong
    expect(dispute.revealedCount).to.be.greaterThanOrEqual(2);
    const nodeInfo = await publicClient.readContract({
      address: addresses.nodeRegistry!,
      abi: nodeRegistryAbi,
      functionName: "getNode",
      args: [nodeAddress],
    });
    expect(nodeInfo.jailed).to.equal(true);
    const remaining = await publicClient.readContract({
      address: addresses.staking!,
      abi: stakingAbi,
      functionName: "slashableStakeOf",
      args: [nodeAddress],
    });
    expect(remaining).to.be.lessThan(STAKE);
    for (const member of [challenger, ...committee]) member.store.close();
  });
});
