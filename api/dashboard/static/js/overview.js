/* Overview: volume and top topics over time with alerts marked, the alert inbox, the Pareto of reasons. */
"use strict";

(() => {
  const { api, all, el, clear } = CP;
  const TOP_TOPICS = 5;
  const HOUR_WINDOW_DAYS = 14;
  const MAX_LABELS = 4;
  const SEVERITY_COLOR = { high: "#dc2626", medium: "#d97706", low: "#0891b2" };
  const STATUS_ORDER = { open: 0, acknowledged: 1, resolved: 2 };
  const SEVERITY_ORDER = { high: 0, medium: 1, low: 2 };
  const state = { bucket: "day", alerts: [], pareto: [], window: {}, shownDays: [] };

  const hourUtc = (ms) => new Date(ms).toISOString().slice(11, 16) + " UTC";  // "16:00 UTC"

  function sortAlerts(alerts) {
    return alerts.slice().sort((a, b) =>
      (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9) ||
      (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9) ||
      String(b.detected_at).localeCompare(String(a.detected_at)));
  }

  function alertItem(a) {
    return el("li", { class: "alert-item status-" + a.status },
      el("span", { class: "sev sev-" + a.severity }, a.severity),
      el("a", { href: "/alerts/" + a.id, class: "alert-link" }, CP.alertSubject(a)),
      el("span", { class: "ratio" }, CP.ratio(a.ratio)),
      el("span", { class: "meta" },
        `${a.kind} · ${CP.dimension(a.dimension)} · since ${CP.when(a.change_at)} · ${a.status}` +
        (a.replay ? " · backtest" : "")));
  }

  function renderAlerts() {
    const list = document.getElementById("alert-list");
    const alerts = sortAlerts(state.alerts);
    if (!alerts.length) return clear(list, el("li", { class: "muted" }, "No alerts."));
    clear(list, alerts.map(alertItem));
  }

  function renderPareto() {
    const body = document.querySelector("#pareto tbody");
    const rows = state.pareto;
    if (!rows.length) return clear(body, el("tr", {}, el("td", { colspan: 4, class: "muted" }, "No tagged calls yet.")));
    const max = Math.max(...rows.map((r) => r.count || 0), 1);
    clear(body, rows.map((r) => {
      const bar = el("span", { class: "bar" });
      bar.style.width = ((100 * (r.count || 0)) / max).toFixed(1) + "%";
      return el("tr", { class: (r.cumulative_share ?? 1) <= 0.8 ? "vital" : "" },
        el("th", { scope: "row" }, el("span", { class: "topic-id" }, r.topic), el("span", { class: "bar-track" }, bar)),
        el("td", { class: "num" }, (r.count || 0).toLocaleString("en")),
        el("td", { class: "num" }, CP.pct(r.share)),
        el("td", { class: "num" }, CP.pct(r.cumulative_share)));
    }));
  }

  function alertMarkers() {
    return sortAlerts(state.alerts)
      .filter((a) => a.change_at && a.status !== "resolved")
      .map((a, i) => ({
        t: Date.parse(a.change_at) / 1e3,
        label: i < MAX_LABELS ? `#${a.id} ${CP.alertSubject(a)} ${CP.ratio(a.ratio)}` : "",
        color: SEVERITY_COLOR[a.severity] || "#dc2626",
        alert: a,
      }));
  }

  function renderMarkerList(markers, changepoints) {
    const list = document.getElementById("volume-markers");
    const items = markers.map((m) => el("li", { class: "marker marker-" + m.alert.severity },
      el("a", { href: "/alerts/" + m.alert.id }, `${CP.when(m.alert.change_at)} — ${CP.alertSubject(m.alert)}`),
      ` ${CP.ratio(m.alert.ratio)} (${m.alert.severity}, ${m.alert.status})`));
    if (changepoints.length) {
      items.push(el("li", { class: "marker changepoint" },
        `${changepoints.length} change${changepoints.length > 1 ? "s" : ""} in total volume (dashed lines)`));
    }
    clear(list, items);
  }

  async function loadTrends(bucket) {
    const params = { bucket };
    if (bucket === "hour") {
      // Two weeks of hours, ending where the data ends (the API's default is one week).
      params.since = new Date(Date.parse(state.window.until) - HOUR_WINDOW_DAYS * 86400e3).toISOString();
      params.until = state.window.until;
    }
    const topics = state.pareto.slice(0, TOP_TOPICS).map((r) => r.topic);
    const [total, grouped] = await Promise.all([
      api("/topics/*/trend", params),
      topics.length ? api("/trends", { ...params, topics: topics.join(",") }) : { items: [] },
    ]);
    return { total, topics: grouped.items || [] };
  }

  function changepointTimes(trend) {
    return (trend.changepoints || []).map((c) => Date.parse(typeof c === "string" ? c : c.t || c.at) / 1e3)
      .filter((t) => !Number.isNaN(t));
  }

  async function renderCharts() {
    const { total, topics } = await loadTrends(state.bucket);
    const chart = document.getElementById("volume-chart");
    const markers = alertMarkers();
    const points = CP.trimEmpty(total.points || []);
    if (!points.length) {
      clear(chart, el("p", { class: "muted" }, "No volumes yet: ingest and process some calls."));
      renderMarkerList(markers, []);
      return;
    }
    const x = points.map((p) => Date.parse(p.t) / 1e3);
    const changepoints = changepointTimes(total).map((t) => ({ t, color: "#475569", dash: [4, 4], width: 1 }));
    const lines = [{ label: "all calls", values: points.map((p) => p.total), color: "#475569", width: 1.5 }];
    topics.forEach((s, i) => {
      const byT = new Map((s.points || []).map((p) => [Date.parse(p.t) / 1e3, p.count]));
      lines.push({ label: s.topic, values: x.map((t) => byT.get(t) ?? 0), color: CPCharts.PALETTE[(i + 1) % 8],
        scale: "y2" });
    });
    const partialEnd = state.bucket === "day" ? await CP.partialDayEnd(points.at(-1).t) : null;
    CPCharts.timeSeries(chart, {
      x, lines, markers: [...changepoints, ...markers], height: 320, yLabel: "all calls", y2Label: "calls per topic",
      bucket: state.bucket, partial: partialEnd === null ? null : "partial day",
    });
    const calls = points.reduce((s, p) => s + (p.total || 0), 0);
    document.getElementById("volume-summary").textContent =
      `${calls.toLocaleString("en")} calls in ${x.length} ${state.bucket}s (${CP.day(points[0].t)} – ` +
      `${CP.day(points.at(-1).t)}); left axis: all calls, right axis: calls of the top ${topics.length} topics.` +
      (partialEnd === null ? "" : ` ${CP.day(points.at(-1).t)} is partial: calls until ` +
        `${hourUtc(partialEnd)}, drawn dashed.`);
    renderMarkerList(markers, changepoints);
    renderParetoWindow();
  }

  // The Pareto always covers the daily chart's days, also while the chart shows the hours of the last two weeks.
  function renderParetoWindow() {
    const days = state.shownDays;
    const span = days.length ? `${CP.day(days[0].t)} – ${CP.day(days.at(-1).t)}` : "";
    const hourly = state.bucket === "hour";
    document.getElementById("pareto-window").textContent = !span ? "Tagged calls of the daily chart's days." :
      hourly ? `Tagged calls ${span}, the days of the Day view (not only the hours shown on the chart).` :
        `Tagged calls ${span}, the days of the daily chart.`;
  }

  function bindToggle() {
    for (const button of document.querySelectorAll(".toggle button")) {
      button.addEventListener("click", () => {
        state.bucket = button.dataset.bucket;
        for (const b of document.querySelectorAll(".toggle button")) {
          b.setAttribute("aria-pressed", String(b === button));
        }
        renderCharts().catch((err) => CP.status(String(err.message || err), true));
      });
    }
  }

  CP.start(async () => {
    bindToggle();
    // The Pareto counts the days the chart shows by default (the API's eight weeks of days), not all time.
    const days = await api("/topics/*/trend", { bucket: "day" });
    state.window = { since: days.since, until: days.until };
    state.shownDays = CP.trimEmpty(days.points || []);  // the days the chart draws: the window without empty ends
    renderParetoWindow();
    const [alerts, pareto] = await Promise.all([all("/alerts"), api("/reports/pareto", state.window)]);
    state.alerts = alerts;
    state.pareto = (pareto.items || []).map((r) => ({ ...r, topic: r.topic ?? r.topic_id }));
    renderAlerts();
    renderPareto();
    await renderCharts();
  });
})();
