/** Largest requantization multiplier (16-bit unsigned), so `acc * multiplier` stays below 2^47: exact in float64. */
export const MAX_REQUANT_MULTIPLIER = 0xffff;
/** Allowed shifts: 1..46. */
export const MIN_REQUANT_SHIFT = 1;
export const MAX_REQUANT_SHIFT = 46;

const POW2 = Array.from({ length: 64 }, (_, i) => 2 ** i);

/**
 * Fixed-point requantization, exactly: `y = floor((acc * multiplier + 2^(shift-1)) / 2^shift)`, i.e.
 * `acc * multiplier / 2^shift` rounded half up (ties toward +∞), for int32 `acc`, uint16 `multiplier` and
 * `shift` in 1..46. Every intermediate is an integer below 2^53, so float64 arithmetic is exact on every machine.
 * The result is not clamped (see {@link clampInt8}).
 */
export function requantize(acc: number, multiplier: number, shift: number): number {
  return Math.floor((acc * multiplier + POW2[shift - 1]!) / POW2[shift]!);
}

/** Saturates to the int8 range [-128, 127]. */
export function clampInt8(value: number): number {
  return value < -128 ? -128 : value > 127 ? 127 : value;
}
