import type { BatchFileEntry } from "../protocol";
import { auditBatch } from "./auditBatch";
import type { VerifierContext } from "./context";
import { ContentMismatchError, ContentUnavailableError } from "./errors";
import { openChallenges } from "./pursueChallenges";
import { pursueFraudGames } from "./pursueFraudGames";
import { driveOwnDisputes, serveCommittees } from "./serveCommittees";
import { syncAttestations } from "./syncAttestations";

/** What one verifier step did. */
export interface VerifierStepReport {
  attestationsRecorded: number;
  batchesAudited: number;
  batchesRetried: number;
  receiptsChecked: number;
  wrongResults: number;
  challengesOpened: number;
  /** Fraud-proof games opened on wrong runtime-v2 receipts. */
  fraudGamesOpened: number;
  /** Moves (and timeouts) made in this verifier's fraud games. */
  fraudMoves: number;
  fraudGamesWon: number;
  fraudGamesLost: number;
  /** Base units of the stake token claimed from decided fraud games, decimal. */
  fraudClaimed: string;
}

/**
 * One pass of the verifier: record new attestations, audit every batch that is due (content that can't be fetched is
 * retried with backoff, never dropped), challenge wrong results, serve on committees, and drive its own disputes.
 * Each step persists before the next, so a crash anywhere resumes without losing or repeating work.
 */
export async function runVerifierStep(context: VerifierContext, startBlock: bigint): Promise<VerifierStepReport> {
  const report: VerifierStepReport = {
    attestationsRecorded: await syncAttestations(context, startBlock),
    batchesAudited: 0,
    batchesRetried: 0,
    receiptsChecked: 0,
    wrongResults: 0,
    challengesOpened: 0,
    fraudGamesOpened: 0,
    fraudMoves: 0,
    fraudGamesWon: 0,
    fraudGamesLost: 0,
    fraudClaimed: "0",
  };
  const entriesByBatch = new Map<string, BatchFileEntry[]>();
  const now = Math.floor(Date.now() / 1000);
  for (const batch of context.store.dueBatches(now)) {
    try {
      const audit = await auditBatch(context, batch);
      context.store.completeBatch(batch.batchId, audit.verdicts);
      entriesByBatch.set(batch.batchId, audit.entries);
      report.batchesAudited += 1;
      report.receiptsChecked += audit.verdicts.filter((v) => v.verdict !== "skipped").length;
      const wrong = audit.verdicts.filter((v) => v.verdict === "wrong-output");
      report.wrongResults += wrong.length;
      context.logger.info(
        { batchId: batch.batchId, node: batch.node, receipts: audit.verdicts.length, wrong: wrong.length },
        "batch audited",
      );
    } catch (error) {
      if (!(error instanceof ContentUnavailableError || error instanceof ContentMismatchError)) throw error;
      context.store.retryBatch(batch.batchId, error.shortMessage, now);
      report.batchesRetried += 1;
      context.logger.warn(
        { batchId: batch.batchId, error: error.message.split("\n").join(" ") },
        "batch data unavailable",
      );
    }
  }
  report.challengesOpened = await openChallenges(context, entriesByBatch);
  const fraud = await pursueFraudGames(context, entriesByBatch);
  report.fraudGamesOpened = fraud.opened;
  report.fraudMoves = fraud.moves;
  report.fraudGamesWon = fraud.won;
  report.fraudGamesLost = fraud.lost;
  report.fraudClaimed = fraud.claimed.toString();
  await serveCommittees(context, startBlock);
  await driveOwnDisputes(context);
  return report;
}
