/** mulberry32: a tiny seeded PRNG returning floats in [0, 1); deterministic on every machine. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place with a seeded PRNG. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * exp(x) from IEEE-754 basic operations only (+, *, / are correctly rounded everywhere), so training is
 * reproducible across engines whose Math.exp may differ in the last bit. Range reduction x = k·ln2 + r, Taylor on r.
 */
export function exactExp(x: number): number {
  if (x < -700) return 0;
  if (x > 700) return Infinity;
  const LN2 = 0.6931471805599453;
  const k = Math.round(x / LN2);
  const r = x - k * LN2;
  let term = 1;
  let sum = 1;
  for (let n = 1; n < 20; n++) {
    term = (term * r) / n;
    sum += term;
  }
  return sum * 2 ** k;
}
