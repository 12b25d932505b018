/* Time-series charts on uPlot (vendored), with an expected band and vertical event markers. */
"use strict";

const CPCharts = (() => {
  const PALETTE = ["#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2", "#65a30d", "#dc2626"];

  /** Vertical lines with a small label at the top: changepoints, alert starts. Labels take the first free row. */
  function markerPlugin(markers) {
    const MAX_ROWS = 4;
    return {
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            const { top, height, left, width } = u.bbox;
            const dpr = window.devicePixelRatio || 1;
            const gap = 4 * dpr;
            const rowEnds = [];  // per label row, the pixel ranges already taken
            ctx.save();
            ctx.font = `${11 * dpr}px system-ui, sans-serif`;
            const placed = markers.map((m) => ({ m, x: Math.round(u.valToPos(m.t, "x", true)) }))
              .filter(({ x }) => x >= left && x <= left + width)
              .sort((a, b) => a.x - b.x);
            for (const { m, x } of placed) {
              ctx.strokeStyle = m.color || "#dc2626";
              ctx.lineWidth = (m.width || 2) * dpr;
              ctx.setLineDash(m.dash ? m.dash.map((d) => d * dpr) : []);
              ctx.beginPath();
              ctx.moveTo(x, top);
              ctx.lineTo(x, top + height);
              ctx.stroke();
              if (!m.label) continue;
              const textWidth = ctx.measureText(m.label).width;
              const fitsRight = x + gap + textWidth <= left + width;
              const tx = m.side === "left" || !fitsRight ? x - gap - textWidth : x + gap;
              let row = 0;
              while (row < MAX_ROWS && (rowEnds[row] || []).some(([a, b]) => tx < b + gap && tx + textWidth > a - gap)) row++;
              if (row === MAX_ROWS) continue;  // no room: the list under the chart still names it
              (rowEnds[row] = rowEnds[row] || []).push([tx, tx + textWidth]);
              ctx.fillStyle = m.color || "#dc2626";
              ctx.fillText(m.label, tx, top + 12 * dpr + row * 13 * dpr);
            }
            ctx.restore();
          },
        ],
      },
    };
  }

  function sizeOf(container, height) {
    return { width: Math.max(240, container.clientWidth), height: height || 280 };
  }

  /**
   * container: element; x: unix seconds; lines: [{label, values, color?, width?, dash?, scale?: "y"|"y2"}];
   * band: {lower, upper, label?} drawn as a shaded expected range;
   * markers: [{t, label?, color?, dash?, width?, side?: "left"|"right"}].
   */
  function timeSeries(container, { x, lines, band, markers, height, yLabel, y2Label, percent }) {
    const series = [{}];
    const data = [x];
    if (band) {
      series.push({ label: band.label || "expected low", stroke: "rgba(100,116,139,0.35)", width: 1,
        value: (u, v) => fmt(v, percent) });
      series.push({ label: band.upperLabel || "expected high", stroke: "rgba(100,116,139,0.35)", width: 1,
        value: (u, v) => fmt(v, percent) });
      data.push(band.lower, band.upper);
    }
    lines.forEach((line, i) => {
      series.push({
        label: line.label,
        stroke: line.color || PALETTE[i % PALETTE.length],
        width: line.width || 2,
        dash: line.dash,
        scale: line.scale || "y",
        points: { show: false },
        value: (u, v) => fmt(v, line.percent ?? percent),
      });
      data.push(line.values);
    });
    const axes = [{}, { label: yLabel || "", size: 56, values: (u, vals) => vals.map((v) => fmt(v, percent)) }];
    if (lines.some((l) => l.scale === "y2")) {
      axes.push({ scale: "y2", side: 1, grid: { show: false }, size: 50, label: y2Label || "",
        values: (u, vals) => vals.map((v) => fmt(v, false)) });
    }
    const opts = {
      ...sizeOf(container, height),
      series,
      axes,
      scales: { x: { time: true } },
      bands: band ? [{ series: [2, 1], fill: "rgba(100,116,139,0.16)" }] : [],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      plugins: [markerPlugin(markers || [])],
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "UTC"),
    };
    // Redrawing (e.g. hour/day toggle) replaces the previous plot and its resize watcher.
    if (container._observer) container._observer.disconnect();
    if (container._plot) container._plot.destroy();
    container.replaceChildren();
    const plot = new uPlot(opts, data, container);
    const observer = new ResizeObserver(() => plot.setSize(sizeOf(container, height)));
    observer.observe(container);
    container._plot = plot;
    container._observer = observer;
    return plot;
  }

  function fmt(v, percent) {
    if (v === null || v === undefined || Number.isNaN(v)) return "—";
    if (percent) return (100 * v).toFixed(v < 0.01 ? 2 : 1) + "%";
    return Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en") : Number(v.toFixed(2)).toString();
  }

  /** A tiny inline SVG line for tables; no axes, scaled to its own maximum. */
  function sparkline(values, { width = 160, height = 32, highlightFrom = null } = {}) {
    const NS = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("class", "sparkline");
    svg.setAttribute("role", "img");
    const n = values.length;
    const max = Math.max(1, ...values);
    const px = (i) => (n <= 1 ? 0 : (i / (n - 1)) * (width - 2) + 1);
    const py = (v) => height - 2 - (v / max) * (height - 4);
    const points = values.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(" ");
    if (highlightFrom !== null && highlightFrom < n) {
      const rect = document.createElementNS(NS, "rect");
      rect.setAttribute("x", px(highlightFrom).toFixed(1));
      rect.setAttribute("y", "0");
      rect.setAttribute("width", (width - px(highlightFrom)).toFixed(1));
      rect.setAttribute("height", String(height));
      rect.setAttribute("class", "spark-alert");
      svg.append(rect);
    }
    const line = document.createElementNS(NS, "polyline");
    line.setAttribute("points", points);
    line.setAttribute("class", "spark-line");
    svg.append(line);
    return svg;
  }

  return { timeSeries, sparkline, PALETTE };
})();
