import { formatUnits } from "viem";

/** HTML that is already escaped (built by {@link html}); anything else interpolated into `html` is escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(String(value));
}

/** A tagged template that escapes every interpolated value except nested `html` fragments (and arrays of them). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** JSON for a `<script type="application/json">` block (no `</script>` can close it early). */
export function jsonScript(id: string, value: unknown): SafeHtml {
  return new SafeHtml(
    `<script type="application/json" id="${escapeHtml(id)}">${JSON.stringify(value).replace(/</g, "\\u003c")}</script>`,
  );
}

/** `0x1234…abcd` */
export function short(hex: unknown): string {
  const text = String(hex ?? "");
  return text.length > 14 ? `${text.slice(0, 6)}…${text.slice(-4)}` : text;
}

/** A token amount (18 decimals) with at most 4 decimals and thousands separators. */
export function tokens(amount: unknown): string {
  if (amount === null || amount === undefined) return "–";
  const [whole, fraction = ""] = formatUnits(BigInt(String(amount)), 18).split(".");
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const trimmed = fraction.slice(0, 4).replace(/0+$/, "");
  return trimmed ? `${grouped}.${trimmed}` : grouped;
}

/** A chain timestamp as UTC `YYYY-MM-DD HH:MM:SS`. */
export function time(seconds: unknown): string {
  if (seconds === null || seconds === undefined || Number(seconds) === 0) return "–";
  return new Date(Number(seconds) * 1000).toISOString().replace("T", " ").slice(0, 19);
}

/** Links to the explorer's own pages. */
export const link = {
  node: (address: unknown) => html`<a class="mono" href="/nodes/${String(address)}">${short(address)}</a>`,
  model: (id: unknown) => html`<a class="mono" href="/models/${String(id)}">${short(id)}</a>`,
  receipt: (hash: unknown) => html`<a class="mono" href="/receipts/${String(hash)}">${short(hash)}</a>`,
  dispute: (id: unknown) => html`<a href="/disputes/${String(id)}">#${String(id)}</a>`,
  game: (id: unknown) => html`<a href="/games/${String(id)}" data-game="${String(id)}">game #${String(id)}</a>`,
  request: (id: unknown) => html`<a class="mono" href="/requests/${String(id)}">${short(id)}</a>`,
};

/** A coloured label: `good`, `bad`, `warn` or `neutral`. */
export function badge(text: string, tone: "good" | "bad" | "warn" | "neutral"): SafeHtml {
  return html`<span class="badge ${tone}" data-badge="${text}">${text}</span>`;
}

/** Trusted markup (constants of this package only, never data). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
