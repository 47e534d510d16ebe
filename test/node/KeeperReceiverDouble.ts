import http from "node:http";
import type { AddressInfo } from "node:net";

/** One receipt item as the node posts it to `POST /v1/receipts`. */
export type ReceivedItem = { receipt: { requestId: string }; signature: string; routerRequest?: boolean };

/**
 * Test double of the keeper's receipt intake (the real keeper is built in parallel): records every POST body and
 * answers 503 to the first `failFirst` requests, then 200 with `{accepted, duplicates, rejected: []}`.
 */
export class KeeperReceiverDouble {
  /** Items of the requests answered 200, in order. */
  readonly accepted: ReceivedItem[] = [];
  /** Bodies answered with an error. */
  readonly refused: ReceivedItem[][] = [];
  private readonly server: http.Server;
  private failuresLeft: number;

  private constructor(failFirst: number) {
    this.failuresLeft = failFirst;
    this.server = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const items = (JSON.parse(body) as { receipts: ReceivedItem[] }).receipts;
        if (request.url !== "/v1/receipts" || request.method !== "POST") {
          response.writeHead(404).end();
          return;
        }
        if (this.failuresLeft > 0) {
          this.failuresLeft--;
          this.refused.push(items);
          response.writeHead(503, { "content-type": "application/json" });
          response.end(JSON.stringify({ error: "NotReady", message: "test double refusing" }));
          return;
        }
        const seen = new Set(this.accepted.map((item) => item.signature));
        const duplicates = items.filter((item) => seen.has(item.signature)).length;
        this.accepted.push(...items);
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ accepted: items.length - duplicates, duplicates, rejected: [] }));
      });
    });
  }

  static async start(failFirst = 0): Promise<KeeperReceiverDouble> {
    const double = new KeeperReceiverDouble(failFirst);
    await new Promise<void>((resolve) => double.server.listen(0, "127.0.0.1", resolve));
    return double;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
