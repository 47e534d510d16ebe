import { expect } from "chai";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createPublicClient, http } from "viem";
import { readDeploymentFile } from "../../src/chain/deployment";
import { startLocalChain, type LocalChain } from "../../src/chain/startLocalChain";

const run = promisify(execFile);
const root = path.resolve(__dirname, "..", "..");

describe("deploy/deploy.ts on a real JSON-RPC node", function () {
  let chain: LocalChain;
  const deploymentsDir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-deployments-"));

  before(async function () {
    chain = await startLocalChain();
  });

  after(async function () {
    await chain.stop();
  });

  async function deploy() {
    await run(
      process.execPath,
      [require.resolve("hardhat/internal/cli/bootstrap"), "run", "deploy/deploy.ts", "--network", "localhost"],
      {
        cwd: root,
        env: {
          ...process.env,
          VERITY_LOCAL_RPC_URL: chain.rpcUrl,
          VERITY_DEPLOYMENTS_DIR: deploymentsDir,
          HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "false",
        },
      },
    );
    return readDeploymentFile(path.join(deploymentsDir, "localhost.json"));
  }

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
