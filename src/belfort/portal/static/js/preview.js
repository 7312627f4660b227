/*
 * Belfort table preview: sorting, filtering and paging without reloading the page.
 *
 * The server renders the preview with plain links and a form (p_q, p_sort, p_start), so it
 * works without JavaScript. This script takes over those links and that form and asks the
 * Opendatasoft v1 search API of the same Belfort instead — the API apps use — then redraws
 * the table, the caption, the sort state and the pager, and keeps the address bar in step
 * (so the page can be bookmarked and reloaded as it is shown). Plain ES2017, no build step,
 * same-origin requests only.
 */
(function () {
  "use strict";

  const ROWS = 20;
  const MAX_ROWS = 10000;  // the v1 search API's window (the section's data-max-rows)

  function text(section, key, values) {
    let s = section.dataset[key] || "";
    Object.keys(values || {}).forEach((k) => { s = s.split("{" + k + "}").join(values[k]); });
    return s;
  }

  function number(section, n) {
    return Number(n).toLocaleString(document.documentElement.lang === "en" ? "en-US" : "nl-BE");
  }

  function lang() {
    return document.documentElement.lang === "en" ? "en" : "nl";
  }

  // one table cell as the server writes it: values as people read them (values.js),
  // times in a <time> with the instant, numbers right-aligned
  function cell(td, value, type) {
    const shown = window.BelfortValues.format(value, type, lang());
    if (shown.machine) {
      const time = document.createElement("time");
      time.dateTime = shown.machine;
      time.textContent = shown.text;
      td.appendChild(time);
    } else {
      td.textContent = shown.text;
    }
    if (shown.kind === "number") td.className = "num";
  }

  function stateFrom(url) {
    const p = new URL(url, location.href).searchParams;
    return { q: p.get("p_q") || "", sort: p.get("p_sort") || "", start: Math.max(0, parseInt(p.get("p_start") || "0", 10) || 0) };
  }

  function pageUrl(state) {
    const url = new URL(location.href);
    ["p_q", "p_sort", "p_start"].forEach((k) => url.searchParams.delete(k));
    if (state.q) url.searchParams.set("p_q", state.q);
    if (state.sort) url.searchParams.set("p_sort", state.sort);
    if (state.start) url.searchParams.set("p_start", String(state.start));
    url.hash = "preview";
    return url;
  }

  function apiUrl(section, state) {
    const url = new URL("/api/records/1.0/search/", location.href);
    url.searchParams.set("dataset", section.dataset.dataset);
    url.searchParams.set("rows", String(ROWS));
    url.searchParams.set("start", String(state.start));
    url.searchParams.set("timezone", "Europe/Brussels");
    if (state.q) url.searchParams.set("q", state.q);
    // v1 sorts descending by default and "-field" ascending: the preview's "field" is ascending
    if (state.sort) url.searchParams.set("sort", state.sort.startsWith("-") ? state.sort.slice(1) : "-" + state.sort);
    return url;
  }

  async function load(section, state) {
    const status = section.querySelector(".preview-status");
    section.setAttribute("aria-busy", "true");
    let body;
    try {
      const response = await fetch(apiUrl(section, state), { headers: { Accept: "application/json" }, credentials: "same-origin" });
      body = await response.json();
      if (!response.ok) throw new Error(body.message || body.error || String(response.status));
    } catch (error) {
      showError(section, String(error.message || error));
      section.removeAttribute("aria-busy");
      return;
    }
    draw(section, state, body);
    history.replaceState(null, "", pageUrl(state));
    section.removeAttribute("aria-busy");
    const limit = section.querySelector(".table-limit");
    if (status) {
      status.textContent = (section.querySelector("caption") ? section.querySelector("caption").textContent : "") +
        (limit && !limit.hidden ? " " + limit.querySelector("p").textContent : "");
    }
  }

  function showError(section, message) {
    let box = section.querySelector(".preview-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "error preview-error";
      box.setAttribute("role", "alert");
      section.querySelector(".preview-filter").after(box);
    }
    box.textContent = message;
  }

  function draw(section, state, body) {
    const old = section.querySelector(".preview-error");
    if (old) old.remove();
    const columns = JSON.parse(section.dataset.columns);
    const types = JSON.parse(section.dataset.types);
    const labels = JSON.parse(section.dataset.labels);
    const table = section.querySelector("table.data");
    const tbody = table.querySelector("tbody");
    tbody.textContent = "";
    body.records.forEach((record) => {
      const tr = document.createElement("tr");
      columns.forEach((name, i) => {
        const td = document.createElement("td");
        let value = record.fields[name];
        if (value === undefined && record.geometry && section.dataset.geo === name) value = record.geometry;
        cell(td, value, types[i]);
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    const total = body.nhits;
    table.querySelector("caption .preview-count").textContent = total === 0 ? text(section, "empty") : text(section, "rowsText", {
      first: number(section, state.start + 1), last: number(section, state.start + body.records.length), total: number(section, total),
    });
    table.querySelectorAll("thead th").forEach((th, i) => {
      const name = columns[i];
      const link = th.querySelector("a");
      const asc = state.sort === name;
      const desc = state.sort === "-" + name;
      if (asc) th.setAttribute("aria-sort", "ascending");
      else if (desc) th.setAttribute("aria-sort", "descending");
      else th.removeAttribute("aria-sort");
      link.href = pageUrl({ q: state.q, sort: asc ? "-" + name : name, start: 0 }).toString();
      link.textContent = labels[i] + (asc ? " ▲" : desc ? " ▼" : "");
    });
    drawPager(section, state, total);
  }

  function drawPager(section, state, total) {
    let pager = section.querySelector(".pager");
    const max = parseInt(section.dataset.maxRows, 10) || MAX_ROWS;
    const pages = Math.max(1, Math.ceil(Math.min(total, max) / ROWS));
    const page = Math.floor(state.start / ROWS) + 1;
    if (!pager) {
      pager = document.createElement("nav");
      pager.className = "pager";
      section.querySelector(".table-scroll").after(pager);
    }
    pager.textContent = "";
    pager.hidden = pages <= 1;
    pager.setAttribute("aria-label", text(section, "pageOf", { page: number(section, page), pages: number(section, pages) }));
    const add = (rel, label, start) => {
      const a = document.createElement("a");
      a.rel = rel;
      a.href = pageUrl({ q: state.q, sort: state.sort, start: start }).toString();
      a.textContent = label;
      pager.appendChild(a);
    };
    if (page > 1) add("prev", section.dataset.previous, state.start - ROWS);
    const span = document.createElement("span");
    span.textContent = text(section, "pageOf", { page: number(section, page), pages: number(section, pages) });
    pager.appendChild(span);
    if (page < pages) add("next", section.dataset.next, state.start + ROWS);
    // the last page the table can show while there are more rows: say why it stops
    const limit = section.querySelector(".table-limit");
    if (limit) limit.hidden = !(total > max && state.start + ROWS >= max);
  }

  function enhance(section) {
    if (!section.querySelector("table.data")) return;  // nothing to take over (no rows)
    const status = document.createElement("p");
    status.className = "visually-hidden preview-status";
    status.setAttribute("aria-live", "polite");
    section.appendChild(status);
    section.addEventListener("click", (event) => {
      const link = event.target.closest("a");
      if (!link || !section.contains(link) || !(link.closest("thead") || link.closest(".pager"))) return;
      if (event.ctrlKey || event.metaKey || event.shiftKey) return;  // a new tab stays a new tab
      event.preventDefault();
      load(section, stateFrom(link.href)).then(() => {
        const again = link.closest("thead") ? section.querySelector("thead th:nth-child(" + (link.closest("th").cellIndex + 1) + ") a") : null;
        if (again) again.focus();
      });
    });
    section.addEventListener("click", (event) => {  // "Filter de rijen": into the filter field
      const link = event.target.closest("a.focus-filter");
      if (!link) return;
      event.preventDefault();
      section.querySelector("#p_q").focus();
    });
    const form = section.querySelector("form.preview-filter");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const state = stateFrom(location.href);
      load(section, { q: form.elements.p_q.value.trim(), sort: state.sort, start: 0 });
    });
  }

  document.querySelectorAll("section[data-preview]").forEach(enhance);
})();
