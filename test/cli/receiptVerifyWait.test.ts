import { expect } from "chai";
import { DEAD_RPC_URL, runVerity } from "./runVerity";

/** `receipt verify --wait`: its argument is checked before the chain is asked (the waiting runs in test/readme). */
describe("verity receipt verify --wait", function () {
  it("refuses a --wait that is not a whole number of seconds, exit 2, before connecting", async function () {
    const run = await runVerity(["receipt", "verify", "package.json", "--wait", "soon", "--rpc-url", DEAD_RPC_URL]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain('--wait: must be a whole number within [0, 86400], got "soon"');
  });

  it("documents the option in the command's help", async function () {
    const run = await runVerity(["receipt", "verify", "--help"]);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.contain("--wait <seconds>").and.contain("--wait 60 --accept-open-window");
  });
});
