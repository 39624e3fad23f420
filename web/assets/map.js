// The map of makers, hubs and hospitals, drawn with Leaflet.
//
// The places come from the hub as JSON; the same places are a table on a
// page of their own (/dashboard/places), the accessible (and no-JavaScript)
// version of the map:
//
//   <div class="map" data-places="/dashboard/places.json"
//        data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
//        data-attribution="© OpenStreetMap contributors" data-label="…"
//        data-legend-maker="…" data-legend-hub="…" data-legend-hospital="…"></div>
//
//   GET /dashboard/places.json → {"places": [{"kind": "maker", "name": "Fablab Grenoble",
//                                 "lat": 45.19, "lon": 5.72, "verified": false}, …], "total": 1}
//
// An empty data-tiles means no tile layer: the markers are drawn on a plain
// background (a closed network, or a deployment without a tile server).
// Markers are vectors (no marker images, whose paths a bundle breaks), and
// text from the page reaches the map as text nodes, never as HTML.
// data-state="ready" and data-markers tell the browser tests it is drawn.

import L from "leaflet";
import "leaflet/dist/leaflet.css";
import "./map.css";

// Colours from the Okabe–Ito palette, told apart with every common colour
// vision deficiency; each marker also has a dark outline, for contrast on
// light tiles.
const KINDS = {
  maker: { colour: "#d55e00", radius: 7 },
  hub: { colour: "#0072b2", radius: 9 },
  hospital: { colour: "#009e73", radius: 9 },
};
const OUTLINE = "#1b1b1b";

// France, when there is nothing to show.
const DEFAULT_VIEW = { centre: [46.6, 2.4], zoom: 5 };

function start() {
  for (const el of document.querySelectorAll(".map")) {
    if (el.dataset.state) continue;
    el.dataset.state = "loading";
    load(el)
      .then((places) => draw(el, places))
      .catch((err) => {
        console.warn("map:", err);
        el.dataset.state = "error";
      });
  }
}

// load fetches the places, with the page's session cookie.
async function load(el) {
  const res = await fetch(el.dataset.places, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!res.ok) throw new Error("places: HTTP " + res.status);
  const body = await res.json();
  return readPlaces(Array.isArray(body.places) ? body.places : []);
}

function draw(el, places) {
  if (el.clientHeight === 0) el.style.height = "24rem"; // a stylesheet gave it no height

  const tiles = (el.dataset.tiles || "").trim();
  const map = L.map(el, { maxZoom: 18, worldCopyJump: true, attributionControl: Boolean(tiles) });
  if (el.dataset.label) {
    el.setAttribute("role", "region");
    el.setAttribute("aria-label", el.dataset.label);
  }

  if (tiles) {
    map.attributionControl.setPrefix(false); // Leaflet's own link and flag
    L.tileLayer(tiles, {
      maxZoom: 19,
      // Leaflet sets attributions as HTML: the text is escaped first.
      attribution: escapeHTML(el.dataset.attribution || ""),
    }).addTo(map);
  } else {
    el.classList.add("map-plain");
  }

  const legend = {};
  for (const kind of Object.keys(KINDS)) {
    legend[kind] = el.getAttribute("data-legend-" + kind) || kind;
  }

  const points = [];
  for (const p of places) {
    const style = KINDS[p.kind] || KINDS.maker;
    const marker = L.circleMarker([p.lat, p.lon], {
      radius: style.radius,
      color: OUTLINE,
      weight: 1.5,
      fillColor: style.colour,
      fillOpacity: 0.9,
      className: "map-marker map-marker-" + (KINDS[p.kind] ? p.kind : "maker"),
    });
    marker.bindPopup(() => popup(p.name, legend[p.kind] || p.kind));
    marker.addTo(map);
    points.push([p.lat, p.lon]);
  }

  if (points.length > 0) {
    map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 11 });
  } else {
    map.setView(DEFAULT_VIEW.centre, DEFAULT_VIEW.zoom);
  }

  legendControl(legend).addTo(map);
  el.dataset.markers = String(points.length);
  el.dataset.state = "ready";
}

// readPlaces takes the places with valid coordinates.
function readPlaces(list) {
  const places = [];
  for (const p of list) {
    const lat = Number(p.lat);
    const lon = Number(p.lon);
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) continue;
    places.push({ lat, lon, kind: String(p.kind || "maker"), name: String(p.name || "") });
  }
  return places;
}

function popup(name, kindLabel) {
  const div = document.createElement("div");
  div.className = "map-popup";
  const strong = document.createElement("strong");
  strong.textContent = name;
  div.append(strong);
  if (kindLabel) {
    div.append(document.createElement("br"), document.createTextNode(kindLabel));
  }
  return div;
}

function legendControl(labels) {
  const Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd() {
      const ul = L.DomUtil.create("ul", "map-legend");
      for (const [kind, style] of Object.entries(KINDS)) {
        const li = document.createElement("li");
        li.append(swatch(style), document.createTextNode(labels[kind]));
        ul.append(li);
      }
      L.DomEvent.disableClickPropagation(ul);
      return ul;
    },
  });
  return new Legend();
}

// swatch draws a legend's marker as the map draws it.
function swatch(style) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", "20");
  svg.setAttribute("height", "20");
  svg.setAttribute("viewBox", "0 0 20 20");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "map-legend-swatch");
  const c = document.createElementNS(ns, "circle");
  c.setAttribute("cx", "10");
  c.setAttribute("cy", "10");
  c.setAttribute("r", String(style.radius));
  c.setAttribute("fill", style.colour);
  c.setAttribute("fill-opacity", "0.9");
  c.setAttribute("stroke", OUTLINE);
  c.setAttribute("stroke-width", "1.5");
  svg.append(c);
  return svg;
}

function escapeHTML(s) {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}
