import type { ContractTransactionResponse } from "ethers";
import { send } from "../chain";
import { fmt } from "../world";
import type { World } from "../world";

/** Pull payments: an account withdraws what the dispute manager, the router or the DA manager credited it. */

const SOURCES = ["dispute manager", "router", "DA manager"] as const;

/** An account with a credit at `source` claims it (the pick runs over the accounts that have one). */
export async function claim(w: World, accountIndex: number, source: number) {
  const from = SOURCES[source % SOURCES.length]!;
  const claimableOf = (address: string) =>
    from === "dispute manager"
      ? w.s.disputes.claimableOf(address)
      : from === "router"
        ? w.s.router.claimableOf(address)
        : w.s.availability.claimableOf(address);
  const credits = await Promise.all(w.accounts.map((a) => claimableOf(a.address)));
  const account = w.pick(
    w.accounts.filter((_, i) => credits[i]! > 0n),
    accountIndex,
  );
  if (!account) return;
  const credit = credits[w.accounts.indexOf(account)]!;
  const call = (): Promise<ContractTransactionResponse> =>
    from === "dispute manager"
      ? w.s.disputes.connect(account).claim(account.address)
      : from === "router"
        ? w.s.router.connect(account).claim(account.address)
        : w.s.availability.connect(account).claim(account.address);
  const balance = await w.s.token.balanceOf(account.address);
  await send(`claim from the ${from}`, call);
  const received = (await w.s.token.balanceOf(account.address)) - balance;
  w.count(`claim from the ${from}`);
  w.note(`${w.nameOf(account.address)} claims ${fmt(received)} from the ${from}`);
  if (received !== credit) w.fail("a claim pays what was credited", `${fmt(received)} paid, ${fmt(credit)} credited`);
}
