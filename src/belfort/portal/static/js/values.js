/*
 * Belfort: values as people read them, in the browser. The same rules as the server's
 * belfort/portal/values.py (keep both in step; tests/portal/test_browser_table.py compares
 * the server's table with the one preview.js redraws from the Opendatasoft v1 API):
 * times in Ghent time ("za 20 jul 2024 22:10"), numbers with the language's separators,
 * ja/nee, geo as short text, multivalued values joined by ", ", long text cut.
 * Plain ES2017, no network: Intl.DateTimeFormat only gives the wall-clock parts.
 */
(function () {
  "use strict";

  const ZONE = "Europe/Brussels";
  const MAX_TEXT = 200;
  const WEEKDAYS = { nl: ["ma", "di", "wo", "do", "vr", "za", "zo"], en: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] };
  const MONTHS = {
    nl: ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    en: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
  };
  const SEPARATORS = { nl: [".", ","], en: [",", "."] };  // [thousands, decimal]
  const BOOLEANS = { nl: ["ja", "nee"], en: ["yes", "no"] };
  const COMPASS = { nl: ["N", "Z", "O", "W"], en: ["N", "S", "E", "W"] };
  const SHAPES = {
    nl: { Point: ["punt", "punten"], MultiPoint: ["punt", "punten"], LineString: ["lijn", "lijnen"],
      MultiLineString: ["lijn", "lijnen"], Polygon: ["vlak", "vlakken"], MultiPolygon: ["vlak", "vlakken"],
      GeometryCollection: ["vorm", "vormen"] },
    en: { Point: ["point", "points"], MultiPoint: ["point", "points"], LineString: ["line", "lines"],
      MultiLineString: ["line", "lines"], Polygon: ["area", "areas"], MultiPolygon: ["area", "areas"],
      GeometryCollection: ["shape", "shapes"] },
  };
  const SUPERSCRIPTS = { "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻" };
  const ZONE_NAMES = { 60: "CET", 120: "CEST" };
  const PARTS = new Intl.DateTimeFormat("en-GB", {
    timeZone: ZONE, year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric",
    second: "numeric", hourCycle: "h23",
  });

  function cut(text) {
    const chars = Array.from(text);
    return chars.length <= MAX_TEXT ? text : chars.slice(0, MAX_TEXT - 1).join("") + "…";
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // the wall-clock time of an instant (milliseconds since 1970) in Ghent
  function wall(ms) {
    const p = {};
    PARTS.formatToParts(new Date(ms)).forEach((part) => { p[part.type] = parseInt(part.value, 10); });
    return p;
  }

  function wallKey(p) { return [p.year, p.month, p.day, p.hour, p.minute, p.second].join("-"); }

  function offsetMinutes(ms) {
    const p = wall(ms);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
  }

  function isoLocal(ms, p, offset) {
    const millis = ((ms % 1000) + 1000) % 1000;
    const sign = offset < 0 ? "-" : "+";
    const abs = Math.abs(offset);
    return p.year + "-" + pad(p.month) + "-" + pad(p.day) + "T" + pad(p.hour) + ":" + pad(p.minute) + ":" + pad(p.second) +
      (millis ? "." + String(millis).padStart(3, "0") : "") + sign + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
  }

  function formatDatetime(text, lang) {
    // a time without zone is UTC, as the API reads it
    const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : text + "Z");
    if (isNaN(ms)) return { text: cut(String(text)), kind: "text", machine: null };
    const p = wall(ms);
    const weekday = (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7;
    let shown = WEEKDAYS[lang][weekday] + " " + p.day + " " + MONTHS[lang][p.month - 1] + " " + p.year + " " +
      pad(p.hour) + ":" + pad(p.minute) + (p.second ? ":" + pad(p.second) : "");
    const offset = offsetMinutes(ms);
    const key = wallKey(p);
    if (wallKey(wall(ms - 3600000)) === key || wallKey(wall(ms + 3600000)) === key) {  // the hour that happens twice
      shown += " " + (ZONE_NAMES[offset] || "");
    }
    return { text: shown.trim(), kind: "datetime", machine: isoLocal(ms, p, offset) };
  }

  function formatDate(text, lang) {
    const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(String(text));
    if (!m) return formatDatetime(String(text), lang);
    return { text: parseInt(m[3], 10) + " " + MONTHS[lang][parseInt(m[2], 10) - 1] + " " + m[1], kind: "date", machine: m[0] };
  }

  function grouped(digits, thousands) {
    const head = digits.length % 3 || 3;
    const groups = [digits.slice(0, head)];
    for (let i = head; i < digits.length; i += 3) groups.push(digits.slice(i, i + 3));
    return groups.join(thousands);
  }

  // whole numbers of integer fields exactly (as far as JSON numbers reach: 2^53), other
  // numbers by the shortest digits that give the value back
  function formatNumber(value, lang, type) {
    const [thousands, decimal] = SEPARATORS[lang];
    if (value === 0) return "0";
    const minus = value < 0 ? "-" : "";
    if (type === "integer" && Number.isSafeInteger(value)) return minus + grouped(String(Math.abs(value)), thousands);
    // the shortest digits that give the value back, as d.ddde±p (what Python's repr gives too)
    const [mantissa, exp] = Math.abs(value).toExponential().split("e");
    const digits = mantissa.replace(".", "");
    const power = parseInt(exp, 10);
    if (power >= 15 || power < -7) {
      const sup = String(power).split("").map((c) => SUPERSCRIPTS[c]).join("");
      return minus + digits[0] + (digits.length > 1 ? decimal + digits.slice(1) : "") + " × 10" + sup;
    }
    let whole, fraction;
    if (power >= 0) {
      whole = digits.slice(0, power + 1).padEnd(power + 1, "0");
      fraction = digits.slice(power + 1);
    } else {
      whole = "0";
      fraction = "0".repeat(-power - 1) + digits;
    }
    return minus + grouped(whole, thousands) + (fraction ? decimal + fraction : "");
  }

  function degrees(value, positive, negative, lang) {
    const n = Number(value);
    return Math.abs(n).toFixed(4).replace(".", SEPARATORS[lang][1]) + "° " + (n < 0 ? negative : positive);
  }

  function pointText(lat, lon, lang) {
    const c = COMPASS[lang];
    return SHAPES[lang].Point[0] + " " + degrees(lat, c[0], c[1], lang) + " " + degrees(lon, c[2], c[3], lang);
  }

  function positions(coordinates) {
    if (Array.isArray(coordinates) && coordinates.length && coordinates.every((c) => typeof c === "number")) return 1;
    if (Array.isArray(coordinates)) return coordinates.reduce((n, c) => n + positions(c), 0);
    return 0;
  }

  function geoText(value, lang) {
    const names = SHAPES[lang];
    try {
      if (typeof value === "string") value = JSON.parse(value);
      if (value && value.type === "Feature") value = value.geometry;
      if (value && !Array.isArray(value) && typeof value === "object" && "lat" in value && "lon" in value) {
        return pointText(value.lat, value.lon, lang);
      }
      if (Array.isArray(value) && value.length === 2) return pointText(value[0], value[1], lang);
      if (value && typeof value === "object") {
        const kind = value.type;
        if (kind === "Point") return pointText(value.coordinates[1], value.coordinates[0], lang);
        if (kind === "GeometryCollection") {
          const parts = (value.geometries || []).length;
          return parts + " " + names[kind][parts === 1 ? 0 : 1];
        }
        if (typeof kind !== "string" || !Object.prototype.hasOwnProperty.call(names, kind)) return names.GeometryCollection[0];
        const coordinates = value.coordinates || [];
        const points = positions(coordinates);
        const pointWord = names.Point[points === 1 ? 0 : 1];
        if (kind.startsWith("Multi")) {
          return coordinates.length + " " + names[kind][coordinates.length === 1 ? 0 : 1] + " (" + points + " " + pointWord + ")";
        }
        return names[kind][0] + " (" + points + " " + pointWord + ")";
      }
    } catch (error) {
      // not GeoJSON: a shape without a description
    }
    return names.GeometryCollection[0];
  }

  // value (as the v1 API gives it) of a field of Belfort type `type` → {text, kind, machine}
  function format(value, type, lang) {
    lang = WEEKDAYS[lang] ? lang : "nl";
    if (value === null || value === undefined) return { text: "", kind: "empty", machine: null };
    if (typeof value === "boolean") return { text: BOOLEANS[lang][value ? 0 : 1], kind: "boolean", machine: null };
    if (type === "datetime" && typeof value === "string") return formatDatetime(value, lang);
    if (type === "date" && typeof value === "string") return formatDate(value, lang);
    if (typeof value === "number") {
      return isFinite(value) ? { text: formatNumber(value, lang, type), kind: "number", machine: null } : { text: "", kind: "empty", machine: null };
    }
    if (type === "geopoint" || type === "geometry") return { text: geoText(value, lang), kind: "geo", machine: null };
    if (Array.isArray(value)) {
      return { text: cut(value.filter((v) => v !== null && v !== undefined).map((v) => format(v, "string", lang).text).join(", ")), kind: "text", machine: null };
    }
    if (typeof value === "object") return { text: cut(JSON.stringify(value)), kind: "text", machine: null };
    return { text: cut(String(value)), kind: "text", machine: null };
  }

  window.BelfortValues = { format: format, formatNumber: formatNumber };
})();
