import { AbiCoder, keccak256 } from "ethers";

/**
 * The committee a dispute must get: stake-weighted sortition over `weights` (the verifiers' weights at the challenge
 * block, in sortition-tree slot order) seeded by `entropy`, exactly as DisputeManager draws it: attempt `a` picks the
 * verifier whose cumulative-weight range holds `keccak256(abi.encode(entropy, id, a)) % total`, skipping members
 * already drawn and `excluded` accounts, at most `size × 8` attempts. Undefined when too few can be drawn.
 */
export function expectedCommittee(
  entropy: string,
  id: bigint,
  verifiers: string[],
  weights: bigint[],
  size: number,
  excluded: Set<string>,
): string[] | undefined {
  const total = weights.reduce((a, b) => a + b, 0n);
  if (total === 0n) return undefined;
  const committee: string[] = [];
  const coder = AbiCoder.defaultAbiCoder();
  for (let attempt = 0; attempt < size * 8 && committee.length < size; attempt++) {
    const value = BigInt(keccak256(coder.encode(["bytes32", "uint256", "uint256"], [entropy, id, attempt]))) % total;
    let prefix = 0n;
    let index = 0;
    for (; index < weights.length; index++) {
      prefix += weights[index]!;
      if (prefix > value) break;
    }
    const member = verifiers[index]!;
    if (committee.includes(member) || excluded.has(member.toLowerCase())) continue;
    committee.push(member);
  }
  return committee.length < size ? undefined : committee;
}
