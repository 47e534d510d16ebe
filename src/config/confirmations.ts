import { z } from "zod";

/** Most confirmations any service accepts (about an hour of 12-second blocks): beyond that, a typo. */
export const MAX_CONFIRMATIONS = 300;

/**
 * Blocks a service waits below the head before it acts on chain state (reorg safety): 0 acts on the latest block
 * (local chains), a few on rollups, 12 or more on Ethereum mainnet.
 */
export const confirmationsSchema = z.coerce
  .number()
  .int("must be a whole number of blocks")
  .min(0, "must be a number of blocks, 0 or more")
  .max(MAX_CONFIRMATIONS, `must be at most ${MAX_CONFIRMATIONS} blocks`);
