import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { VERITY_CONTRACT_NAMES } from "../../src/chain/deployment";
import { DEFAULT_RPC_URL, resolveServiceRpcUrl } from "../../src/cli/resolveServiceRpcUrl";
import { DEAD_RPC_URL, runVerity } from "./runVerity";

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

  it("node serve, keeper run and verifier run exit 3 naming the URL when the chain does not answer", async function () {
    const deployment = write("dead.json", { contracts: CONTRACTS, rpcUrl: DEAD_RPC_URL });
    const key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    const runs = [
      await runVerity(
        ["node", "serve", "--deployment", deployment, "--operator", ADDRESS, "--db", path.join(dir, "n.sqlite")],
        { VERITY_NODE_KEY: key, VERITY_RPC_URL: undefined },
      ),
      await runVerity(["keeper", "run", "--deployment", deployment, "--db", path.join(dir, "k.sqlite")], {
        VERITY_KEEPER_KEY: key,
        VERITY_RPC_URL: undefined,
      }),
      await runVerity(["verifier", "run", "--deployment", deployment, "--db", path.join(dir, "v.sqlite")], {
        VERITY_VERIFIER_KEY: key,
        VERITY_RPC_URL: undefined,
      }),
    ];
    for (const run of runs) {
      expect(run.code, run.stderr).to.equal(3);
      expect(run.stderr).to.contain(`chain unreachable at ${DEAD_RPC_URL}`);
    }
  });
});
