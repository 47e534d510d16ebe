import { formatUnits, hexToString, type Abi, type AbiParameter } from "viem";

/** The stake token's units, so amounts print as `12.5 VRTT` rather than base units. */
export type TokenUnits = { decimals: number; symbol: string };

const TOKEN_AMOUNT =
  /fee|amount|stake|minimum|remaining|requested|locked|balance|needed|allowance|expected|received|slashable|bond|deposit|payment|reward|refund/i;
const TIMESTAMP = /deadline|windowend|releaseat|currenttime|until|earliest|latest|timestamp|time$|At$/i;
const DURATION = /period|window$|duration|delay|timeout/i;

/** A duration in seconds as `7d 0h 0m` (or `42s`). */
export function formatDuration(seconds: bigint): string {
  if (seconds < 60n) return `${seconds}s`;
  const days = seconds / 86_400n;
  const hours = (seconds % 86_400n) / 3_600n;
  const minutes = (seconds % 3_600n) / 60n;
  return `${days > 0n ? `${days}d ` : ""}${hours}h ${minutes}m`;
}

/** One custom-error argument in human units: token amounts with the symbol, timestamps as dates, durations. */
function formatArg(parameter: AbiParameter, value: unknown, token: TokenUnits | undefined): string {
  const name = parameter.name ?? "";
  if (typeof value === "bigint" && parameter.type.startsWith("uint")) {
    const isEnum = "internalType" in parameter && String(parameter.internalType).startsWith("enum ");
    if (isEnum) return value.toString();
    if (TIMESTAMP.test(name) && value > 0n && value < 1n << 40n) {
      return new Date(Number(value) * 1000).toISOString();
    }
    if (DURATION.test(name)) return formatDuration(value);
    if (TOKEN_AMOUNT.test(name) && token) return `${formatUnits(value, token.decimals)} ${token.symbol}`;
    return value.toString();
  }
  if (typeof value === "number" && TIMESTAMP.test(name) && value > 0) return new Date(value * 1000).toISOString();
  if (typeof value === "number" && DURATION.test(name)) return formatDuration(BigInt(value));
  if (parameter.type === "bytes32" && name === "parameter" && typeof value === "string") {
    try {
      const text = hexToString(value as `0x${string}`, { size: 32 });
      if (/^[\x20-\x7e]+$/.test(text)) return text;
    } catch {
      // not text: print the hex
    }
  }
  return String(value);
}

/**
 * A reverted custom error's arguments as `name: value` pairs in human units (token symbol and decimals, ISO dates,
 * durations), looked up by the error's name in `abi`; undefined when the error is not in it.
 */
export function formatRevertArgs(
  abi: Abi,
  errorName: string,
  args: readonly unknown[],
  token: TokenUnits | undefined,
): string | undefined {
  const item = abi.find((entry) => entry.type === "error" && entry.name === errorName);
  if (!item || item.type !== "error") return undefined;
  return item.inputs
    .map((input, index) => `${input.name || `arg${index}`}: ${formatArg(input, args[index], token)}`)
    .join(", ");
}
