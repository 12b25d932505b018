/* Time-series charts on uPlot (vendored), with an expected band and vertical event markers. */
"use strict";

const CPCharts = (() => {
  const PALETTE = ["#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2", "#65a30d", "#dc2626"];
  const DAY_S = 86400;
  // Day before month ("8 Sept") and UTC, as every other date on the pages, not uPlot's US "9/8" in local time.
  const fmtTickDay = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
  const fmtTickHour = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
  const fmtFullDay = new Intl.DateTimeFormat("en-GB", {
    day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
  });

  /** x-axis labels: days, or hours with the day under the first hour of each day. */
  function timeTicks(u, splits, axisIdx, space, incr) {
    let shownDay = null;
    return splits.map((ts) => {
      const d = new Date(ts * 1e3);
      const dayText = fmtTickDay.format(d);
      if (incr >= DAY_S) return dayText;
      const text = fmtTickHour.format(d) + (dayText === shownDay ? "" : "\n" + dayText);
      shownDay = dayText;
      return text;
    });
  }

  /** The hovered bucket: "16 Oct 2026" for a day, "16 Oct 2026, 08:00 UTC" for an hour. */
  function bucketTime(ts, bucket) {
    if (ts === null || ts === undefined) return "—";
    return bucket === "day" ? fmtFullDay.format(new Date(ts * 1e3)) + " (UTC)" : CP.when(ts * 1e3);
  }

  /** The newest bucket's segments dashed: it is still filling up, and a solid fall would read as a collapse. */
  function partialPlugin(lines, firstLine) {
    return {
      hooks: {
        draw: [
          (u) => {
            const n = u.data[0].length;
            if (n < 2) return;
            const ctx = u.ctx;
            const dpr = window.devicePixelRatio || 1;
            ctx.save();
            lines.forEach((line, i) => {
              const s = u.series[firstLine + i];
              const [from, to] = [line.values[n - 2], line.values[n - 1]];
              if (!s.show || from === null || to === null || from === undefined || to === undefined) return;
              ctx.strokeStyle = line.color || PALETTE[i % PALETTE.length];
              ctx.lineWidth = (line.width || 2) * dpr;
              ctx.setLineDash([4 * dpr, 4 * dpr]);
              ctx.beginPath();
              ctx.moveTo(u.valToPos(u.data[0][n - 2], "x", true), u.valToPos(from, s.scale, true));
              ctx.lineTo(u.valToPos(u.data[0][n - 1], "x", true), u.valToPos(to, s.scale, true));
              ctx.stroke();
            });
            ctx.restore();
          },
        ],
      },
    };
  }

  /** Scale ranges that also fit the partial bucket's values, which are left out of the drawn data. */
  function partialRanges(lines) {
    const scales = {};
    for (const line of lines) {
      const key = line.scale || "y";
      const v = line.values.at(-1);
      if (v !== null && v !== undefined) scales[key] = Math.max(scales[key] ?? -Infinity, v);
    }
    const out = {};
    for (const [key, top] of Object.entries(scales)) {
      out[key] = { range: (u, min, max) => uPlot.rangeNum(min ?? 0, Math.max(max ?? top, top), 0.1, true) };
    }
    return out;
  }

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
   * markers: [{t, label?, color?, dash?, width?, side?: "left"|"right"}]; bucket: "hour"|"day" (for the hover);
   * partial: a label for the newest bucket, which is incomplete: its segments are drawn dashed.
   */
  function timeSeries(container, { x, lines, band, markers, height, yLabel, y2Label, percent, bucket, partial }) {
    const dashLast = Boolean(partial) && x.length >= 2;
    const series = [{ label: bucket === "day" ? "Day" : "Time", value: (u, ts) => bucketTime(ts, bucket) }];
    const data = [x];
    if (band) {
      series.push({ label: band.label || "expected low", stroke: "rgba(100,116,139,0.35)", width: 1,
        value: (u, v) => fmt(v, percent) });
      series.push({ label: band.upperLabel || "expected high", stroke: "rgba(100,116,139,0.35)", width: 1,
        value: (u, v) => fmt(v, percent) });
      data.push(band.lower, band.upper);
    }
    const firstLine = series.length;
    lines.forEach((line, i) => {
      series.push({
        label: line.label,
        stroke: line.color || PALETTE[i % PALETTE.length],
        width: line.width || 2,
        dash: line.dash,
        scale: line.scale || "y",
        points: { show: false },
        // The legend reads the real values, also of the partial bucket the plot leaves to partialPlugin.
        value: (u, v, si, idx) => fmt(idx === null || idx === undefined ? v : line.values[idx], line.percent ?? percent),
      });
      data.push(dashLast ? [...line.values.slice(0, -1), null] : line.values);
    });
    const axes = [
      { values: timeTicks },
      { label: yLabel || "", size: 56, values: (u, vals) => vals.map((v) => fmt(v, percent)) },
    ];
    if (lines.some((l) => l.scale === "y2")) {
      axes.push({ scale: "y2", side: 1, grid: { show: false }, size: 50, label: y2Label || "",
        values: (u, vals) => vals.map((v) => fmt(v, false)) });
    }
    const opts = {
      ...sizeOf(container, height),
      series,
      axes,
      scales: { x: { time: true }, ...(dashLast ? partialRanges(lines) : {}) },
      bands: band ? [{ series: [2, 1], fill: "rgba(100,116,139,0.16)" }] : [],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      plugins: [
        markerPlugin([...(markers || []), ...(dashLast ? [partialMarker(x.at(-1), partial)] : [])]),
        ...(dashLast ? [partialPlugin(lines, firstLine)] : []),
      ],
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

  function partialMarker(t, label) {
    return { t, label, color: "#64748b", dash: [2, 3], width: 1, side: "left" };
  }

  function fmt(v, percent) {
    if (v === null || v === undefined || Number.isNaN(v)) return "—";
    if (percent) return (100 * v).toFixed(v < 0.01 ? 2 : 1) + "%";
    return Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en") : Number(v.toFixed(2)).toString();
  }

  /** A tiny inline SVG line for tables; no axes, scaled to its own maximum. */
  function sparkline(values, { width = 160, height = 32, highlightFrom = null, partialLast = false } = {}) {
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
    const coords = values.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`);
    const dashed = partialLast && n >= 2;  // the newest day is still filling up: dashed, not a solid fall
    const points = (dashed ? coords.slice(0, -1) : coords).join(" ");
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
    if (dashed) {
      const last = document.createElementNS(NS, "polyline");
      last.setAttribute("points", coords.slice(-2).join(" "));
      last.setAttribute("class", "spark-line spark-partial");
      svg.append(last);
    }
    return svg;
  }

  return { timeSeries, sparkline, PALETTE };
})();
