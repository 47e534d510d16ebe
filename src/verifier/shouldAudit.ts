import { createHmac } from "node:crypto";

/**
 * Decides whether a receipt falls in the audited share. The decision is an HMAC of the receipt's leaf under a secret
 * only this verifier knows, so a node can't tell which of its receipts will be checked; the same receipt always gets
 * the same answer, so a restart audits the same set.
 *
 * @param share Fraction of receipts to audit, in [0, 1]; 1 audits everything.
 */
export function shouldAudit(secret: Uint8Array, receiptLeaf: string, share: number): boolean {
  if (!(share >= 0 && share <= 1)) throw new RangeError(`audit share must be within [0, 1], got ${share}`);
  if (share === 1) return true;
  if (share === 0) return false;
  const digest = createHmac("sha256", secret).update(receiptLeaf.toLowerCase()).digest();
  // The first 6 bytes as a uniform number in [0, 1).
  return digest.readUIntBE(0, 6) / 2 ** 48 < share;
}
