/* Shared helpers: API calls with the session cookie, safe DOM building, formatting. */
"use strict";

const CP = (() => {
  const API = "/api/v1";

  class ApiError extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
    }
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
      if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
    }
    const s = q.toString();
    return s ? "?" + s : "";
  }

  async function api(path, params, init) {
    const res = await fetch(API + path + query(params), {
      credentials: "same-origin",
      headers: { Accept: "application/json", ...(init && init.body ? { "Content-Type": "application/json" } : {}) },
      ...init,
    });
    if (res.status === 401) {
      // The session expired or the key was revoked: start again at the login page.
      window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
      throw new ApiError(401, "not logged in");
    }
    const isJson = (res.headers.get("content-type") || "").includes("json");
    const body = isJson ? await res.json() : null;
    if (!res.ok) throw new ApiError(res.status, (body && (body.detail || body.title)) || res.statusText);
    return body;
  }

  /** Every page of a list endpoint (bounded, so a runaway cursor cannot hang the page). */
  async function all(path, params, maxPages = 20) {
    const items = [];
    let cursor = null;
    for (let i = 0; i < maxPages; i++) {
      const page = await api(path, { ...params, cursor });
      items.push(...(page.items || []));
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    return items;
  }

  /** el("a", {href: "/x", class: "y"}, "text", child...) — text is always inserted as text. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function clear(node, ...children) {
    node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
    return node;
  }

  /** Snippet HTML from the API: keep <mark> elements, turn everything else into plain text. */
  function snippet(html) {
    const doc = new DOMParser().parseFromString("<body>" + (html || ""), "text/html");
    const out = document.createDocumentFragment();
    const walk = (node, into) => {
      for (const child of node.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) into.append(redacted(child.textContent));
        else if (child.nodeName === "MARK") into.append(el("mark", {}, child.textContent));
        else if (child.nodeType === Node.ELEMENT_NODE) walk(child, into);
      }
    };
    walk(doc.body, out);
    return out;
  }

  const REDACTION = /\[(CARD|CVV|EXPIRY|PHONE|EMAIL|IBAN|[A-Z]{2,12})\]/g;

  /** Text with [CARD]-style redaction placeholders shown as redaction chips. */
  function redacted(text) {
    const frag = document.createDocumentFragment();
    let last = 0;
    for (const m of text.matchAll(REDACTION)) {
      frag.append(text.slice(last, m.index));
      frag.append(el("span", { class: "redacted", title: "Redacted " + m[1].toLowerCase() }, m[1]));
      last = m.index + m[0].length;
    }
    frag.append(text.slice(last));
    return frag;
  }

  /** Trend points without the empty buckets before the first call and after the newest (no data is not zero). */
  function trimEmpty(points, { leading = true, trailing = true } = {}) {
    let first = 0;
    let last = points.length - 1;
    if (leading) while (first <= last && !points[first].total) first++;
    if (trailing) while (last >= first && !points[last].total) last--;
    return points.slice(first, last + 1);
  }

  /**
   * The end of the newest data (ms), when it falls inside the day starting at dayStart, else null: that day is
   * then partial, and drawing it as a whole day would look like a collapse. The API's hourly trend ends, by
   * default, one hour after the newest data; asking from dayStart keeps the answer to at most a day of hours.
   */
  async function partialDayEnd(dayStart) {
    const start = Date.parse(dayStart);
    const hours = await api("/topics/*/trend", { bucket: "hour", since: new Date(start).toISOString() });
    const end = Date.parse(hours.until);
    return end < start + 86400e3 ? end : null;
  }

  function date(value) {
    return value ? new Date(value) : null;
  }

  const fmtDateTime = new Intl.DateTimeFormat("en-GB", {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC",
  });
  const fmtDay = new Intl.DateTimeFormat("en-GB", { month: "short", day: "numeric", timeZone: "UTC" });

  function when(value) {
    const d = date(value);
    return d ? fmtDateTime.format(d) + " UTC" : "—";
  }

  function day(value) {
    const d = date(value);
    return d ? fmtDay.format(d) : "—";
  }

  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds || 0));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function pct(x, digits = 1) {
    return x === null || x === undefined ? "—" : (100 * x).toFixed(digits) + "%";
  }

  function ratio(x) {
    return x === null || x === undefined ? "—" : "×" + Number(x).toFixed(1);
  }

  function dimension(dim) {
    const parts = Object.entries(dim || {}).map(([k, v]) => k + " " + v);
    return parts.length ? parts.join(", ") : "all calls";
  }

  function alertSubject(a) {
    if (a.kind === "emerging") return "“" + (a.phrase || "?") + "”";
    if (a.kind === "volume") {  // all calls rising, none arriving, or one queue's (language's) calls dropping
      const where = Object.entries(a.dimension || {}).map(([k, v]) => k + " " + v).join(", ");
      if (where) return "calls in " + where;
      return a.ratio === 0 ? "no calls arriving" : "total call volume";
    }
    return a.topic || "?";
  }

  /** A message in a status element: the page's line by default, or one next to the control it is about. */
  function status(message, isError, id = "status") {
    const line = document.getElementById(id);
    if (!line) return;
    line.textContent = message || "";
    line.classList.toggle("error", Boolean(isError));
  }

  /** Run a page's loader; failures show in the status line instead of leaving a silent, half-drawn page. */
  function start(loader) {
    const run = () => loader().catch((err) => {
      if (err instanceof ApiError && err.status === 401) return;
      if (!(err instanceof ApiError)) console.error(err);  // a bug in the page, not a refusal by the API
      status(err instanceof ApiError ? `Could not load data (${err.status}): ${err.message}` : String(err), true);
    });
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
    else run();
  }

  function role() {
    return document.body.dataset.role || "";
  }

  return {
    api, all, el, clear, snippet, trimEmpty, partialDayEnd, redacted, when, day, clock, pct, ratio, dimension,
    alertSubject, status, start, role, ApiError,
  };
})();
