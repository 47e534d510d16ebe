import type { Logger } from "pino";
import type { DeploymentRecord } from "../chain/deployment";
import type { IndexerContext } from "../indexer/context";
import { createIndexerContext, runIndexer, type IndexerStepReport } from "../indexer/startIndexer";
import { createExplorerApp, createUpdateFeed } from "./createExplorerApp";
import { ExplorerQueries } from "./ExplorerQueries";
import { listenHttp } from "../service/listenHttp";

export interface StartExplorerParameters {
  rpcUrl: string;
  deployment: DeploymentRecord;
  /** The index's SQLite file (created when missing, resumed otherwise). */
  db: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Blocks an event must be under before it is indexed (default 0: a local chain does not reorg). */
  confirmations?: number;
  /** Pause between indexer steps (default 1,000 ms). */
  intervalMs?: number;
  maxBlockRange?: number;
  /** Local directory of batch files, searched before the nodes' endpoints. */
  contentDir?: string | undefined;
  logger?: Logger;
  /** Called after every indexer step. */
  onStep?: (report: IndexerStepReport) => void;
}

/** A running explorer: the indexer loop and the HTTP server on one index. */
export interface RunningExplorer {
  /** `http://host:port` */
  url: string;
  indexer: IndexerContext;
  queries: ExplorerQueries;
  stop(): Promise<void>;
}

/**
 * Starts `verity explorer`: the indexer follows the chain into SQLite while the same process serves the API, the
 * pages and the live-update stream; every step that stores events pushes an update to open pages.
 */
export async function startExplorer(parameters: StartExplorerParameters): Promise<RunningExplorer> {
  const indexer = await createIndexerContext({
    rpcUrl: parameters.rpcUrl,
    deployment: parameters.deployment,
    db: parameters.db,
    confirmations: parameters.confirmations ?? 0,
    maxBlockRange: parameters.maxBlockRange ?? 2_000,
    contentDir: parameters.contentDir,
    ...(parameters.logger ? { logger: parameters.logger } : {}),
  });
  const queries = new ExplorerQueries(indexer.store);
  const feed = createUpdateFeed();
  const app = createExplorerApp(queries, feed);
  const host = parameters.host ?? "127.0.0.1";
  const http = await listenHttp({ fetch: app.fetch, host, port: parameters.port });
  const { url } = http;
  const controller = new AbortController();
  const loop = runIndexer(
    indexer,
    { intervalMs: parameters.intervalMs ?? 1_000, signal: controller.signal },
    (report) => {
      if (report.events > 0 || report.batchFiles > 0 || report.rolledBackTo !== undefined) {
        feed.publish({ block: (report.nextBlock - 1n).toString(10), events: report.events });
      }
      parameters.onStep?.(report);
    },
  );
  return {
    url,
    indexer,
    queries,
    async stop() {
      controller.abort();
      await loop;
      await http.close({ dropConnections: true });
      indexer.store.close();
    },
  };
}
