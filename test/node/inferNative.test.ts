import { expect } from "chai";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { readModelManifest } from "../../src/models";
import type { NodeContext } from "../../src/node/context";
import { createNodeApp } from "../../src/node/createNodeApp";
import { createNodeMetrics } from "../../src/node/createNodeMetrics";
import { createInferHandler } from "../../src/node/handleInfer";
import { loadServedModels, type ServedModel } from "../../src/node/loadServedModels";
import { NodeStore } from "../../src/node/NodeStore";
import { createInferNativeRoute } from "../../src/node/serveInferNative";
import { getOnchainRuntimeId } from "../../src/runtime";
import { listenHttp, type HttpListener } from "../../src/service/listenHttp";
import type { NativeRoute } from "../../src/service/nativeRoute";

const MODELS_DIR = path.resolve(__dirname, "..", "..", "models");
const MAX_BODY = 2_048;
const KEY = "0x59c6995e998f97a5a0044966f0945389dc9c86dae88c7a3412e4603b6b78690d" as Hex;
const BROKEN = `0x${"ee".repeat(32)}` as Hex;

/** One raw HTTP/1.1 exchange: what the server wrote, split into status, headers (Date left out) and body. */
async function exchange(port: number, request: string | Buffer): Promise<{ head: string[]; body: string }> {
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let seen = "";
    socket.on("data", (chunk) => (seen += chunk.toString("latin1")));
    socket.on("end", () => resolve(seen));
    socket.on("error", reject);
    socket.write(request);
  });
  const split = raw.indexOf("\r\n\r\n");
  const head = raw
    .slice(0, split)
    .split("\r\n")
    .filter((line) => !/^date:/i.test(line));
  return { head, body: Buffer.from(raw.slice(split + 4), "latin1").toString("utf8") };
}

function post(body: string | Buffer, headers: Record<string, string> = {}, target = "/v1/infer"): Buffer {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const lines = [
    `POST ${target} HTTP/1.1`,
    "Host: localhost",
    "Connection: close",
    "Content-Type: application/json",
    ...Object.entries({ "Content-Length": String(bytes.length), ...headers })
      .filter(([, value]) => value !== "")
      .map(([key, value]) => `${key}: ${value}`),
  ];
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`), bytes]);
}

function chunked(body: string): Buffer {
  const lines = [
    "POST /v1/infer HTTP/1.1",
    "Host: localhost",
    "Connection: close",
    "Content-Type: application/json",
    "Transfer-Encoding: chunked",
  ];
  const half = body.length >> 1;
  const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n${chunk(body.slice(0, half))}${chunk(body.slice(half))}0\r\n\r\n`);
}

describe("POST /v1/infer on the native fast path answers exactly as the Hono route", function () {
  this.timeout(60_000);
  let dir: string;
  let iris: ServedModel;
  let hono: HttpListener;
  let native: HttpListener;
  let nativeServed = 0;
  const stores: NodeStore[] = [];

  /** A node context on its own store: same key, clock and model, so both paths sign the same receipts. */
  function createContext(name: string): NodeContext {
    const store = new NodeStore(path.join(dir, `${name}.sqlite`));
    stores.push(store);
    const broken: ServedModel = {
      ...iris,
      modelId: BROKEN,
      loaded: { ...iris.loaded, run: () => Promise.reject(new Error("runtime fault")) },
    };
    return {
      store,
      models: new Map([
        [iris.modelId, iris],
        [BROKEN, broken],
      ]),
      signer: privateKeyToAccount(KEY),
      operator: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      chainId: 31337,
      domain: { chainId: 31337, verifyingContract: "0x0000000000000000000000000000000000000001" },
      batchChain: undefined as never, // not read by inference
      dishonestShare: 0,
      metrics: createNodeMetrics(() => 0),
      logger: pino({ level: "silent" }),
      now: () => 1_800_000_000n,
      groupCommit: true,
      onReceiptStored: () => {},
    };
  }

  const status = { active: () => true, lastBlock: () => 0n, problems: () => [] };

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-infer-native-"));
    const entry = readModelManifest(MODELS_DIR).models.find((m) => m.name === "iris-int8")!;
    const registered = [{ modelId: entry.modelId, runtimeId: getOnchainRuntimeId(entry.runtimeId), active: true }];
    const models = await loadServedModels({ modelsDir: MODELS_DIR, registered, logger: pino({ level: "silent" }) });
    iris = models.get(entry.modelId.toLowerCase() as Hex)!;

    const honoContext = createContext("hono");
    hono = await listenHttp({ fetch: createNodeApp(honoContext, status, { maxBodyBytes: MAX_BODY }).fetch });

    const nativeContext = createContext("native");
    const infer = createInferHandler(nativeContext);
    const route = createInferNativeRoute(infer, nativeContext, MAX_BODY);
    const counted: NativeRoute = { ...route, handle: (q, r) => (nativeServed++, route.handle(q, r)) };
    const app = createNodeApp(nativeContext, status, { maxBodyBytes: MAX_BODY, infer });
    native = await listenHttp({ fetch: app.fetch, nativeRoutes: [counted] });
  });

  after(async function () {
    await hono?.close();
    await native?.close();
    for (const store of stores) store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const requestId = `0x${"42".repeat(32)}`;
  const body = (data: number[], extra: object = {}) =>
    JSON.stringify({ modelId: iris.modelId, input: { dtype: "int8", shape: [1, 4], data }, ...extra });

  it("same status, headers and bytes for answers, retries, conflicts, malformed input, limits and faults", async function () {
    const cases: [string, Buffer][] = [
      ["answer", post(body([12, -40, 77, 5], { requestId }))],
      ["retry: the same signed receipt", post(body([12, -40, 77, 5], { requestId }))],
      ["request id reused for another input: 409", post(body([1, 2, 3, 4], { requestId }))],
      [
        "a query string is ignored",
        post(body([3, 3, 3, 3], { requestId: `0x${"43".repeat(32)}` }), {}, "/v1/infer?x=1"),
      ],
      [
        "a leading UTF-8 BOM is dropped",
        post(Buffer.from(`\ufeff${body([9, 9, 9, 9], { requestId: `0x${"44".repeat(32)}` })}`)),
      ],
      ["chunked body", chunked(body([5, 6, 7, 8], { requestId: `0x${"45".repeat(32)}` }))],
      ["not JSON", post("{not json")],
      ["empty body", post("", { "Content-Length": "0" })],
      ["not an object", post("[1,2]")],
      ["missing input", post(JSON.stringify({ modelId: iris.modelId }))],
      [
        "wrong shape",
        post(JSON.stringify({ modelId: iris.modelId, input: { dtype: "int8", shape: [4], data: [1, 2, 3, 4] } })),
      ],
      ["element out of range", post(body([1, 2, 3, 300]))],
      [
        "unknown model",
        post(
          JSON.stringify({
            modelId: `0x${"11".repeat(32)}`,
            input: { dtype: "int8", shape: [1, 4], data: [1, 2, 3, 4] },
          }),
        ),
      ],
      ["declared length over the limit: 413", post("x".repeat(MAX_BODY + 1))],
      ["chunked body over the limit: 413", chunked(" ".repeat(MAX_BODY + 10))],
      [
        "runtime fault: 500 without its message",
        post(JSON.stringify({ modelId: BROKEN, input: { dtype: "int8", shape: [1, 4], data: [1, 2, 3, 4] } })),
      ],
    ];
    for (const [name, request] of cases) {
      const before = nativeServed;
      const fromHono = await exchange(hono.port, request);
      const fromNative = await exchange(native.port, request);
      expect(nativeServed, `${name}: served natively`).to.equal(before + 1);
      expect(fromNative, name).to.deep.equal(fromHono);
      expect(fromNative.head[0], name).to.match(/^HTTP\/1\.1 (200|400|404|409|413|500) /);
    }
    // The answers that carry a receipt really are answers (not two identical errors).
    const answer = JSON.parse((await exchange(native.port, post(body([12, -40, 77, 5], { requestId })))).body);
    expect(answer.receipt.requestId).to.equal(requestId);
    expect(answer.receiptHash).to.match(/^0x[0-9a-f]{64}$/);
  });

  it("answers a request without an id with a fresh receipt in the same shape; other routes and methods go to Hono", async function () {
    const request = post(body([12, -40, 77, 5]));
    const fromHono = await exchange(hono.port, request);
    const fromNative = await exchange(native.port, request);
    expect(fromNative.head.filter((l) => !/^content-length/i.test(l))).to.deep.equal(
      fromHono.head.filter((l) => !/^content-length/i.test(l)),
    );
    const [a, b] = [JSON.parse(fromHono.body), JSON.parse(fromNative.body)];
    expect(Object.keys(b)).to.deep.equal(Object.keys(a));
    expect(b.output).to.deep.equal(a.output);
    expect(b.receipt.requestId).to.not.equal(a.receipt.requestId);

    const before = nativeServed;
    const get = Buffer.from("GET /v1/infer HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    expect(await exchange(native.port, get)).to.deep.equal(await exchange(hono.port, get));
    const slash = post(body([1, 1, 1, 1]), {}, "/v1/infer/");
    expect(await exchange(native.port, slash)).to.deep.equal(await exchange(hono.port, slash));
    const oddHost = Buffer.from(
      post(body([1, 1, 1, 1]))
        .toString("latin1")
        .replace("Host: localhost", "Host: a b"),
      "latin1",
    );
    expect(await exchange(native.port, oddHost)).to.deep.equal(await exchange(hono.port, oddHost));
    expect(nativeServed, "none of these reached the native route").to.equal(before);
  });
});
