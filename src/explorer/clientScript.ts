/**
 * The browser side of the explorer, served as `/assets/explorer.js` (plain ES2017, no build step): draws the
 * overview's plots with uPlot and applies live updates — on each `index` server-sent event it fetches the current
 * page's body (`X-Explorer-Fragment: 1`) and swaps `#main` in place, without reloading the page; ticks the
 * countdowns of open fraud games.
 */
export const CLIENT_SCRIPT = `(function () {
  "use strict";
  var live = document.getElementById("live");
  var plots = [];

  function bars() { return window.uPlot && window.uPlot.paths && window.uPlot.paths.bars ? window.uPlot.paths.bars({ size: [0.6, 60] }) : undefined; }

  function drawPlots() {
    plots.forEach(function (p) { p.destroy(); });
    plots = [];
    var data = document.getElementById("plot-data");
    if (!data || !window.uPlot) return;
    var parsed = JSON.parse(data.textContent);
    var receiptsEl = document.getElementById("plot-receipts");
    var stakeEl = document.getElementById("plot-stake");
    var width = function (el) { return Math.max(280, el.clientWidth - 8); };
    if (receiptsEl) {
      var xs = parsed.receipts.map(function (r) { return r.time; });
      var ys = parsed.receipts.map(function (r) { return r.receipts; });
      plots.push(new window.uPlot({
        width: width(receiptsEl), height: 200,
        scales: { x: { time: true, range: function () { return parsed.range; } } },
        series: [{}, { label: "receipts", stroke: "#2563eb", fill: "rgba(37,99,235,0.25)", paths: bars() }],
        axes: [{}, { label: "receipts / hour" }],
      }, [xs, ys], receiptsEl));
    }
    if (stakeEl) {
      var labels = parsed.stake.map(function (s) { return s.node.slice(0, 6) + "…"; });
      plots.push(new window.uPlot({
        width: width(stakeEl), height: 200,
        scales: { x: { time: false, range: [-0.5, Math.max(0.5, labels.length - 0.5)] } },
        series: [{}, { label: "active stake", stroke: "#137a3f", fill: "rgba(19,122,63,0.3)", paths: bars() }],
        axes: [{ splits: function () { return labels.map(function (_, i) { return i; }); },
                 values: function (u, splits) { return splits.map(function (i) { return labels[i] || ""; }); } },
               { label: "tokens" }],
      }, [labels.map(function (_, i) { return i; }), parsed.stake.map(function (s) { return s.stake; })], stakeEl));
    }
  }

  // Countdowns of open fraud games: seconds left as of the newest indexed block, ticked by the browser's clock from
  // the moment the page (or its live update) arrived; same wording as the server's countdown().
  var countdownBase = Date.now();
  function countdownText(left) {
    if (left < 0) return "overdue";
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    return (h > 0 ? h + " h " : "") + (h > 0 || m > 0 ? m + " min " : "") + s + " s left";
  }
  function tickCountdowns() {
    var elapsed = Math.floor((Date.now() - countdownBase) / 1000);
    document.querySelectorAll(".countdown[data-seconds-left]").forEach(function (el) {
      el.textContent = countdownText(Number(el.getAttribute("data-seconds-left")) - elapsed);
    });
  }
  setInterval(tickCountdowns, 1000);

  var pending = false;
  function refresh() {
    if (pending) return;
    pending = true;
    fetch(location.href, { headers: { "X-Explorer-Fragment": "1" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (text !== null) {
          document.getElementById("main").innerHTML = text;
          countdownBase = Date.now();
          drawPlots();
          document.body.dataset.liveUpdates = String(Number(document.body.dataset.liveUpdates || 0) + 1);
        }
      })
      .finally(function () { pending = false; });
  }

  if (window.EventSource) {
    var source = new EventSource("/api/stream");
    source.onopen = function () { live.className = "on"; live.textContent = "live"; };
    source.onerror = function () { live.className = ""; live.textContent = "reconnecting…"; };
    source.addEventListener("index", function (event) {
      var update = JSON.parse(event.data);
      live.textContent = "live · block " + update.block;
      refresh();
    });
  }
  drawPlots();
})();
`;
