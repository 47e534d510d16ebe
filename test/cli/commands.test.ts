import { expect } from "chai";
import { execFile, execFileSync, spawn } from "node:child_process";
import { promisify } from "node:util";
import { findFreePort } from "../../src/devnet/findFreePort";
import { waitUntil } from "../../src/devnet/waitUntil";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bytesToHex, erc20Abi, keccak256, maxUint256, parseEther, toHex, type Address, type Hex } from "viem";
import { attestationRegistryAbi, disputeManagerAbi } from "../../src/chain/abis.generated";
import { defineContractCall } from "../../src/chain/contractCall";
import { sendContractCall } from "../../src/chain/sendContractCall";
import { startLocalSystem, type LocalSystem } from "../../src/devnet/startLocalSystem";
import { readModelManifest } from "../../src/models";
import { getDigitsSplit } from "../../src/models/build/digits";
import {
  buildReceiptBatch,
  createTensor,
  getTensorHash,
  signBatch,
  signReceipt,
  type Receipt,
  getBatchId,
  encodeTensor,
  getBatchDataHash,
  serializeBatchFile,
  type BatchFile,
} from "../../src/protocol";
import { getNextSequence } from "../../src/chain/actions/getNextSequence";
import { BIN, ensureCompiledCli } from "./compiledCli";
import { DEAD_RPC_URL, parseJsonRun, runVerity } from "./runVerity";

const run = promisify(execFile);

/** The keys of the node's and the keeper's `/health`, which the verifier's shares. */
const HEALTH_KEYS = [
  "status",
  "problems",
  "account",
  "chainId",
  "crypto",
  "active",
  "cursor",
  "lastBlock",
  "lastError",
  "lastProgressAt",
];

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const MODELS_DIR = path.resolve(__dirname, "..", "..", "models");
const manifest = readModelManifest(MODELS_DIR);
const INT8_MODEL = manifest.models.find((model) => model.name === "iris-int8")!.modelId;
const F32_MODEL = manifest.models.find((model) => model.name === "iris-f32")!.modelId;

/** Development account roles. */
const OWNER = 0;
const OPERATOR = 1;
const SIGNER = 2;
const CHALLENGER = 3;
const CONSUMER = 5;
const VERIFIER = 6;
const STRANGER = 7;
/** A development account with ether but none of the stake token (startLocalSystem mints to accounts 1–12). */
const EMPTY_HANDED = 15;

describe("verity commands on a real JSON-RPC chain", function () {
  this.timeout(300_000);
  let system: LocalSystem;
  let chain: string[];
  let dir: string;
  const keyOf = (index: number): string => bytesToHex(system.account(index).getHdKey().privateKey!);
  const as = (index: number) => ({ VERITY_KEY: keyOf(index), VERITY_KEYSTORE: undefined });
  const noKey = { VERITY_KEY: undefined, VERITY_KEYSTORE: undefined };

  before(async function () {
    system = await startLocalSystem({ VERITY_MINIMUM_STAKE: parseEther("100").toString() });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-cli-"));
    const deployment = path.join(dir, "localhost.json");
    fs.writeFileSync(deployment, JSON.stringify(system.deployment));
    chain = ["--rpc-url", system.chain.rpcUrl, "--deployment", deployment];
  });

  after(async function () {
    await system?.stop();
  });

  describe("model", function () {
    it("registers the bundled integer model with the manifest's defaults and prints a table", async function () {
      const run = await runVerity(
        ["model", "register", path.join(MODELS_DIR, "iris-int8.vmodel"), ...chain],
        as(OWNER),
      );
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.contain(INT8_MODEL).and.contain("verity-int8-v1").and.contain("exact");
      expect(run.stderr).to.contain("registering model");
    });

    it("registers a float model from flags and shows it as JSON", async function () {
      // iris.onnx has a dynamic batch dimension N: registration needs its declared maximum.
      const args = [
        "--runtime",
        "onnxruntime-cpu-f32-v1",
        "--mode",
        "tolerance",
        "--tolerance",
        "0.0001",
        "--max-dim",
        "N=64",
      ];
      const run = await runVerity(
        [
          "model",
          "register",
          path.join(MODELS_DIR, "iris.onnx"),
          ...args,
          "--metadata-uri",
          "ipfs://iris",
          "--json",
        ].concat(chain),
        as(OWNER),
      );
      expect(parseJsonRun(run)).to.include({ modelId: F32_MODEL, mode: "tolerance", tolerance: "0.0001" });
      const shown = parseJsonRun(await runVerity(["model", "show", F32_MODEL, "--json", ...chain]));
      expect(shown).to.include({
        status: "active",
        runtime: "onnxruntime-cpu-f32-v1",
        mode: "tolerance",
        tolerance: "0.0001",
        owner: system.account(OWNER).address,
        metadataURI: "ipfs://iris",
      });
    });

    it("lists both models from their events, as a table and as JSON", async function () {
      const table = await runVerity(["model", "list", ...chain]);
      expect(table.code).to.equal(0);
      expect(table.stdout).to.contain(INT8_MODEL).and.contain(F32_MODEL).and.contain("metadataURI");
      const rows = parseJsonRun<{ modelId: string; status: string; name: string; runtime: string }[]>(
        await runVerity(["model", "list", "--json", ...chain]),
      );
      expect(rows.map((row) => row.modelId)).to.deep.equal([INT8_MODEL, F32_MODEL]);
      // Names from the bundled manifest's metadata, runtime ids decoded to the runtimes' names (not hashes).
      expect(rows[0]).to.include({ name: "iris-int8", runtime: "verity-int8-v1" });
      expect(rows[1]!.runtime).to.equal("onnxruntime-cpu-f32-v1");
      expect(table.stdout).to.contain("iris-int8").and.contain("verity-int8-v1");
    });

    it("exits 4 naming ModelRegistryAlreadyRegistered when registering a model twice", async function () {
      const run = await runVerity(
        ["model", "register", path.join(MODELS_DIR, "iris-int8.vmodel"), ...chain],
        as(OWNER),
      );
      expect(run.code).to.equal(4);
      expect(run.stderr).to.contain("ModelRegistryAlreadyRegistered");
    });

    it("exits 2 on a bad --mode and on tolerance mode without a tolerance", async function () {
      const bad = await runVerity(["model", "register", "x.onnx", "--mode", "fuzzy", ...chain], as(OWNER));
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain("Allowed choices are exact, tolerance");
      const file = path.join(dir, "new.onnx");
      fs.writeFileSync(file, "new model bytes");
      const missing = await runVerity(["model", "register", file, "--runtime", "r", "--mode", "tolerance", ...chain]);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.contain("--tolerance: tolerance mode needs a tolerance");
    });

    describe("bring your own ONNX model", function () {
      const ONNX_DIR = path.join(MODELS_DIR, "onnx");
      const onnxManifest = readModelManifest(ONNX_DIR);
      const cnn = onnxManifest.models.find((m) => m.name === "small-cnn")!;
      const modelCount = async () =>
        parseJsonRun<unknown[]>(await runVerity(["model", "list", "--json", ...chain])).length;

      it("refuses before any transaction: random bytes as pytorch-gpu EXACT, an unparsable ONNX, EXACT on native ONNX, an undeclared dynamic dimension", async function () {
        const before = await modelCount();
        const junk = path.join(dir, "junk.bin");
        fs.writeFileSync(junk, Buffer.from("random bytes, not a model"));
        const cases: [string[], RegExp][] = [
          [
            [junk, "--runtime", "pytorch-gpu", "--mode", "exact"],
            /Unknown runtime "pytorch-gpu"[\s\S]*--allow-unknown-runtime/,
          ],
          [
            [junk, "--runtime", "onnxruntime-cpu-f32-v1", "--mode", "tolerance", "--tolerance", "0.001"],
            /refuses the artifact: Not an ONNX model/,
          ],
          [
            [path.join(ONNX_DIR, "small-cnn.onnx"), "--runtime", "onnxruntime-cpu-f32-v1", "--mode", "exact"],
            /can't verify EXACT/,
          ],
          [
            [
              path.join(ONNX_DIR, "dynamic-batch.onnx"),
              "--runtime",
              "onnxruntime-cpu-f32-v1",
              "--mode",
              "tolerance",
              "--tolerance",
              "0.001",
            ],
            /need a declared maximum: N/,
          ],
          [
            [
              path.join(ONNX_DIR, "dynamic-batch.onnx"),
              "--runtime",
              "onnxruntime-cpu-f32-v1",
              "--mode",
              "tolerance",
              "--tolerance",
              "0.001",
              "--max-dim",
              "N",
            ],
            /--max-dim: expected <name>=<max>/,
          ],
        ];
        for (const [args, message] of cases) {
          const run = await runVerity(["model", "register", ...args, ...chain], as(OWNER));
          expect(run.code, run.stderr).to.equal(2);
          expect(run.stderr).to.match(message);
        }
        expect(await modelCount()).to.equal(before);
        const allowed = await runVerity(
          [
            "model",
            "register",
            junk,
            "--runtime",
            "pytorch-gpu",
            "--mode",
            "exact",
            "--allow-unknown-runtime",
            "--json",
            ...chain,
          ],
          as(OWNER),
        );
        expect(parseJsonRun(allowed)).to.include({ checked: false });
        expect(await modelCount()).to.equal(before + 1);
      });

      it("registers an ONNX model EXACT under the pinned WASM runtime with its signature as a content-addressed document", async function () {
        const out = fs.mkdtempSync(path.join(dir, "sig-"));
        const run = await runVerity(
          ["model", "register", path.join(ONNX_DIR, cnn.file), "--signature-dir", out, "--json", ...chain],
          as(OWNER),
        );
        const record = parseJsonRun<Record<string, unknown>>(run);
        expect(record).to.include({
          modelId: cnn.modelId,
          mode: "exact",
          metadataURI: cnn.signature,
          signature: cnn.signature,
        });
        expect(record.inputs).to.equal("image: float32 [1,1,8,8]");
        const written = fs.readFileSync(record.signatureFile as string, "utf8");
        expect(written).to.equal(fs.readFileSync(path.join(ONNX_DIR, `${cnn.signature!.slice(7)}.json`), "utf8"));
        const shown = parseJsonRun(await runVerity(["model", "show", cnn.modelId, "--json", ...chain]));
        expect(shown).to.include({ runtime: cnn.runtimeId, mode: "exact", metadataURI: cnn.signature });
      });

      it("compiles the float CNN to verity-int8-v2 and registers it EXACT under its commitment", async function () {
        const calibration = path.join(dir, "cnn-calibration.json");
        const digits = getDigitsSplit().train.slice(0, 50);
        fs.writeFileSync(
          calibration,
          JSON.stringify({
            samples: digits.map((d) => ({
              dtype: "float32",
              shape: [1, 1, 8, 8],
              data: d.features.map((p) => p / 16),
            })),
          }),
        );
        const out = path.join(dir, "small-cnn.vmodel2");
        const compiled = parseJsonRun<{ modelId: Hex }>(
          await runVerity([
            "model",
            "compile",
            path.join(ONNX_DIR, cnn.file),
            "--calibration",
            calibration,
            "--out",
            out,
            "--json",
          ]),
        );
        const run = await runVerity(
          ["model", "register", out, "--runtime", "verity-int8-v2", "--mode", "exact", "--json", ...chain],
          as(OWNER),
        );
        expect(parseJsonRun(run)).to.include({ modelId: compiled.modelId, runtime: "verity-int8-v2", mode: "exact" });
        const shown = parseJsonRun(await runVerity(["model", "show", compiled.modelId, "--json", ...chain]));
        expect(shown).to.include({ runtime: "verity-int8-v2", mode: "exact", status: "active" });
      });

      it("request submit checks named inputs against the signature before escrowing anything", async function () {
        const file = path.join(dir, "bad-image.json");
        fs.writeFileSync(
          file,
          JSON.stringify({ inputs: { img: { dtype: "float32", shape: [1, 1, 8, 8], data: new Array(64).fill(0) } } }),
        );
        const run = await runVerity(
          ["request", "submit", "--model", cnn.modelId, "--input", file, "--fee", "1", ...chain],
          as(CONSUMER),
        );
        expect(run.code, run.stderr).to.equal(2);
        expect(run.stderr).to.contain('unexpected input "img"').and.contain('missing input "image"');
        const nan = path.join(dir, "nan-image.json");
        fs.writeFileSync(
          nan,
          JSON.stringify({
            inputs: { image: { dtype: "float32", shape: [1, 1, 8, 8], data: ["NaN", ...new Array(63).fill(0)] } },
          }),
        );
        const second = await runVerity(
          ["request", "submit", "--model", cnn.modelId, "--input", nan, "--fee", "1", ...chain],
          as(CONSUMER),
        );
        expect(second.code, second.stderr).to.equal(2);
        expect(second.stderr).to.contain('input "image": element 0 is NaN or infinite');
        expect(run.stderr + second.stderr).to.not.contain("requesting");
      });
    });

    it("exits 1 for a model never registered", async function () {
      const run = await runVerity(["model", "show", `0x${"ab".repeat(32)}`, ...chain]);
      expect(run.code).to.equal(1);
      expect(run.stderr).to.contain("is registered");
    });

    it("exits 3 when the chain is down", async function () {
      const run = await runVerity(["model", "list", ...chain, "--rpc-url", DEAD_RPC_URL]);
      expect(run.code).to.equal(3);
      expect(run.stderr).to.contain(`chain unreachable at ${DEAD_RPC_URL}`);
    });
  });

  describe("node", function () {
    it("registers an operator with a separate signer", async function () {
      const signer = system.account(SIGNER).address;
      const run = await runVerity(
        [
          "node",
          "register",
          "--signer",
          signer,
          "--endpoint",
          "http://127.0.0.1:9/node",
          "--models",
          INT8_MODEL,
          "--json",
        ].concat(chain),
        as(OPERATOR),
      );
      expect(parseJsonRun(run)).to.deep.include({
        operator: system.account(OPERATOR).address,
        signer,
        role: "inference",
        models: [INT8_MODEL],
      });
    });

    it("stakes whole and fractional token amounts, approving first", async function () {
      const table = await runVerity(["node", "stake", "1000", ...chain], as(OPERATOR));
      expect(table.code, table.stderr).to.equal(0);
      expect(table.stderr).to.contain("approving").and.contain("staking 1000");
      expect(table.stdout).to.match(/active\s*│\s*1000\s/);
      const json = parseJsonRun(await runVerity(["node", "stake", "12.5", "--json", ...chain], as(OPERATOR)));
      expect(json).to.include({ active: "1012.5", unbonding: "0" });
    });

    it("unstakes into the unbonding queue and shows the whole status", async function () {
      const unstaked = parseJsonRun(await runVerity(["node", "unstake", "12.5", "--json", ...chain], as(OPERATOR)));
      expect(unstaked).to.include({ active: "1000", unbonding: "12.5" });
      const status = parseJsonRun(
        await runVerity(["node", "status", system.account(OPERATOR).address, "--json", ...chain], noKey),
      );
      expect(status).to.deep.include({
        registered: true,
        role: "inference",
        signer: system.account(SIGNER).address,
        endpoint: "http://127.0.0.1:9/node",
        models: [INT8_MODEL],
        activeStake: "1000",
        unbondingStake: "12.5",
        lockedStake: "0",
        jailed: false,
        active: true,
      });
      expect(status.unbondingQueue).to.have.length(1);
      const table = await runVerity(["node", "status", ...chain], as(OPERATOR));
      expect(table.stdout).to.contain("unbondingStake").and.contain("releaseAt").and.contain("12.5");
    });

    it("exits 1 naming the release date before the unbonding period ends (nothing sent), then withdraws", async function () {
      const early = await runVerity(["node", "withdraw", ...chain], as(OPERATOR));
      expect(early.code).to.equal(1);
      expect(early.stderr).to.match(/still unbonding, released 12\.5 \S+ on \d{4}-/);
      await system.advanceTime(7 * 24 * 3600 + 1);
      const run = parseJsonRun(await runVerity(["node", "withdraw", "--json", ...chain], as(OPERATOR)));
      expect(run).to.include({ withdrawn: "12.5" });
    });

    it("exits 4 naming NodeRegistryAlreadyRegistered when registering twice", async function () {
      const run = await runVerity(
        [
          "node",
          "register",
          "--signer",
          system.account(SIGNER).address,
          "--endpoint",
          "http://a.b",
          "--models",
          INT8_MODEL,
        ].concat(chain),
        as(OPERATOR),
      );
      expect(run.code).to.equal(4);
      expect(run.stderr).to.contain("NodeRegistryAlreadyRegistered");
    });

    it("exits 2 on malformed amounts, a bad signer, a missing key", async function () {
      for (const amount of ["1.2.3", "0", "-5", "1.0000000000000000001"]) {
        const run = await runVerity(["node", "stake", amount, ...chain], as(OPERATOR));
        expect(run.code, amount).to.equal(2);
        expect(run.stderr).to.contain("<amount>");
      }
      const signer = await runVerity([
        "node",
        "register",
        "--signer",
        "0x12",
        "--endpoint",
        "http://a.b",
        "--role",
        "verifier",
      ]);
      expect(signer.code).to.equal(2);
      expect(signer.stderr).to.contain("--signer: not a 20-byte hex address");
      const keyless = await runVerity(["node", "stake", "1", ...chain], noKey);
      expect(keyless.code).to.equal(2);
      expect(keyless.stderr).to.contain("no signing key");
      const anonymous = await runVerity(["node", "status", ...chain], noKey);
      expect(anonymous.code).to.equal(2);
    });

    it("exits 3 when the chain is down", async function () {
      const run = await runVerity(["node", "stake", "1", ...chain, "--rpc-url", DEAD_RPC_URL], as(OPERATOR));
      expect(run.code).to.equal(3);
    });

    it("stake checks the balance before approving: both amounts in tokens, nothing sent (no 0xe450d38c)", async function () {
      const poor = system.account(EMPTY_HANDED).address;
      const run = await runVerity(["node", "stake", "1000", ...chain], as(EMPTY_HANDED));
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(new RegExp(`${poor} holds 0 \\S+; staking 1000 \\S+ needs 1000 `));
      expect(run.stderr).to.contain("verity token mint").and.not.contain("0xe450d38c").and.not.contain("approving");
      const allowance = await system.clients(0).publicClient.readContract({
        address: system.addresses.token!,
        abi: erc20Abi,
        functionName: "allowance",
        args: [poor, system.addresses.staking!],
      });
      expect(allowance).to.equal(0n);
    });

    it("registers a verifier without --endpoint; an inference node without one exits 2", async function () {
      const inference = await runVerity(
        ["node", "register", "--signer", system.account(VERIFIER).address, "--models", INT8_MODEL, ...chain],
        as(VERIFIER),
      );
      expect(inference.code).to.equal(2);
      expect(inference.stderr).to.contain("--endpoint: an inference node must say where it serves");
      const run = await runVerity(
        ["node", "register", "--role", "verifier", "--signer", system.account(VERIFIER).address, "--json", ...chain],
        as(VERIFIER),
      );
      expect(parseJsonRun(run)).to.deep.include({ role: "verifier", endpoint: "none" });
    });
  });

  describe("request", function () {
    const input = createTensor("int8", [1, 4], [12, -3, 40, 7]);
    let inputFile: string;
    let requestId: Hex;
    let inputURI: string;

    before(function () {
      inputFile = path.join(dir, "input.json");
      fs.writeFileSync(inputFile, JSON.stringify({ dtype: "int8", shape: [1, 4], data: [12, -3, 40, 7] }));
    });

    it("submits a request from a JSON tensor file and prints its id and assigned node", async function () {
      const run = await runVerity(
        ["request", "submit", "--model", INT8_MODEL, "--input", inputFile, "--fee", "0.05", "--json", ...chain],
        as(CONSUMER),
      );
      const result = parseJsonRun<{ requestId: Hex; inputHash: Hex; inputURI: string; assignedNodes: Address[] }>(run);
      expect(result.requestId).to.match(/^0x[0-9a-f]{64}$/);
      expect(result.inputHash).to.equal(getTensorHash(input));
      expect(result.inputURI).to.match(/^data:application\/vnd\.verity\.tensor;base64,/);
      expect(result.assignedNodes).to.deep.equal([system.account(OPERATOR).address]);
      requestId = result.requestId;
      inputURI = result.inputURI;
    });

    it("shows the request's state and assignments, as JSON and as a table", async function () {
      const shown = parseJsonRun(await runVerity(["request", "show", requestId, "--json", ...chain]));
      expect(shown).to.deep.include({
        state: "pending",
        consumer: system.account(CONSUMER).address,
        modelId: INT8_MODEL,
        fee: "0.05",
        settlement: null,
      });
      expect((shown.assignments as { node: string }[])[0]!.node).to.equal(system.account(OPERATOR).address);
      const table = await runVerity(["request", "show", requestId, ...chain]);
      expect(table.stdout).to.contain("pending").and.contain(system.account(OPERATOR).address);
    });

    it("accepts a data: URI of canonical bytes as input, with the same input hash", async function () {
      const run = await runVerity(
        ["request", "submit", "--model", INT8_MODEL, "--input", inputURI, "--fee", "0.05", "--deadline", "300"].concat(
          chain,
        ),
        as(CONSUMER),
      );
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.contain(getTensorHash(input));
    });

    it("exits 4 naming RouterFeeTooLow and RouterNotEnoughNodes", async function () {
      const cheap = await runVerity(
        ["request", "submit", "--model", INT8_MODEL, "--input", inputFile, "--fee", "0.001", ...chain],
        as(CONSUMER),
      );
      expect(cheap.code).to.equal(4);
      expect(cheap.stderr).to.contain("RouterFeeTooLow");
      const many = await runVerity(
        ["request", "submit", "--model", INT8_MODEL, "--input", inputFile, "--fee", "1", "--redundancy", "2", ...chain],
        as(CONSUMER),
      );
      expect(many.code).to.equal(4);
      expect(many.stderr).to.contain("RouterNotEnoughNodes");
    });

    it("exits 2 on an unreadable input and a bad redundancy", async function () {
      const missing = await runVerity(
        ["request", "submit", "--model", INT8_MODEL, "--input", "/nonexistent.json", "--fee", "1", ...chain],
        as(CONSUMER),
      );
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.contain("--input: cannot read JSON tensor file");
      const redundancy = await runVerity(
        ["request", "submit", "--model", INT8_MODEL, "--input", inputFile, "--fee", "1", "--redundancy", "0", ...chain],
        as(CONSUMER),
      );
      expect(redundancy.code).to.equal(2);
      expect(redundancy.stderr).to.contain("--redundancy");
    });
  });

  describe("receipt verify and dispute", function () {
    let single: { receipt: Receipt; signature: Hex };
    let domain: { chainId: number; verifyingContract: Address };
    let issuedAt: bigint;

    const receiptFor = (requestId: number, output = 1): Receipt => ({
      requestId: toHex(requestId, { size: 32 }),
      modelId: INT8_MODEL,
      inputHash: getTensorHash(createTensor("int8", [1, 4], [1, 2, 3, 4])),
      outputHash: getTensorHash(createTensor("int32", [1], [output])),
      traceRoot: keccak256(toHex("trace")),
      node: system.account(OPERATOR).address,
      issuedAt,
    });
    const writeFile = (name: string, value: object): string => {
      const file = path.join(dir, name);
      fs.writeFileSync(
        file,
        JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
      );
      return file;
    };

    before(async function () {
      domain = { chainId: system.deployment.chainId, verifyingContract: system.addresses.attestationRegistry! };
      // Chain time, which runs ahead of the wall clock on a busy dev chain: the node signs after its registration.
      issuedAt = (await system.clients(0).publicClient.getBlock()).timestamp;
      const receipt = receiptFor(1);
      const signature = await signReceipt({ signer: system.account(SIGNER), domain, receipt });
      await sendContractCall(
        system.clients(OPERATOR),
        defineContractCall({
          address: system.addresses.attestationRegistry!,
          abi: attestationRegistryAbi,
          functionName: "submitReceipt",
          args: [receipt, signature],
        }),
      );
      single = { receipt, signature };
    });

    it("finds a singly attested receipt attested, window open (exit 6; 0 when accepted)", async function () {
      const file = writeFile("single.json", single);
      const table = await runVerity(["receipt", "verify", file, ...chain]);
      expect(table.code, table.stderr).to.equal(6);
      expect(table.stdout).to.contain("attested").and.contain("the node's signer when issued").and.contain("singly");
      const json = parseJsonRun<{ verdict: string; checks: { check: string; ok: boolean }[] }>(
        await runVerity(["receipt", "verify", file, "--json", "--accept-open-window", ...chain]),
      );
      expect(json.verdict).to.equal("attested");
      expect(json.checks.every((check) => check.ok)).to.equal(true);
    });

    it("finds a batched receipt attested with its proof, and invalid with a wrong proof", async function () {
      const receipts = [receiptFor(10), receiptFor(11), receiptFor(12)];
      const tree = buildReceiptBatch(receipts);
      const batch = {
        node: system.account(OPERATOR).address,
        sequence: 1n,
        root: tree.root,
        count: tree.count,
        dataHash: keccak256("0x01"),
      };
      const batchSignature = await signBatch({ signer: system.account(SIGNER), domain, batch });
      await sendContractCall(
        system.clients(OPERATOR),
        defineContractCall({
          address: system.addresses.attestationRegistry!,
          abi: attestationRegistryAbi,
          functionName: "submitBatch",
          args: [batch, batchSignature],
        }),
      );
      const receipt = tree.receipts[0]!;
      const signature = await signReceipt({ signer: system.account(SIGNER), domain, receipt });
      const batchId = getBatchId({ node: batch.node, root: tree.root });
      const good = writeFile("batched.json", { receipt, signature, batchId, proof: tree.proofs[0] });
      const run = await runVerity(["receipt", "verify", good, "--accept-open-window", ...chain]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.contain(`in batch ${batchId}`);
      const bad = writeFile("bad-proof.json", { receipt, signature, batchId, proof: tree.proofs[1] });
      const invalid = await runVerity(["receipt", "verify", bad, ...chain]);
      expect(invalid.code).to.equal(1);
      expect(invalid.stderr).to.contain("receipt invalid: attested: the file's proof does not lead");
    });

    it("finds a batched receipt in its batch file when the node is offline; pending before the batch is on chain", async function () {
      const node = system.account(OPERATOR).address;
      const receipts = [receiptFor(20), receiptFor(21, 2)];
      const inline = (tensor: Parameters<typeof encodeTensor>[0]) => ({ encoding: bytesToHex(encodeTensor(tensor)) });
      const sequence = await getNextSequence(system.clients(0).publicClient, {
        address: system.addresses.attestationRegistry!,
        node,
      });
      const batchFile: BatchFile = {
        version: 1,
        node,
        sequence,
        entries: buildReceiptBatch(receipts).receipts.map((receipt) => ({
          receipt,
          input: inline(createTensor("int8", [1, 4], [1, 2, 3, 4])),
          output: inline(createTensor("int32", [1], [receipt.requestId === receipts[0]!.requestId ? 1 : 2])),
        })),
      };
      const contentDir = path.join(dir, "content");
      fs.mkdirSync(path.join(contentDir, "batches"), { recursive: true });
      const dataHash = getBatchDataHash(batchFile);
      fs.writeFileSync(path.join(contentDir, "batches", `${dataHash}.json`), serializeBatchFile(batchFile));
      const receipt = receipts[1]!;
      const signature = await signReceipt({ signer: system.account(SIGNER), domain, receipt });
      const file = writeFile("offline.json", { receipt, signature, output: { dtype: "int32", shape: [1], data: [2] } });
      const offline = ["--node-url", DEAD_RPC_URL, "--content-dir", contentDir];
      const before = await runVerity(["receipt", "verify", file, ...offline, ...chain]);
      expect(before.code, before.stderr).to.equal(5);
      expect(before.stderr).to.contain("receipt pending");
      const tree = buildReceiptBatch(receipts);
      const batch = { node, sequence, root: tree.root, count: tree.count, dataHash };
      await sendContractCall(
        system.clients(OPERATOR),
        defineContractCall({
          address: system.addresses.attestationRegistry!,
          abi: attestationRegistryAbi,
          functionName: "submitBatch",
          args: [batch, await signBatch({ signer: system.account(SIGNER), domain, batch })],
        }),
      );
      const after = await runVerity(["receipt", "verify", file, ...offline, "--accept-open-window", ...chain]);
      expect(after.code, after.stderr).to.equal(0);
      expect(after.stdout)
        .to.contain(`in batch ${getBatchId({ node, root: tree.root })}`)
        .and.contain("proof from the batch file");
    });

    it("exits 1 when another key signed, naming the signature", async function () {
      const forged = await signReceipt({ signer: system.account(STRANGER), domain, receipt: single.receipt });
      const file = writeFile("forged.json", { receipt: single.receipt, signature: forged });
      const run = await runVerity(["receipt", "verify", file, ...chain]);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.contain("invalid");
      expect(run.stderr).to.contain(`receipt invalid: signature: by ${system.account(STRANGER).address}`);
    });

    it("says pending (exit 5) when the receipt was never attested and its node cannot be asked", async function () {
      const receipt = receiptFor(99);
      const signature = await signReceipt({ signer: system.account(SIGNER), domain, receipt });
      const run = await runVerity([
        "receipt",
        "verify",
        writeFile("unattested.json", { receipt, signature }),
        ...chain,
      ]);
      expect(run.code).to.equal(5);
      expect(run.stderr).to.contain("receipt pending: not attested singly; no batch proof");
    });

    it("exits 2 on a file that is not a receipt file", async function () {
      const run = await runVerity(["receipt", "verify", writeFile("junk.json", { receipt: { node: "x" } }), ...chain]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain("has no valid receipt");
    });

    it("lists no disputes before any challenge", async function () {
      expect(parseJsonRun<unknown[]>(await runVerity(["dispute", "list", "--json", ...chain]))).to.deep.equal([]);
      expect((await runVerity(["dispute", "list", ...chain])).stdout).to.contain("(none)");
    });

    it("lists and shows a challenge, and the receipt shows as disputed", async function () {
      const challenger = system.clients(CHALLENGER);
      await sendContractCall(
        challenger,
        defineContractCall({
          address: system.addresses.token!,
          abi: erc20Abi,
          functionName: "approve",
          args: [system.addresses.disputeManager!, maxUint256],
        }),
      );
      await sendContractCall(
        challenger,
        defineContractCall({
          address: system.addresses.disputeManager!,
          abi: disputeManagerAbi,
          functionName: "challenge",
          args: [
            single.receipt,
            `0x${"00".repeat(32)}`,
            [],
            keccak256("0x02"),
            system.account(CHALLENGER).address,
            parseEther("1000"),
          ],
        }),
      );
      const rows = parseJsonRun<Record<string, unknown>[]>(await runVerity(["dispute", "list", "--json", ...chain]));
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({
        id: "1",
        state: "drawing",
        outcome: "none",
        node: system.account(OPERATOR).address,
      });
      const none = parseJsonRun<unknown[]>(
        await runVerity(["dispute", "list", "--state", "resolved", "--json", ...chain]),
      );
      expect(none).to.deep.equal([]);
      const shown = parseJsonRun(await runVerity(["dispute", "show", "1", "--json", ...chain]));
      expect(shown).to.deep.include({
        challenger: system.account(CHALLENGER).address,
        state: "drawing",
        committee: [],
      });
      expect(shown.explanation).to.deep.include({ eligibleVerifiers: 0 });
      const table = await runVerity(["dispute", "show", "1", ...chain]);
      expect(table.stdout).to.contain("drawing").and.contain("amountAtRisk");
      expect(table.stdout).to.contain("0 eligible verifier(s)").and.contain("verity node register --role verifier");
      const verified = await runVerity(["receipt", "verify", writeFile("disputed.json", single), "--json", ...chain]);
      expect(verified.code).to.equal(7);
      expect(JSON.parse(verified.stdout)).to.include({ verdict: "disputed" });
    });

    it("exits 3 from request show and receipt verify when the chain is down", async function () {
      const dead = ["--rpc-url", DEAD_RPC_URL];
      const shown = await runVerity(["request", "show", `0x${"01".repeat(32)}`, ...chain, ...dead]);
      expect(shown.code).to.equal(3);
      const verified = await runVerity(["receipt", "verify", writeFile("dead.json", single), ...chain, ...dead]);
      expect(verified.code).to.equal(3);
      expect(verified.stderr).to.contain("chain unreachable");
    });

    it("exits 1 for an unknown dispute, 2 for a bad state filter, 3 when the chain is down", async function () {
      expect((await runVerity(["dispute", "show", "99", ...chain])).code).to.equal(1);
      const bad = await runVerity(["dispute", "list", "--state", "bogus", ...chain]);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain("Allowed choices");
      expect((await runVerity(["dispute", "list", ...chain, "--rpc-url", DEAD_RPC_URL])).code).to.equal(3);
    });
  });

  describe("services and the local chain, as a user starts them", function () {
    before(function () {
      ensureCompiledCli();
    });

    it("verifier run --json prints JSON lines: one object per line", async function () {
      const run = await runVerity(
        ["verifier", "run", "--once", "--json", "--db", path.join(dir, "lines.sqlite"), ...chain.slice(0, 4)],
        { VERITY_VERIFIER_KEY: keyOf(VERIFIER) },
      );
      expect(run.code, run.stderr).to.equal(0);
      const lines = run.stdout.trim().split("\n");
      expect(lines).to.have.length(1);
      expect(JSON.parse(lines[0]!)).to.have.property("attestationsRecorded");
    });

    /** `verifier run` under `sh -c "…; :"`, which stays its parent as npm's wrapper does (`npm_command=exec` under npx). */
    const startWrapped = async (db: string, underNpx: boolean) => {
      const port = await findFreePort();
      const args = ["--port", String(port), "--db", path.join(dir, db), "--interval", "500"];
      const command = [process.execPath, BIN, "verifier", "run", ...args, ...chain.slice(0, 4)]
        .map((word) => `'${word}'`)
        .join(" ");
      const env = { ...process.env, VERITY_VERIFIER_KEY: keyOf(VERIFIER), npm_command: underNpx ? "exec" : undefined };
      return { port, wrapper: spawn("sh", ["-c", `${command}; :`], { env, stdio: "ignore" }) };
    };

    it("keeps running when orphaned outside npx (nohup … &): an orphan is then what the operator asked for", async function () {
      const { port, wrapper } = await startWrapped("nohup.sqlite", false);
      let verifierPid = 0;
      try {
        await waitUntil(
          "the verifier's /health",
          async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok === true,
          {
            timeoutMs: 60_000,
            intervalMs: 250,
          },
        );
        verifierPid = Number(
          execFileSync("pgrep", ["-P", String(wrapper.pid)])
            .toString()
            .trim(),
        );
        wrapper.kill("SIGKILL");
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        expect(isAlive(verifierPid), "still serving after three watch intervals").to.equal(true);
        expect((await fetch(`http://127.0.0.1:${port}/health`)).ok).to.equal(true);
      } finally {
        wrapper.kill("SIGKILL");
        if (verifierPid && isAlive(verifierPid)) process.kill(verifierPid, "SIGKILL");
      }
    });

    it("verifier run answers GET /health like the node, and stops when its parent dies (npx … &, kill %1)", async function () {
      // SIGKILL gives the wrapper no chance to pass anything on.
      const { port, wrapper } = await startWrapped("health.sqlite", true);
      let verifierPid = 0;
      try {
        let health: Record<string, unknown> = {};
        await waitUntil(
          "the verifier's /health",
          async () => {
            const response = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
            if (response?.ok) health = (await response.json()) as Record<string, unknown>;
            return response?.ok === true;
          },
          { timeoutMs: 60_000, intervalMs: 250 },
        );
        expect(health).to.include({
          status: "degraded",
          account: system.account(VERIFIER).address,
          chainId: 31337,
          active: false,
        });
        expect(health).to.have.keys(HEALTH_KEYS);
        verifierPid = Number(
          execFileSync("pgrep", ["-P", String(wrapper.pid)])
            .toString()
            .trim(),
        );
        expect(verifierPid).to.be.greaterThan(0);
        wrapper.kill("SIGKILL");
        await waitUntil("the orphaned verifier to exit", async () => !isAlive(verifierPid), {
          timeoutMs: 15_000,
          intervalMs: 200,
        });
      } finally {
        wrapper.kill("SIGKILL");
        if (verifierPid && isAlive(verifierPid)) process.kill(verifierPid, "SIGKILL");
      }
    });

    it("prefers the local deployment's recorded URL over VERITY_RPC_URL from .env, and an exported one over both", async function () {
      const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "verity-dotenv-"));
      fs.writeFileSync(path.join(cwd, ".env"), `VERITY_RPC_URL=${DEAD_RPC_URL}\n`);
      const recorded = path.join(cwd, "localhost.json");
      fs.writeFileSync(recorded, JSON.stringify({ ...system.deployment, rpcUrl: system.chain.rpcUrl }));
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VERITY_")));
      const list = (extra: Record<string, string>) =>
        run(process.execPath, [BIN, "model", "list", "--json", "--deployment", recorded], {
          cwd,
          env: { ...env, ...extra },
        }).then(
          () => 0,
          (error: { code: number }) => error.code,
        );
      expect(await list({})).to.equal(0);
      expect(await list({ VERITY_RPC_URL: DEAD_RPC_URL })).to.equal(3);
      fs.rmSync(cwd, { recursive: true, force: true });
    });

    it("chain advance moves a local chain's clock by a duration; a bad duration exits 2", async function () {
      const before = (await system.clients(0).publicClient.getBlock()).timestamp;
      const json = parseJsonRun(await runVerity(["chain", "advance", "--time", "2d", "--json", ...chain]));
      expect(json).to.include({ advanced: "2d 0h 0m" });
      const after = (await system.clients(0).publicClient.getBlock()).timestamp;
      expect(after - before >= 2n * 86_400n).to.equal(true);
      const bad = await runVerity(["chain", "advance", "--time", "soon", ...chain]);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain("--time: a duration such as 7d");
    });
  });
});
