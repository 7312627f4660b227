/*
 * Belfort map: turns the server-rendered SVG map of a dataset page into a Leaflet map.
 *
 *   <div class="bf-map" data-geojson-url="/…/features.geojson"
 *        data-legend='{"field": …, "kind": …, "classes": […]}'
 *        data-tile-url="…optional {z}/{x}/{y} template…" data-tile-attribution="…optional…"
 *        data-base-url="/maps/base.geojson (optional: the wijk boundaries)"
 *        data-label="…optional accessible name…" data-height="420">
 *     <svg …>the fallback map</svg>
 *   </div>
 *
 * Plain ES2017, no build step. It requests only the same-origin GeoJSON URLs, and tiles
 * only when data-tile-url is set (BELFORT_MAP_TILE_URL): no tile layer at all otherwise.
 * The base layer (light grey outlines, each wijk's name as their title) lies under the data
 * and over the tiles. The legend is the page's own list under the map: none is drawn here.
 * Without Leaflet, or when the GeoJSON cannot be loaded, the SVG stays.
 */
(function () {
  "use strict";

  const TEXT = {
    nl: { map: "Kaart", yes: "ja", no: "nee", shown: (s, t) => `${s} van ${t} objecten getoond`,
          legend: "Legende", zoomIn: "Inzoomen", zoomOut: "Uitzoomen" },
    en: { map: "Map", yes: "yes", no: "no", shown: (s, t) => `${s} of ${t} features shown`,
          legend: "Legend", zoomIn: "Zoom in", zoomOut: "Zoom out" },
  };
  const OTHER_COLOR = "#999999";
  const GHENT = [51.0543, 3.7174];
  const MAX_FOCUSABLE = 1000; // more features than this: the page's table is the keyboard route
  const MAX_POPUP_ROWS = 40;

  function words() {
    const lang = (document.documentElement.lang || "nl").slice(0, 2).toLowerCase();
    return TEXT[lang] || TEXT.nl;
  }

  function sameOrigin(url) {
    try {
      return new URL(url, window.location.href).origin === window.location.origin;
    } catch (err) {
      return false;
    }
  }

  /* The text a legend matches a value on (as belfort.portal.maps._key computes it). */
  function keyOf(value) {
    if (typeof value === "boolean") return value ? "true" : "false";
    if (value !== null && typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  /* The legend class of one property value, or null (draw it grey). */
  function classify(legend, value) {
    if (!legend || !Array.isArray(legend.classes) || legend.classes.length === 0) return null;
    const classes = legend.classes;
    if (legend.kind === "single") return classes[0];
    if (value === null || value === undefined || value === "") {
      return classes.find((c) => c.missing) || null;
    }
    if (legend.kind === "numeric" && typeof value === "number" && isFinite(value)) {
      return classes.find((c) => c.upper !== null && c.upper !== undefined && value <= c.upper) || null;
    }
    const key = keyOf(value);
    return classes.find((c) => !c.other && !c.missing && c.value === key) ||
      classes.find((c) => c.other) || null;
  }

  function colorOf(legend, feature) {
    const props = feature.properties || {};
    const found = classify(legend, legend && legend.field ? props[legend.field] : null);
    return found ? found.color : OTHER_COLOR;
  }

  /* The geometry's type, or its parts' types for a GeometryCollection ("" without one). */
  function kindsOf(geometry) {
    if (!geometry) return "";
    if (geometry.type === "GeometryCollection") {
      return (geometry.geometries || []).map(kindsOf).join(" ");
    }
    return String(geometry.type || "");
  }

  function parseJson(text) {
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch (err) {
      return null;
    }
  }

  function popupContent(feature, labelKey, t) {
    const props = feature.properties || {};
    const box = document.createElement("div");
    box.className = "bf-map-popup";
    const heading = document.createElement("strong");
    heading.textContent = props[labelKey] === undefined ? "" : String(props[labelKey]);
    box.appendChild(heading);
    const table = document.createElement("table");
    let rows = 0;
    for (const name of Object.keys(props)) {
      const value = props[name];
      if (name === labelKey || value === null || value === undefined || value === "") continue;
      if (rows++ >= MAX_POPUP_ROWS) break;
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = name;
      const td = document.createElement("td");
      td.textContent = typeof value === "boolean" ? (value ? t.yes : t.no)
        : typeof value === "object" ? JSON.stringify(value) : String(value);
      tr.appendChild(th);
      tr.appendChild(td);
      table.appendChild(tr);
    }
    box.appendChild(table);
    return box;
  }

  /* The base layer's boundaries, or null when there are none (never an error). */
  async function loadBase(url) {
    if (!url || !sameOrigin(url)) return null;
    try {
      const response = await fetch(url, { credentials: "same-origin",
                                          headers: { Accept: "application/geo+json, application/json" } });
      return response.ok ? await response.json() : null;
    } catch (err) {
      return null;
    }
  }

  function baseLayer(L, map, data) {
    const pane = map.createPane ? map.createPane("bfBase") : null;
    if (pane) pane.style.zIndex = "350";  // over the tiles (200), under the data (400)
    return L.geoJSON(data, {
      pane: pane ? "bfBase" : undefined,
      style: () => ({ color: "#7d8590", weight: 1, opacity: 1, fill: false }),
      pointToLayer: () => null,
      onEachFeature: (feature, featureLayer) => {
        const name = feature.properties && feature.properties.name;
        if (!name) return;
        // the name as the outline's SVG <title> (shown on hover): a Leaflet tooltip would add
        // focus listeners, which make every outline a Tab stop in Chromium
        featureLayer.on("add", () => {
          const element = featureLayer.getElement ? featureLayer.getElement() : null;
          if (!element) return;
          const title = document.createElementNS(element.namespaceURI, "title");
          title.textContent = String(name);
          element.appendChild(title);
        });
      },
    });
  }

  function noticeControl(L, text) {
    const control = L.control({ position: "topright" });
    control.onAdd = function () {
      const div = L.DomUtil.create("div", "bf-map-notice");
      Object.assign(div.style, { background: "#ffffff", padding: "4px 8px", font: "12px sans-serif" });
      div.setAttribute("role", "status");
      div.textContent = text;
      return div;
    };
    return control;
  }

  /* Make each drawn feature reachable with Tab; Enter or Space opens its popup. */
  function makeFocusable(layer, labelKey) {
    const element = layer.getElement ? layer.getElement() : null;
    if (!element) return;
    const props = (layer.feature && layer.feature.properties) || {};
    element.setAttribute("tabindex", "0");
    element.setAttribute("role", "button");
    element.setAttribute("aria-label", String(props[labelKey] || ""));
    element.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        layer.openPopup();
      }
    });
  }

  async function enhance(el) {
    const L = window.L;
    const url = el.dataset.geojsonUrl;
    if (!L || !url || el.dataset.bfMapReady || !sameOrigin(url)) return;
    el.dataset.bfMapReady = "loading";
    const basePromise = loadBase(el.dataset.baseUrl);
    let data;
    try {
      const response = await fetch(url, { credentials: "same-origin",
                                          headers: { Accept: "application/geo+json, application/json" } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      data = await response.json();
    } catch (err) {
      delete el.dataset.bfMapReady;
      console.warn("belfort map: keeping the static map", err);
      return;
    }
    const t = words();
    const legend = parseJson(el.dataset.legend) || data.legend || null;
    const labelKey = data.label_key || "_label";
    const fallback = el.querySelector("svg");
    const fallbackTitle = fallback ? fallback.querySelector("title") : null;
    const height = parseInt(el.dataset.height || (fallback && fallback.getAttribute("height")) || "420", 10);
    const canvas = document.createElement("div");
    canvas.className = "bf-map-canvas";
    canvas.style.height = `${height > 0 ? height : 420}px`;
    canvas.setAttribute("role", "region");
    canvas.setAttribute("aria-label", el.dataset.label || (fallbackTitle && fallbackTitle.textContent) || t.map);
    for (const child of Array.from(el.children)) {  // the static map (an SVG has no .hidden)
      child.style.display = "none";
      child.setAttribute("aria-hidden", "true");
    }
    el.appendChild(canvas);

    const tileUrl = el.dataset.tileUrl;
    const ownZoom = Boolean(L.control && L.control.zoom);  // buttons titled in the page's language
    const map = L.map(canvas, { keyboard: true, zoomControl: !ownZoom, maxZoom: 19, minZoom: 2,
                                zoomSnap: 0.5,
                                attributionControl: Boolean(tileUrl) });
    if (ownZoom) L.control.zoom({ zoomInTitle: t.zoomIn, zoomOutTitle: t.zoomOut }).addTo(map);
    canvas.tabIndex = 0;
    if (tileUrl) {
      L.tileLayer(tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    } else {
      canvas.classList.add("bf-map-notiles");
      canvas.style.background = "#eef2f5";
    }
    const base = await basePromise;
    const under = base && Array.isArray(base.features) ? baseLayer(L, map, base) : null;
    const features = Array.isArray(data.features) ? data.features : [];
    const radius = features.length > 200 ? 4 : 6;
    const layer = L.geoJSON(data, {
      style: (feature) => {
        const color = colorOf(legend, feature);
        const polygon = /Polygon/.test(kindsOf(feature.geometry));
        return polygon ? { color: "#333333", weight: 1, fillColor: color, fillOpacity: 0.55 }
          : { color, weight: 3, opacity: 0.9 };
      },
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, {
        radius, color: "#1a1a1a", weight: 1, fillColor: colorOf(legend, feature), fillOpacity: 0.9,
      }),
      onEachFeature: (feature, featureLayer) => {
        featureLayer.bindPopup(() => popupContent(feature, labelKey, t), { maxWidth: 320 });
        // the drawn element exists once the layer is on the map
        if (features.length <= MAX_FOCUSABLE) featureLayer.on("add", () => makeFocusable(featureLayer, labelKey));
      },
    });
    const bounds = layer.getBounds();
    const baseBounds = under ? under.getBounds() : null;
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
    } else if (baseBounds && baseBounds.isValid()) {
      map.fitBounds(baseBounds);
    } else {
      map.setView(GHENT, 12);
    }
    if (under) under.addTo(map);
    layer.addTo(map);
    if (data.truncated) noticeControl(L, t.shown(data.shown, data.total)).addTo(map);
    el.dataset.bfMapReady = "1";
  }

  function enhanceAll() {
    document.querySelectorAll(".bf-map[data-geojson-url]").forEach((el) => { enhance(el); });
  }

  window.BelfortMap = { enhance, enhanceAll, classify, keyOf };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();
