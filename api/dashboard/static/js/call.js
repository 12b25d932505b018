/* Call page: metadata, topics, QA checks, the transcript as speaker turns, audio that follows the transcript. */
"use strict";

(() => {
  const { api, el, clear } = CP;
  const callId = document.getElementById("main").dataset.callId;
  const audio = document.getElementById("call-audio");
  let turns = [];

  function fact(dl, term, value) {
    if (value === null || value === undefined || value === "") return;
    dl.append(el("dt", {}, term), el("dd", {}, String(value)));
  }

  function renderMeta(call) {
    const meta = clear(document.getElementById("call-meta"));
    fact(meta, "Started", CP.when(call.started_at));
    if (call.duration_s) fact(meta, "Duration", CP.clock(call.duration_s));
    fact(meta, "Queue", call.queue);
    fact(meta, "Language", call.language);
    fact(meta, "Agent", call.agent_id);
    fact(meta, "Direction", call.direction);
    fact(meta, "Status", call.status);
    const topics = (call.topics || []).map((t) => (typeof t === "string" ? t : t.id || t.topic));
    clear(document.getElementById("call-topics"), topics.length ?
      topics.map((t) => el("li", { class: "chip" }, el("a", { href: "/topics#topic-" + t.replace(/[^a-z0-9_-]/gi, "-") }, t))) :
      [el("li", { class: "muted" }, "none")]);
    renderQa(call.qa);
  }

  function renderQa(qa) {
    const list = document.getElementById("call-qa");
    const checks = Array.isArray(qa) ? qa.map((c) => [c.name || c.check, c.passed ?? c.ok ?? c.value]) :
      Object.entries(qa || {});
    if (!checks.length) return clear(list, el("li", { class: "muted" }, "not assessed"));
    clear(list, checks.map(([name, passed]) => {
      const ok = passed === true || passed === "pass" || passed === "passed";
      const label = typeof passed === "boolean" || ok ? (ok ? "passed" : "missed") : String(passed);
      return el("li", { class: ok ? "qa-pass" : "qa-fail" },
        el("span", { class: "qa-mark", "aria-hidden": "true" }, ok ? "✓" : "✗"),
        `${String(name).replace(/_/g, " ")}: ${label}`);
    }));
  }

  function renderTranscript(call) {
    const list = document.getElementById("transcript");
    turns = (call.segments || []).map((seg) => {
      const button = el("button", { type: "button", class: "turn speaker-" + seg.speaker, dataset: { start: seg.start } },
        el("span", { class: "who" }, seg.speaker),
        el("span", { class: "at" }, CP.clock(seg.start)),
        el("span", { class: "text" }, CP.redacted(seg.text)));
      button.addEventListener("click", () => {
        seek(seg.start);
        if (audio.src) audio.play().catch(() => {});
      });
      const item = el("li", { class: "turn-row speaker-" + seg.speaker }, button);
      return { seg, item, button };
    });
    clear(list, turns.length ? turns.map((t) => t.item) : [el("li", { class: "muted" }, "No transcript yet.")]);
  }

  function seek(t) {
    const go = () => {
      audio.currentTime = t;
      highlight(t);
    };
    highlight(t);
    if (!audio.src) return;
    if (audio.readyState >= 1) go();
    else audio.addEventListener("loadedmetadata", go, { once: true });
  }

  function highlight(t) {
    let active = null;
    for (const turn of turns) if (turn.seg.start <= t + 0.05) active = turn;
    for (const turn of turns) turn.item.classList.toggle("active", turn === active);
    return active;
  }

  function hasAudio(call) {
    return Boolean(call.has_audio ?? call.audio_url ?? call.audio_path);
  }

  CP.start(async () => {
    const call = await api(`/calls/${encodeURIComponent(callId)}`);
    renderMeta(call);
    renderTranscript(call);
    if (hasAudio(call)) {
      audio.src = `/api/v1/calls/${encodeURIComponent(callId)}/audio`;
      audio.addEventListener("timeupdate", () => highlight(audio.currentTime));
    } else {
      audio.hidden = true;
      document.getElementById("no-audio").hidden = false;
    }
    const t = Number(new URLSearchParams(location.search).get("t"));
    if (Number.isFinite(t) && t > 0) {
      seek(t);
      const active = highlight(t);
      if (active) active.item.scrollIntoView({ block: "center" });
    }
  });
})();
