import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { VERITY_CONTRACT_NAMES } from "../../src/chain/deployment";
import { DEFAULT_RPC_URL, resolveServiceRpcUrl } from "../../src/cli/resolveServiceRpcUrl";

const ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const CONTRACTS = Object.fromEntries(VERITY_CONTRACT_NAMES.map((name) => [name, ADDRESS]));

/** `node serve`, `keeper run` and `verifier run` find the chain as every other command does. */
describe("resolveServiceRpcUrl (the services' --rpc-url)", function () {
  let dir: string;
  const write = (name: string, record: object) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify({ network: "localhost", chainId: 31337, startBlock: 0, ...record }));
    return file;
  };

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-rpc-url-"));
  });

  it("takes the local deployment's recorded rpcUrl when neither the flag nor VERITY_RPC_URL names one", function () {
    const file = write("local.json", { contracts: CONTRACTS, rpcUrl: "http://127.0.0.1:18545" });
    expect(resolveServiceRpcUrl(undefined, file, {})).to.equal("http://127.0.0.1:18545");
    expect(resolveServiceRpcUrl(undefined, file, { VERITY_RPC_URL: "" })).to.equal("http://127.0.0.1:18545");
  });

  it("prefers the flag, then VERITY_RPC_URL, over the recorded rpcUrl", function () {
    const file = write("local.json", { contracts: CONTRACTS, rpcUrl: "http://127.0.0.1:18545" });
    const env = { VERITY_RPC_URL: "http://127.0.0.1:2" };
    expect(resolveServiceRpcUrl("http://127.0.0.1:1", file, env)).to.equal("http://127.0.0.1:1");
    expect(resolveServiceRpcUrl(undefined, file, env)).to.equal("http://127.0.0.1:2");
  });

  it("falls back to 127.0.0.1:8545 without a recorded rpcUrl or a readable deployment file", function () {
    expect(resolveServiceRpcUrl(undefined, write("remote.json", { contracts: CONTRACTS }), {})).to.equal(
      DEFAULT_RPC_URL,
    );
    expect(resolveServiceRpcUrl(undefined, path.join(dir, "missing.json"), {})).to.equal(DEFAULT_RPC_URL);
  });
});
