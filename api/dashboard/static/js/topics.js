/* Topics: the taxonomy with each topic's daily trend, and alerts on emerging phrases. */
"use strict";

(() => {
  const { api, all, el, clear } = CP;

  function patternsText(patterns) {
    return Object.entries(patterns || {}).map(([lang, list]) => `${lang}: ${(list || []).join(", ")}`).join(" · ");
  }

  function alertStart(alerts, topicId, series) {
    const open = alerts.filter((a) => a.topic === topicId && a.status !== "resolved" && a.change_at);
    if (!open.length) return null;
    const change = Math.min(...open.map((a) => Date.parse(a.change_at)));
    const idx = series.findIndex((p) => Date.parse(p.t) + 86400e3 > change);
    return idx < 0 ? null : idx;
  }

  const rowId = (id) => "topic-" + id.replace(/[^a-z0-9_-]/gi, "-");

  async function topicRow(topic, alerts, partialDay) {
    const trend = await api(`/topics/${encodeURIComponent(topic.id)}/trend`, { bucket: "day", until: partialDay.until });
    const series = CP.trimEmpty(trend.points || []);
    const counts = series.map((p) => p.count || 0);
    const total = counts.reduce((s, v) => s + v, 0);
    // Only a topic whose newest day is the data's partial day has a partial point; older ends are whole days.
    const partialLast = series.length > 0 && Date.parse(series.at(-1).t) === partialDay.t;
    const spark = CPCharts.sparkline(counts, { highlightFrom: alertStart(alerts, topic.id, series), partialLast });
    spark.setAttribute("aria-label", `${topic.id}: ${total} calls in ${series.length} days` +
      (partialLast ? ", the last one partial (dashed)" : ""));
    const alert = alerts.find((a) => a.topic === topic.id && a.status !== "resolved");
    return el("tr", { id: rowId(topic.id), class: location.hash === "#" + rowId(topic.id) ? "picked" : "" },
      el("th", { scope: "row" },
        el("span", { class: "topic-id" }, topic.id),
        el("span", { class: "topic-label" }, topic.label || ""),
        alert ? el("a", { class: "sev sev-" + alert.severity, href: "/alerts/" + alert.id }, "alert") : null),
      el("td", {}, spark),
      el("td", { class: "num" }, total.toLocaleString("en")),
      el("td", { class: "patterns" }, patternsText(topic.patterns)));
  }

  function renderEmerging(alerts) {
    const emerging = alerts.filter((a) => a.kind === "emerging");
    const list = document.getElementById("emerging-list");
    if (!emerging.length) return clear(list, el("li", { class: "muted" }, "No emerging phrases."));
    clear(list, emerging.map((a) => el("li", { class: "alert-item status-" + a.status },
      el("span", { class: "sev sev-" + a.severity }, a.severity),
      el("a", { href: "/alerts/" + a.id, class: "alert-link" }, CP.alertSubject(a)),
      el("span", { class: "ratio" }, CP.ratio(a.ratio)),
      el("span", { class: "meta" }, `${CP.dimension(a.dimension)} · since ${CP.when(a.change_at)} · ${a.status}`))));
  }

  /**
   * The days every row covers (the API's default daily window, pinned so all rows share it), named in the column
   * heads, and the newest day if it is partial ({t: its start in ms, or null when it is whole; until}).
   */
  async function dayWindow() {
    const days = await api("/topics/*/trend", { bucket: "day" });
    const lastDay = new Date(Date.parse(days.until) - 86400e3).toISOString();
    const span = `${CP.day(days.since)} – ${CP.day(lastDay)}`;
    const partialEnd = await CP.partialDayEnd(lastDay);
    document.getElementById("calls-h").textContent = `Calls ${span}`;
    document.getElementById("per-day-h").textContent = `Calls per day, ${span}` +
      (partialEnd === null ? "" : ` (${CP.day(lastDay)} partial: dashed)`);
    return { t: partialEnd === null ? null : Date.parse(lastDay), until: days.until };
  }

  CP.start(async () => {
    const [taxonomy, alerts] = await Promise.all([api("/taxonomy"), all("/alerts")]);
    renderEmerging(alerts);
    const topics = taxonomy.topics || [];
    if (taxonomy.version !== null && taxonomy.version !== undefined) {
      document.getElementById("taxonomy-version").textContent =
        `Taxonomy version ${taxonomy.version}` + (taxonomy.loaded_at ? `, loaded ${CP.when(taxonomy.loaded_at)}` : "");
    }
    const body = document.querySelector("#topics-table tbody");
    if (!topics.length) return clear(body, el("tr", {}, el("td", { colspan: 4, class: "muted" }, "No taxonomy loaded.")));
    const partialDay = await dayWindow();
    clear(body, await Promise.all(topics.map((t) => topicRow(t, alerts, partialDay))));
    // A link from a call names one topic: rows arrive after the browser looked for the anchor, so go to it now.
    const picked = body.querySelector("tr.picked");
    if (picked) picked.scrollIntoView({ block: "center" });
  });
})();
