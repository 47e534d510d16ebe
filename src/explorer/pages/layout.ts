import { html, raw, type SafeHtml } from "../html";

const STYLE = `
:root { --fg:#1d2330; --muted:#5d6678; --line:#dfe3ea; --bg:#f6f7f9; --good:#137a3f; --bad:#b3261e; --warn:#9a6700; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, sans-serif; color:var(--fg); background:var(--bg); }
header { background:#1d2330; color:#fff; padding:10px 20px; display:flex; gap:18px; align-items:center; flex-wrap:wrap; }
header a { color:#fff; text-decoration:none; } header .brand { font-weight:700; font-size:16px; }
header form { margin-left:auto; } header input { width:340px; padding:5px 8px; border-radius:4px; border:0; }
#live { font-size:12px; color:#b9c2d3; } #live.on::before { content:"● "; color:#4ade80; }
main { max-width:1180px; margin:0 auto; padding:16px 20px 40px; }
h1 { font-size:20px; margin:8px 0 14px; } h2 { font-size:16px; margin:22px 0 8px; }
.cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(160px,1fr)); gap:10px; }
.card { background:#fff; border:1px solid var(--line); border-radius:6px; padding:10px 12px; }
.card .label { color:var(--muted); font-size:12px; } .card .value { font-size:20px; font-weight:600; }
table { width:100%; border-collapse:collapse; background:#fff; border:1px solid var(--line); }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef0f4; font-weight:600; font-size:12px; color:var(--muted); }
.mono, code { font-family:ui-monospace, SFMono-Regular, Menlo, monospace; font-size:12.5px; }
.badge { display:inline-block; padding:1px 7px; border-radius:9px; font-size:12px; font-weight:600; color:#fff; }
.badge.good { background:var(--good); } .badge.bad { background:var(--bad); } .badge.warn { background:var(--warn); }
.badge.neutral { background:#6b7385; }
dl.facts { display:grid; grid-template-columns:200px 1fr; gap:4px 12px; background:#fff; border:1px solid var(--line);
  padding:10px 12px; border-radius:6px; margin:0; } dl.facts dt { color:var(--muted); } dl.facts dd { margin:0; word-break:break-all; }
ol.timeline { list-style:none; padding:0; margin:0; border-left:3px solid var(--line); }
ol.timeline li { margin:0 0 8px 0; padding:4px 10px; position:relative; background:#fff; border:1px solid var(--line);
  border-left:0; border-radius:0 6px 6px 0; }
ol.timeline .when { color:var(--muted); font-size:12px; } ol.timeline .what { font-weight:600; }
.plots { display:grid; grid-template-columns:1fr 1fr; gap:12px; } .plot { background:#fff; border:1px solid var(--line);
  border-radius:6px; padding:8px; min-height:260px; }
.muted { color:var(--muted); } .empty { color:var(--muted); font-style:italic; }
`;

/** A whole page: header with navigation and search, the body in `#main` (swapped in place by live updates). */
export function layout(title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Verity explorer</title>
        <link rel="stylesheet" href="/assets/uPlot.min.css" />
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <a class="brand" href="/">Verity explorer</a>
          <a href="/">Overview</a><a href="/nodes">Nodes</a><a href="/models">Models</a><a href="/disputes">Disputes</a
          ><a href="/requests">Requests</a>
          <span id="live" title="live updates (server-sent events)">connecting…</span>
          <form action="/search" method="get">
            <input name="q" placeholder="receipt hash, request id, dispute #, node or model" aria-label="search" />
          </form>
        </header>
        <main id="main">${body}</main>
        <script src="/assets/uPlot.iife.min.js"></script>
        <script src="/assets/explorer.js"></script>
      </body>
    </html>`;
}
