/* Alert page: the trend around the change with its expected band, the facts, example calls, triage. */
"use strict";

(() => {
  const { api, el, clear } = CP;
  const alertId = document.getElementById("main").dataset.alertId;
  const BEFORE_DAYS = 10;
  const AFTER_DAYS = 5;
  const MAX_EXAMPLES = 6;
  const RECOVERY_TEXT = {
    back_to_baseline: "Back to baseline: volume fell back after the fix.",
    still_elevated: "Still elevated: volume has not fallen back yet.",
  };

  // The detector reports rates as calls per hour over the changed stretch; below one an hour on both sides
  // they read as calls a day ("0.00 → 0.11 calls/hour" looks like nothing; "2.6 calls a day" is the problem).
  function rate(v, a) {
    if (v === null || v === undefined || !Number.isFinite(v)) return "—";
    const daily = Math.max(a.baseline_rate || 0, a.current_rate || 0) < 1;
    const shown = daily ? v * 24 : v;
    return Number(shown).toFixed(shown < 10 ? 2 : 1) + (daily ? " calls a day" : " calls an hour");
  }

  function fact(dl, term, ...value) {
    dl.append(el("dt", {}, term), el("dd", {}, ...value));
  }

  // " (about 27 hours of talk time)": the extra calls at the average length of the incident's calls
  function talkTime(hours) {
    if (hours === null || hours === undefined) return "";
    const amount = hours < 1 ? `${Math.round(hours * 60)} minutes`
      : `${Math.round(hours)} hour${Math.round(hours) === 1 ? "" : "s"}`;
    return ` (about ${amount} of talk time)`;
  }

  function renderFacts(a) {
    document.getElementById("alert-title").textContent = `${a.kind === "emerging" ? "Emerging phrase" :
      a.kind === "volume" ? "Volume change" : "Topic spike"}: ${CP.alertSubject(a)}`;
    const badge = document.getElementById("alert-status");
    badge.textContent = `${a.severity} · ${a.status}` + (a.replay ? " · backtest (detect --replay)" : "");
    badge.className = `badge sev-${a.severity} status-${a.status}`;
    const facts = clear(document.getElementById("alert-facts"));
    fact(facts, "What", `${a.kind} — ${CP.alertSubject(a)}`);
    fact(facts, "Since", CP.when(a.change_at));
    fact(facts, "Detected", CP.when(a.detected_at));
    fact(facts, "How big", `${CP.ratio(a.ratio)} (baseline ${rate(a.baseline_rate, a)} → now ${rate(a.current_rate, a)}), ` +
      (a.ratio < 1 ? `${Math.round(a.excess_calls || 0)} calls missing so far`
        : `${Math.round(a.excess_calls || 0)} extra calls since the change${talkTime(a.extra_call_hours)}`));
    fact(facts, "Where", CP.dimension(a.dimension));
    const terms = document.getElementById("alert-terms");
    const list = (a.top_terms || []).map((t) => el("li", { class: "chip" }, typeof t === "string" ? t : t.term));
    clear(terms, list.length ? list : [el("li", { class: "muted" }, "none recorded")]);
  }

  function renderTriage(a) {
    const log = clear(document.getElementById("triage-log"));
    // Comments are redacted like transcripts, so their placeholders get the same chips.
    if (a.acked_at || a.acked_by) fact(log, "Acknowledged", `${CP.when(a.acked_at)} by ${a.acked_by || "?"}`,
      a.ack_comment ? el("q", {}, CP.redacted(a.ack_comment)) : "");
    if (a.resolved_at || a.resolved_by) fact(log, "Resolved", `${CP.when(a.resolved_at)} by ${a.resolved_by || "?"}`,
      a.resolve_comment ? el("q", {}, CP.redacted(a.resolve_comment)) : "");
    const recovery = document.getElementById("recovery");
    recovery.className = "recovery " + (a.recovery || "");
    recovery.textContent = a.status !== "resolved" ? "" :
      RECOVERY_TEXT[a.recovery] || "Back to baseline? Not known yet: waiting for enough calls after the fix.";
    const ack = document.getElementById("ack-button");
    const resolve = document.getElementById("resolve-button");
    const comment = document.getElementById("triage-comment");
    const closed = a.status === "resolved";
    if (ack) {  // once acknowledged, the same button adds a note ("vendor says fixed by 3 pm")
      ack.textContent = a.status === "acknowledged" ? "Add note" : "Acknowledge";
      ack.disabled = closed;
    }
    if (resolve) resolve.disabled = closed;
    if (comment) comment.disabled = closed;  // nothing could send what is typed into it
  }

  let bucket = "hour";

  function trendParams(a) {
    const change = Date.parse(a.change_at);
    const end = Math.max(Date.parse(a.last_seen_at || a.detected_at || a.change_at), change);
    return {
      bucket,
      since: new Date(change - BEFORE_DAYS * 86400e3).toISOString(),
      until: new Date(end + AFTER_DAYS * 86400e3).toISOString(),
      ...(a.dimension || {}),
    };
  }

  async function renderTrend(a) {
    const chart = document.getElementById("alert-chart");
    const summary = document.getElementById("trend-summary");
    const topic = a.topic || (a.kind === "volume" ? "*" : null);
    if (!topic) {  // no series to draw: no empty chart area, no bucket toggle that would change nothing
      chart.hidden = true;
      document.querySelector("#trend-h + .toggle").hidden = true;
      summary.textContent = "This alert is about a phrase, not a topic: see its example calls below.";
      return;
    }
    const trend = await api(`/topics/${encodeURIComponent(topic)}/trend`, trendParams(a));
    // The window may reach past the newest data; an empty tail would look like a sudden recovery.
    const series = CP.trimEmpty(trend.points || [], { leading: false });
    if (!series.length) return clear(chart, el("p", { class: "muted" }, "No volumes in this window."));
    const x = series.map((p) => Date.parse(p.t) / 1e3);
    // The band may be given for counts or for shares; plot whichever quantity it fits.
    const upperMax = Math.max(...series.map((p) => p.upper ?? 0));
    const countMax = Math.max(...series.map((p) => p.count ?? 0));
    const useShare = upperMax <= 1 && countMax > 1;
    const value = (p) => (useShare ? p.share : p.count);
    const markers = [{ t: Date.parse(a.change_at) / 1e3, label: "change", color: "#dc2626", width: 2, side: "left" }];
    if (a.detected_at) markers.push({ t: Date.parse(a.detected_at) / 1e3, label: "detected", color: "#7c3aed",
      dash: [6, 4], width: 1.5 });
    for (const c of trend.changepoints || []) {
      const t = Date.parse(typeof c === "string" ? c : c.t || c.at) / 1e3;
      if (!Number.isNaN(t)) markers.push({ t, color: "#64748b", dash: [3, 3], width: 1 });
    }
    CPCharts.timeSeries(chart, {
      x,
      band: { lower: series.map((p) => p.lower ?? null), upper: series.map((p) => p.upper ?? null) },
      lines: [
        { label: "expected", values: series.map((p) => p.expected ?? null), color: "#64748b", width: 1, dash: [5, 4] },
        { label: useShare ? "share of calls" : "calls", values: series.map(value), color: "#2563eb" },
      ],
      markers, height: 300, percent: useShare, yLabel: useShare ? "share of calls" : `calls per ${bucket}`,
    });
    const subject = topic === "*" ? "all calls" : topic;
    const where = a.dimension && Object.keys(a.dimension).length ? " in " + CP.dimension(a.dimension) : "";
    const hourly = bucket === "hour";
    summary.textContent = `${subject}${where}, ${hourly ? "hourly" : "daily"}, ` +
      `${CP.day(series[0].t)} – ${CP.day(series.at(-1).t)}; shaded: the expected range from the same ` +
      `${hourly ? "hour and weekday" : "weekday"} in earlier weeks.`;
  }

  /** Text with the alert's words wrapped in <mark>, built from text nodes only. */
  function markTerms(text, terms) {
    const words = terms.map((t) => (typeof t === "string" ? t : t.term || "")).filter((w) => w.length > 1)
      .sort((x, y) => y.length - x.length);
    if (!words.length) return CP.redacted(text);
    const pattern = new RegExp("(" + words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|") + ")", "gi");
    const frag = document.createDocumentFragment();
    text.split(pattern).forEach((part, i) => frag.append(i % 2 ? el("mark", {}, part) : CP.redacted(part)));
    return frag;
  }

  function exampleItem(ex, a) {
    const start = ex.segment_start;
    const href = `/calls/${encodeURIComponent(ex.call_id)}` + (start !== null && start !== undefined ?
      `?t=${Number(start).toFixed(2)}` : "");
    const terms = [...(a.top_terms || []), ...(ex.evidence ? [ex.evidence] : []), ...(a.phrase ? [a.phrase] : [])];
    const canOpen = CP.role() !== "analyst";  // transcripts and audio need the qa role or stronger
    return el("li", { class: "example" },
      canOpen ? el("a", { href, class: "call-ref" }, ex.call_id) : el("span", { class: "call-ref" }, ex.call_id),
      el("span", { class: "meta" }, ` ${CP.when(ex.started_at)} · ${ex.queue || "?"} · ${ex.language || "?"}` +
        (start !== null && start !== undefined ? ` · ${ex.speaker || ""} at ${CP.clock(start)}` : "")),
      ex.snippet ? el("p", { class: "snippet speaker-" + (ex.speaker || "unknown") }, markTerms(ex.snippet, terms)) : "");
  }

  function renderExamples(a) {
    const list = document.getElementById("alert-examples");
    const examples = (a.examples || []).slice(0, MAX_EXAMPLES);
    if (!examples.length) return clear(list, el("li", { class: "muted" }, "No example calls recorded."));
    clear(list, examples.map((ex) => exampleItem(ex, a)));
  }

  // Next to the buttons: on a long page the line at the top is out of view when they are clicked.
  function say(message, isError) {
    CP.status(message, isError, "triage-status");
  }

  /** The alert as it is now, after a conflict showed the page's copy is stale (changed in another tab). */
  async function refresh(a) {
    Object.assign(a, await api(`/alerts/${alertId}`));
    renderFacts(a);
    renderTriage(a);
  }

  async function failed(a, action, err) {
    const what = `Could not ${action === "ack" ? "acknowledge" : "resolve"}: ${err.message}`;
    if (!(err instanceof CP.ApiError) || err.status !== 409) return say(what, true);
    try {
      await refresh(a);
      say(`${what}. The page now shows the alert as it is.`, true);
    } catch {  // the reload failed too: say what would help
      say(`${what}; reload the page to see the alert as it is.`, true);
    }
  }

  function bindTriage(a) {
    const form = document.getElementById("triage-form");
    if (!form) return;
    const comment = document.getElementById("triage-comment");
    const act = async (action, button) => {
      const note = comment.value.trim();
      const adding = action === "ack" && a.status === "acknowledged";
      if (adding && !note) {
        say("Write the note to add first.", true);
        comment.focus();
        return;
      }
      button.disabled = true;
      say("");
      try {
        const body = JSON.stringify(note ? { comment: note } : {});
        const updated = await api(`/alerts/${alertId}/${action}`, null, { method: "POST", body });
        Object.assign(a, updated);  // the action answers the alert without its examples; keep those
        comment.value = "";
        renderFacts(a);
        renderTriage(a);
        say(adding ? "Note added." : action === "ack" ? "Alert acknowledged." : "Alert resolved.");
      } catch (err) {
        renderTriage(a);
        await failed(a, action, err);
      }
    };
    const ack = document.getElementById("ack-button");
    const resolve = document.getElementById("resolve-button");
    ack.addEventListener("click", () => act("ack", ack));
    resolve.addEventListener("click", () => act("resolve", resolve));
  }

  function bindToggle(a) {
    for (const button of document.querySelectorAll(".toggle button")) {
      button.addEventListener("click", () => {
        bucket = button.dataset.bucket;
        for (const b of document.querySelectorAll(".toggle button")) b.setAttribute("aria-pressed", String(b === button));
        renderTrend(a).catch((err) => CP.status(String(err.message || err), true));
      });
    }
  }

  CP.start(async () => {
    const a = await api(`/alerts/${alertId}`);
    bindToggle(a);
    renderFacts(a);
    renderTriage(a);
    bindTriage(a);
    renderExamples(a);
    await renderTrend(a);
  });
})();
