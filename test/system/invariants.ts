import { ReceiptState, fmt } from "./world";
import type { World } from "./world";

const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);

/**
 * Every invariant, checked after every command. Money: tokens are conserved counting every credit and every held
 * amount, and each contract holds exactly what it owes (less would be a claim it can't pay, more a stranded token).
 * Stake: slashes never exceed the stake that existed, locks are exactly the open judgments' amounts at risk, an honest
 * node never loses stake or is jailed. Receipts: a rejected receipt stays rejected, never final and never paid; none is
 * final under an open dispute. Committees: a drawn committee never changes.
 */
export async function checkInvariants(w: World) {
  const { s, m } = w;
  const stakers = [...s.nodes, ...s.verifiers];
  const accounts = w.accounts.map((a) => a.address);
  const contracts = Object.values(s.contracts);
  const [supply, wallets, held, slashables, locked, totals, dm, routerCredits, daCredits, claimables, params, pulls] =
    await Promise.all([
      s.token.totalSupply(),
      Promise.all(accounts.map((a) => s.token.balanceOf(a))),
      Promise.all(contracts.map((c) => s.token.balanceOf(c))),
      Promise.all(stakers.map((a) => s.staking.slashableStakeOf(a.address))),
      Promise.all(stakers.map((a) => s.staking.lockedStakeOf(a.address))),
      Promise.all([s.staking.totalActiveStake(), s.staking.totalUnbondingStake()]),
      Promise.all([s.disputes.totalBonds(), s.disputes.totalChallengerShares(), s.disputes.totalClaimable()]),
      Promise.all(accounts.map((a) => s.router.claimableOf(a))),
      Promise.all(accounts.map((a) => s.availability.claimableOf(a))),
      Promise.all(accounts.map((a) => s.disputes.claimableOf(a))),
      s.disputes.getParameters(),
      Promise.all([s.router.totalClaimable(), s.availability.totalClaimable()]),
    ]);
  const balanceOf = (contract: string) => held[contracts.indexOf(contract)]!;
  const [bonds, shares, claimable] = dm;
  const stake = totals[0] + totals[1];

  // What each contract owes, from the model (escrows, bonds, shares) and the chain (credits owed to known accounts).
  const owed = new Map<string, [string, bigint]>([
    [s.contracts.staking, ["staking (active + unbonding)", stake]],
    [s.contracts.router, ["router (escrow + credits)", m.escrow() + sum(routerCredits)]],
    [s.contracts.availability, ["DA manager (bonds + credits)", m.demandBonds() + sum(daCredits)]],
    [
      s.contracts.disputes,
      ["dispute manager (bonds + shares + credits)", m.openBonds() + m.challengerShares() + claimable],
    ],
  ]);

  // Tokens are conserved: the supply never changes, and it is exactly what the accounts hold plus what is owed.
  if (supply !== m.supply) w.fail("tokens are conserved", `supply ${fmt(supply)} != ${fmt(m.supply)}`);
  const accounted = sum(wallets) + sum([...owed.values()].map(([, v]) => v));
  if (accounted !== supply) {
    w.fail("tokens are conserved", `accounts + what contracts owe = ${fmt(accounted)}, supply ${fmt(supply)}`);
  }

  // No contract owes more than it holds, and none holds tokens nobody can get back.
  for (const contract of contracts) {
    const [name, amount] = owed.get(contract) ?? [`contract ${contract}`, 0n];
    const balance = balanceOf(contract);
    if (balance < amount)
      w.fail("no contract owes more than it holds", `${name}: holds ${fmt(balance)}, owes ${fmt(amount)}`);
    if (balance > amount) w.fail("no token is stranded", `${name}: holds ${fmt(balance)}, owes ${fmt(amount)}`);
  }

  // The dispute manager's books agree with the model and with its accounts.
  if (bonds !== m.openBonds())
    w.fail("dispute bonds", `manager holds ${fmt(bonds)} in bonds, model ${fmt(m.openBonds())}`);
  if (shares !== m.challengerShares()) {
    w.fail("challenger shares", `manager owes ${fmt(shares)} in shares, model ${fmt(m.challengerShares())}`);
  }
  if (sum(claimables) !== claimable) {
    w.fail("claims add up", `claims sum to ${fmt(sum(claimables))}, total says ${fmt(claimable)}`);
  }
  // The router's and the DA manager's credit totals (`IPullCredits.totalClaimable`) agree with their accounts.
  for (const [name, credits, total] of [
    ["router", routerCredits, pulls[0]],
    ["DA manager", daCredits, pulls[1]],
  ] as const) {
    if (sum(credits) !== total) {
      w.fail("claims add up", `${name}: claims sum to ${fmt(sum(credits))}, total says ${fmt(total)}`);
    }
  }

  // Stake: the ledger adds up; no staker lost more than it put in; locks are exactly the open judgments'.
  if (sum(slashables) !== stake) w.fail("stake ledger", `stakers hold ${fmt(sum(slashables))}, totals ${fmt(stake)}`);
  for (const [i, staker] of stakers.entries()) {
    const now = slashables[i]! + m.get(m.withdrawn, staker.address);
    const put = m.get(m.staked, staker.address);
    if (now > put)
      w.fail(
        "slashes never exceed the stake that existed",
        `${staker.name} holds + withdrew ${fmt(now)} > ${fmt(put)}`,
      );
    const expected = m.locks(staker.address);
    if (locked[i] !== expected) {
      w.fail(
        "locks are the open judgments' amounts at risk",
        `${staker.name}: ${fmt(locked[i]!)} locked, model ${fmt(expected)}`,
      );
    }
  }

  if (params.challengerRewardBps > 5_000n) {
    w.fail("the challenger's reward is at most 50%", `challengerRewardBps is ${params.challengerRewardBps}`);
  }

  // A node that only signs correct results never loses stake, and is never jailed.
  for (const node of s.nodes.filter((n) => n.honest)) {
    const now = slashables[stakers.indexOf(node)]! + m.get(m.withdrawn, node.address);
    const put = m.get(m.staked, node.address);
    if (now !== put)
      w.fail("an honest node is never slashed", `${node.name} put in ${fmt(put)}, holds + withdrew ${fmt(now)}`);
    if ((await s.nodeRegistry.getNode(node.address)).jailed)
      w.fail("an honest node is never slashed", `${node.name} was jailed`);
  }

  await checkReceipts(w);
  await checkCommittees(w);
}

/** A rejected receipt stays rejected, is never final and never paid; no receipt is final under an open dispute. */
async function checkReceipts(w: World) {
  const { s, m } = w;
  const watched = m.receipts.filter((r) => r.rejected || m.disputes.some((d) => d.open && d.receipt === r));
  const [states, finals] = await Promise.all([
    Promise.all(watched.map((r) => s.attestation.receiptState(r.hash))),
    Promise.all(watched.map((r) => s.attestation.isFinal(r.receipt, r.batchId, r.proof))),
  ]);
  for (const [i, r] of watched.entries()) {
    const what = `${r.node.name}'s ${r.correct ? "correct" : "wrong"} receipt ${r.hash.slice(0, 10)}`;
    if (r.rejected) {
      if (Number(states[i]) !== ReceiptState.Rejected)
        w.fail("a rejected receipt stays rejected", `${what} is in state ${states[i]}`);
      if (finals[i]) w.fail("a rejected receipt is never final", `${what} is final`);
      if (r.paid)
        w.fail("a receipt judged wrong is never paid", `${what} was paid by the router before it was rejected`);
    } else if (finals[i]) {
      w.fail("no receipt is final while a dispute on it is open", `${what} is final`);
    }
  }
}

/** A drawn committee never changes, whatever stake moved after its challenge block. */
async function checkCommittees(w: World) {
  const drawn = w.m.disputes.filter((d) => d.open && d.committee);
  const now = await Promise.all(drawn.map((d) => w.s.disputes.committeeOf(d.id)));
  for (const [i, d] of drawn.entries()) {
    if ([...now[i]!].map(String).join() !== d.committee!.join()) {
      w.fail("a dispute's committee never changes once drawn", `#${d.id}'s committee is now ${now[i]!.join(", ")}`);
    }
  }
}
