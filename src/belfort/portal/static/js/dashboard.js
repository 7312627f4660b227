/*
 * Belfort: the City Dashboard's live tiles. The page already shows every tile's last values
 * as text (and its chart, gauge or map as SVG) without JavaScript; this follows the live
 * stream (Server-Sent Events, data-dashboard-live) and, for every tile an event names,
 * writes its value, level, trend and time into the tile's text (a polite live region), then
 * fetches the tile's own page to redraw its picture and table. No network outside Belfort.
 */
(function () {
  "use strict";

  const root = document.querySelector("[data-dashboard-live]");
  if (!root || typeof window.EventSource !== "function") return;
  const lang = root.getAttribute("data-lang") === "en" ? "en" : "nl";
  const status = root.querySelector("[data-live-status]");
  const values = window.BelfortValues;
  const pending = {};
  let seen = false;

  function text(name, fields) {
    let found = root.getAttribute("data-text-" + name) || "";
    Object.keys(fields || {}).forEach(function (key) {
      found = found.split("{" + key + "}").join(fields[key]);
    });
    return found;
  }

  // a dashboard's figure, not a record: rounded as the server rounds it (dashboard_pages._number)
  function number(value) {
    if (typeof value !== "number" || !isFinite(value)) return "";
    if (!Number.isInteger(value)) {
      const digits = Math.abs(value) >= 10 ? 10 : 100;
      value = Math.round(value * digits) / digits;
    }
    return values ? values.formatNumber(value, lang, "number") : String(value);
  }

  function withUnit(value, unit) {
    const shown = number(value);
    if (!shown) return "";
    return unit && unit !== "%" ? shown + " " + unit : shown + (unit || "");
  }

  function label(level) {
    if (!level || !level.label) return "";
    return level.label[lang] || level.label.nl || "";
  }

  function show(element, visible) {
    if (element) element.hidden = !visible;
  }

  function setTime(element, iso) {
    if (!element) return;
    element.textContent = "";
    if (!iso) return;
    const formatted = values ? values.format(iso, "datetime", lang) : { text: iso, machine: iso };
    element.appendChild(document.createTextNode(text("as-of")));
    const time = document.createElement("time");
    time.setAttribute("datetime", formatted.machine || iso);
    time.textContent = formatted.text;
    element.appendChild(time);
  }

  function updateText(tile, data) {
    const ok = data.state === "ok";
    show(tile.querySelector("[data-empty]"), !ok && data.state !== "suppressed");
    const hidden = tile.querySelector("[data-hidden]");
    if (hidden) {  // what an aggregation threshold withheld (dashboard_pages.hidden_text)
      let said = "";
      if (typeof data.threshold === "number") {
        const k = number(data.threshold);
        if (data.state === "suppressed") said = text("hidden-all", { k: k });
        else if (data.suppressed) said = text("hidden-some", { n: number(data.suppressed), k: k });
      }
      hidden.textContent = said;
      show(hidden, Boolean(said));
    }
    const value = tile.querySelector("[data-value]");
    const valueText = ok ? withUnit(data.value, data.unit) : "";
    if (value) value.textContent = valueText;
    show(value, Boolean(valueText));
    const level = tile.querySelector("[data-level]");
    if (level) {
      const shown = ok ? label(data.level) : "";
      level.textContent = shown ? text("level", { label: shown }) : "";
      level.className = "dash-level" + (data.level ? " dash-level-" + data.level.colour : "");
      show(level, Boolean(shown));
    }
    const trend = tile.querySelector("[data-trend]");
    if (trend) {
      let shown = "";
      if (ok && typeof data.trend === "number") {
        const name = data.trend > 0 ? "up" : data.trend < 0 ? "down" : "same";
        shown = text(name, { pct: number(Math.abs(data.trend)) + " %", value: withUnit(data.previous, data.unit) });
      }
      trend.textContent = shown;
      show(trend, Boolean(shown));
    }
    const time = tile.querySelector("[data-time]");
    setTime(time, ok ? data.time : null);
    show(time, ok && Boolean(data.time));
  }

  function redraw(tile, id) {
    if (tile.getAttribute("data-type") === "kpi") return;
    if (pending[id]) {  // drawn again once the fetch under way is done: it may be of before
      pending[id] = "again";
      return;
    }
    pending[id] = true;
    const dashboard = root.getAttribute("data-dashboard-live").replace(/\/events$/, "");
    // a tile alone is fetched as it is shown; a tile among others as an embedded tile
    const url = root.classList.contains("dash-single") ? window.location.href
      : dashboard + "/tiles/" + encodeURIComponent(id) + "?embed=1&lang=" + lang;
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (body) {
        if (!body) return;
        const page = new DOMParser().parseFromString(body, "text/html");
        const fresh = page.querySelector('[data-tile="' + CSS.escape(id) + '"] [data-visual]');
        const visual = tile.querySelector("[data-visual]");
        if (fresh && visual) visual.replaceWith(document.importNode(fresh, true));
      })
      .catch(function () { /* the text is current; the picture stays as it was */ })
      .finally(function () {
        const again = pending[id] === "again";
        pending[id] = false;
        if (again) redraw(tile, id);
      });
  }

  function onTiles(event) {
    let body;
    try {
      body = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    Object.keys(body.tiles || {}).forEach(function (id) {
      const tile = root.querySelector('[data-tile="' + CSS.escape(id) + '"]');
      if (!tile) return;
      const data = body.tiles[id];
      updateText(tile, data);
      if (seen) {  // the first event is the state the page already shows
        tile.classList.remove("dash-changed");
        void tile.offsetWidth;  // restart the highlight
        tile.classList.add("dash-changed");
        redraw(tile, id);
      }
    });
    seen = true;
    if (status) {
      status.textContent = "";
      setTime(status, new Date().toISOString());
      status.firstChild && (status.firstChild.textContent = text("on") + " ");
    }
  }

  // the crowding alerts' banner (role=alert): every text set as text, never as markup
  function onAlerts(event) {
    const box = root.querySelector("[data-alerts]");
    if (!box) return;
    let body;
    try {
      body = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    const alerts = Array.isArray(body.alerts) ? body.alerts : [];
    box.textContent = "";
    alerts.forEach(function (alert) {
      const item = document.createElement("div");
      item.className = "dash-alert dash-alert-" + String(alert.level).replace(/[^a-z]/g, "");
      item.setAttribute("data-alert", String(alert.id));
      const head = document.createElement("strong");
      const level = box.getAttribute("data-text-" + String(alert.level)) || alert.level;
      head.textContent = box.getAttribute("data-text-title") + " — " + level + ": "
        + (alert.zone_name || alert.zone);
      item.appendChild(head);
      const what = (alert.text && (alert.text[lang] || alert.text.nl)) || "";
      if (what) {
        const line = document.createElement("p");
        line.textContent = what;
        item.appendChild(line);
      }
      const advice = alert.advice && (alert.advice[lang] || alert.advice.nl);
      if (advice) {
        const line = document.createElement("p");
        line.className = "dash-alert-advice";
        line.textContent = box.getAttribute("data-text-advice") + " " + advice;
        item.appendChild(line);
      }
      if (alert.acknowledged) {
        const line = document.createElement("p");
        line.textContent = box.getAttribute("data-text-ack");
        item.appendChild(line);
      }
      box.appendChild(item);
    });
    box.hidden = alerts.length === 0;
  }

  const source = new EventSource(root.getAttribute("data-dashboard-live"));
  source.addEventListener("tiles", onTiles);
  source.addEventListener("alerts", onAlerts);
  source.addEventListener("gone", function () { source.close(); });
  source.onerror = function () {
    if (status && source.readyState === EventSource.CLOSED) status.textContent = text("off");
  };
  window.addEventListener("pagehide", function () { source.close(); });
})();
