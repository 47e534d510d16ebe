/**
 * `npm run demo`: starts a local JSON-RPC chain (`hardhat node`), deploys Verity with the deploy script, and runs the
 * verification story end to end (see src/demo/runDisputeScenario.ts), then prints a report. Exits 0 only when every
 * expected outcome happened. `--json` prints the report as JSON.
 */
import path from "node:path";
import { formatEther, parseEther } from "viem";
import { toJson } from "../src/cli/output";
import { runDisputeScenario, type DisputeScenarioReport } from "../src/demo/runDisputeScenario";
import { startLocalSystem } from "../src/demo/startLocalSystem";
import { DisputeState } from "../src/verifier/pursueChallenges";

const json = process.argv.includes("--json");
const say = (line: string) => {
  if (!json) process.stderr.write(`• ${line}\n`);
};

function expectations(report: DisputeScenarioReport): [string, boolean][] {
  return [
    ["every receipt attested in one batch", report.receiptsAttested === 5],
    ["the verifier replayed every receipt", report.firstAudit.receiptsChecked === 5],
    [
      "exactly the falsified receipt was found wrong",
      report.verdicts["wrong-output"] === 1 && report.verdicts.valid === 4,
    ],
    [
      "it was challenged once, never twice",
      report.firstAudit.challengesOpened === 1 && report.secondAuditChallenges === 0,
    ],
    ["the committee revealed with quorum", report.revealedVotes >= 2],
    ["the dispute resolved against the node", report.finalState === DisputeState.Resolved && report.outcome === 1],
    ["the node was slashed", report.nodeStake.after < report.nodeStake.before],
    ["the node was jailed", report.nodeJailed],
    ["the challenger got its bond back plus a reward", report.challengerTokens.after > report.challengerTokens.before],
    ["the treasury received the rest", report.treasuryTokens.after > report.treasuryTokens.before],
  ];
}

async function main(): Promise<number> {
  const started = Date.now();
  say("starting a local chain and deploying Verity");
  const system = await startLocalSystem({ VERITY_MINIMUM_STAKE: parseEther("100").toString() });
  try {
    say(`chain ${system.chain.rpcUrl}, contracts deployed`);
    const report = await runDisputeScenario({
      system,
      modelsDir: path.resolve(__dirname, "..", "models"),
      receipts: 5,
      progress: say,
    });
    const checks = expectations(report);
    const ok = checks.every(([, passed]) => passed);
    if (json) {
      process.stdout.write(`${toJson({ ok, seconds: (Date.now() - started) / 1000, report, checks })}\n`);
      return ok ? 0 : 1;
    }
    const tokens = (value: bigint) => `${formatEther(value)} VRTT`;
    console.log("\nVerity demo report");
    console.log(
      `  receipts attested      ${report.receiptsAttested} in 1 batch, ${report.batchGas} gas (${report.gasPerReceipt.toFixed(0)} per receipt)`,
    );
    console.log(
      `  verdicts               ${Object.entries(report.verdicts)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")}`,
    );
    console.log(
      `  dispute                #${report.disputeId}, ${report.revealedVotes} votes revealed, node found wrong`,
    );
    console.log(
      `  node stake             ${tokens(report.nodeStake.before)} -> ${tokens(report.nodeStake.after)} (jailed: ${report.nodeJailed})`,
    );
    console.log(
      `  challenger balance     ${tokens(report.challengerTokens.before)} -> ${tokens(report.challengerTokens.after)}`,
    );
    console.log(
      `  treasury balance       ${tokens(report.treasuryTokens.before)} -> ${tokens(report.treasuryTokens.after)}`,
    );
    console.log("\nExpected outcomes");
    for (const [label, passed] of checks) console.log(`  ${passed ? "ok  " : "FAIL"} ${label}`);
    console.log(
      `\n${ok ? "All expected outcomes happened" : "Some expected outcomes did not happen"} in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    );
    return ok ? 0 : 1;
  } finally {
    await system.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
