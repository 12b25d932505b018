/* Search: the form keeps its state in the URL; results page with the API's cursor ("load more"). */
"use strict";

(() => {
  const { api, el, clear } = CP;
  const PAGE_SIZE = 20;
  const FIELDS = ["q", "speaker", "topic", "queue", "language", "agent_id", "since", "until"];
  const form = document.getElementById("search-form");
  const results = document.getElementById("results");
  const more = document.getElementById("load-more");
  const count = document.getElementById("result-count");
  let params = null;
  let cursor = null;
  let shown = 0;

  function fromUrl() {
    const url = new URLSearchParams(location.search);
    const p = {};
    for (const name of FIELDS) {
      const value = (url.get(name) || "").trim();
      if (form.elements[name]) form.elements[name].value = value;
      if (value) p[name] = value;
    }
    // Date inputs give days; the API wants instants. "Until" includes the whole day.
    if (p.since) p.since = p.since + "T00:00:00Z";
    if (p.until) p.until = p.until + "T23:59:59Z";
    return p;
  }

  function hitItem(hit) {
    const start = Number(hit.segment_start || 0);
    const href = `/calls/${encodeURIComponent(hit.call_id)}?t=${start.toFixed(2)}`;
    return el("li", { class: "hit speaker-" + hit.speaker },
      el("a", { href, class: "hit-link" },
        el("span", { class: "call-ref" }, hit.call_id),
        el("span", { class: "at" }, " at " + CP.clock(start))),
      el("span", { class: "meta" }, [
        hit.speaker, hit.started_at ? CP.when(hit.started_at) : null, hit.queue, hit.language, hit.agent_id,
      ].filter(Boolean).join(" · ")),
      el("p", { class: "snippet" }, CP.snippet(hit.snippet)));
  }

  async function loadPage() {
    more.disabled = true;
    const page = await api("/search", { ...params, limit: PAGE_SIZE, cursor });
    const items = page.items || [];
    results.append(...items.map(hitItem));
    shown += items.length;
    cursor = page.next_cursor;
    more.hidden = !cursor;
    more.disabled = false;
    count.textContent = shown ? `${shown} matching segment${shown > 1 ? "s" : ""}${cursor ? " so far" : ""}.` :
      "Nothing matches.";
  }

  async function fillTopics() {
    const select = document.getElementById("topic-filter");
    const wanted = new URLSearchParams(location.search).get("topic") || "";
    const topics = await CP.all("/topics");
    select.append(...topics.map((t) => el("option", { value: t.id, selected: t.id === wanted }, t.id)));
  }

  // Keep the address short and readable: empty filters are left out of the submitted query.
  form.addEventListener("submit", () => {
    for (const name of FIELDS) {
      const field = form.elements[name];
      if (field && !field.value.trim()) field.disabled = true;
    }
    setTimeout(() => FIELDS.forEach((name) => form.elements[name] && (form.elements[name].disabled = false)), 0);
  });

  more.addEventListener("click", () => loadPage().catch((err) => CP.status(err.message, true)));

  CP.start(async () => {
    const topicsLoaded = fillTopics();
    params = fromUrl();
    if (!params.q) {
      count.textContent = "Type words to search the transcripts.";
      await topicsLoaded;
      return;
    }
    clear(results);
    await Promise.all([topicsLoaded, loadPage()]);
  });
})();
