import http from "node:http";
import type { AddressInfo } from "node:net";

/** One `verifysourcecode` submission as hardhat-verify posted it. */
export interface VerificationSubmission {
  apikey: string;
  address: string;
  contractName: string;
  compilerVersion: string;
  codeFormat: string;
  /** The Solidity standard JSON input, parsed. */
  input: { language: string; sources: Record<string, { content: string }>; settings: Record<string, unknown> };
  constructorArguments: string;
}

/**
 * A local HTTP server answering the Etherscan API calls hardhat-verify makes (`getsourcecode`, `verifysourcecode`,
 * `checkverifystatus`), recording every submission. A contract verifies on its first submission; later ones answer
 * "Already Verified", as Etherscan does.
 */
export class EtherscanApiMock {
  readonly submissions: VerificationSubmission[] = [];
  readonly verified = new Set<string>();
  private readonly pending = new Map<string, string>();
  private server: http.Server | undefined;

  /** The API URL (`http://127.0.0.1:<port>/api`). */
  url = "";

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const query = new URL(request.url ?? "/", "http://localhost").searchParams;
        const form = new URLSearchParams(body);
        const action = form.get("action") ?? query.get("action");
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify(this.answer(action, query, form)));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private answer(action: string | null, query: URLSearchParams, form: URLSearchParams) {
    switch (action) {
      case "getsourcecode": {
        const address = (query.get("address") ?? "").toLowerCase();
        const source = this.verified.has(address) ? "// verified" : "";
        return { status: "1", message: "OK", result: [{ SourceCode: source }] };
      }
      case "verifysourcecode": {
        const address = (form.get("contractaddress") ?? "").toLowerCase();
        if (this.verified.has(address)) {
          return { status: "0", message: "NOTOK", result: "Contract source code already verified" };
        }
        this.submissions.push({
          apikey: form.get("apikey") ?? "",
          address,
          contractName: form.get("contractname") ?? "",
          compilerVersion: form.get("compilerversion") ?? "",
          codeFormat: form.get("codeformat") ?? "",
          input: JSON.parse(form.get("sourceCode") ?? "{}") as VerificationSubmission["input"],
          constructorArguments: form.get("constructorArguements") ?? "",
        });
        const guid = `guid-${this.submissions.length}`;
        this.pending.set(guid, address);
        return { status: "1", message: "OK", result: guid };
      }
      case "checkverifystatus": {
        const address = this.pending.get(query.get("guid") ?? "");
        if (!address) return { status: "0", message: "NOTOK", result: "Unknown UID" };
        this.verified.add(address);
        return { status: "1", message: "OK", result: "Pass - Verified" };
      }
      default:
        return { status: "0", message: "NOTOK", result: `unknown action ${action}` };
    }
  }
}
