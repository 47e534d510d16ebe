import { expect } from "chai";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { bytesToHex, keccak256, type Address } from "viem";
import { fetchRequestResult } from "../../src/cli/fetchRequestResult";
import { createTensor, encodeTensor, getTensorHash } from "../../src/protocol";

const NODE = "0x00000000000000000000000000000000000000a1" as Address;

/** A node endpoint serving `GET /tensors/<hash>` from a map (real HTTP on a free port). */
async function serveTensors(tensors: Map<string, Uint8Array>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    const hash = /^\/tensors\/(0x[0-9a-f]{64})$/.exec(request.url ?? "")?.[1];
    const body = hash ? tensors.get(hash) : undefined;
    if (!body) return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.from(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("fetchRequestResult: a request's result, only as the bytes its output hash commits", function () {
  const output = createTensor("int32", [1, 3], [7, -2, 40]);
  const bytes = encodeTensor(output);
  const hash = getTensorHash(output);
  const forged = encodeTensor(createTensor("int32", [1, 3], [7, -2, 41]));

  it("decodes the node's copy when it hashes to the answered output", async function () {
    const node = await serveTensors(new Map([[hash, bytes]]));
    try {
      const result = await fetchRequestResult(hash, { nodes: [{ node: NODE, endpoint: node.url }] });
      expect(result.check).to.equal("checked");
      if (result.check !== "checked") return;
      expect(result.from).to.contain(NODE);
      expect(result.output).to.deep.equal(output);
    } finally {
      await node.close();
    }
  });

  it("calls a copy that hashes elsewhere a mismatch, naming the source and both hashes", async function () {
    const node = await serveTensors(new Map([[hash, forged]]));
    try {
      const result = await fetchRequestResult(hash, { nodes: [{ node: NODE, endpoint: node.url }] });
      expect(result.check).to.equal("mismatch");
      if (result.check !== "mismatch") return;
      expect(result.reason)
        .to.contain(hash)
        .and.contain(keccak256(bytesToHex(forged)))
        .and.contain(NODE);
    } finally {
      await node.close();
    }
  });

  it("prefers a right copy from a later source over a forged one from the content directory", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-result-"));
    fs.mkdirSync(path.join(dir, "tensors"));
    fs.writeFileSync(path.join(dir, "tensors", hash), forged);
    const node = await serveTensors(new Map([[hash, bytes]]));
    try {
      const result = await fetchRequestResult(hash, { contentDir: dir, nodes: [{ node: NODE, endpoint: node.url }] });
      expect(result.check).to.equal("checked");
    } finally {
      await node.close();
    }
  });

  it("says unavailable, with each source's reason, when nobody holds it", async function () {
    const node = await serveTensors(new Map());
    try {
      const result = await fetchRequestResult(hash, { nodes: [{ node: NODE, endpoint: node.url }] });
      expect(result.check).to.equal("unavailable");
      if (result.check !== "unavailable") return;
      expect(result.reason).to.contain("HTTP 404").and.contain(NODE);
      const none = await fetchRequestResult(hash, { nodes: [] });
      expect(none).to.deep.equal({
        check: "unavailable",
        outputHash: hash,
        reason: "no node that answered serves an endpoint",
      });
    } finally {
      await node.close();
    }
  });
});
