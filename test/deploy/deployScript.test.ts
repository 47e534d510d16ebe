import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPublicClient, http } from "viem";
import { startLocalChain, type LocalChain } from "../../src/devnet/startLocalChain";
import { runDeployScript } from "../../src/devnet/runDeployScript";

describe("deploy/deploy.ts on a real JSON-RPC node", function () {
  let chain: LocalChain;
  const deploymentsDir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-deployments-"));

  before(async function () {
    chain = await startLocalChain();
  });

  after(async function () {
    await chain.stop();
  });

  const deploy = () => runDeployScript(chain.rpcUrl, deploymentsDir);

  it("deploys once, then resumes as a no-op on the same chain", async function () {
    const client = createPublicClient({ transport: http(chain.rpcUrl) });
    const first = await deploy();
    expect(first.chainId).to.equal(31337);
    for (const address of Object.values(first.contracts)) {
      expect(await client.getCode({ address: address as `0x${string}` })).to.match(/^0x[0-9a-f]{2,}/);
    }
    const blockAfterFirst = await client.getBlockNumber();
    const second = await deploy();
    expect(second.contracts).to.deep.equal(first.contracts);
    expect(await client.getBlockNumber()).to.equal(blockAfterFirst);
  });
});
