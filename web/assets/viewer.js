// The interactive 3D view of a design's STL files, drawn with three.js.
//
// The page writes, for each STL:
//
//   <div class="viewer" data-stl="/api/v1/files/<sha256>" data-label="…"
//        data-error="The 3D view could not be shown: " data-nowebgl="…">
//     <img …the server-drawn thumbnail…>
//   </div>
//
// and the thumbnail stays until the model has been drawn, so a browser
// without JavaScript or WebGL, or a file that fails to load, still shows the
// part. The outcome is written to data-state ("ready", "error" or "nowebgl")
// for the browser tests, with data-triangles once ready. Expected failures
// are shown in the page, never thrown nor logged as console errors (the
// browser tests fail on any console error).
//
// Frames are drawn on demand (when the controls move or the box resizes),
// not in a loop, so an idle page costs nothing.

import {
  Color,
  DirectionalLight,
  DoubleSide,
  HemisphereLight,
  Mesh,
  MeshStandardMaterial,
  PerspectiveCamera,
  Scene,
  Vector3,
  WebGLRenderer,
} from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { STLLoader } from "three/addons/loaders/STLLoader.js";

// The colour of the server-drawn thumbnails (designs/stl ThumbnailColour):
// filament orange.
const PART_COLOUR = 0xed6b21;

// The view of the thumbnails: from the front right, above, with z up as
// slicers show a part (designs/stl/render.go).
const EYE = new Vector3(1, -1.25, 0.9).normalize();

const FOV = 30; // degrees, vertical

const CONTEXT_ATTRIBUTES = {
  alpha: true,
  antialias: true,
  depth: true,
  stencil: false,
  premultipliedAlpha: true,
  // Keeps the last frame readable (the browser tests read its pixels) and
  // lets the first frame be drawn before the canvas is in the page.
  preserveDrawingBuffer: true,
  powerPreference: "default",
};

function start() {
  for (const el of document.querySelectorAll(".viewer[data-stl]")) {
    if (el.dataset.state) continue; // already started
    el.dataset.state = "loading";
    show(el).catch((err) => fail(el, err));
  }
}

async function show(el) {
  const canvas = document.createElement("canvas");
  // three.js needs WebGL 2. Asking for the context here, rather than
  // letting WebGLRenderer do it, tells "no WebGL" apart from other failures
  // without three.js logging a console error first.
  let reason = "";
  canvas.addEventListener("webglcontextcreationerror", (e) => { reason = e.statusMessage || ""; }, { once: true });
  const gl = canvas.getContext("webgl2", CONTEXT_ATTRIBUTES);
  if (!gl) {
    console.warn("3D viewer: no WebGL 2 context" + (reason ? ": " + reason : ""));
    el.dataset.state = "nowebgl";
    message(el, el.dataset.nowebgl || "WebGL is not available.");
    return;
  }

  const geometry = parseSTL(await download(el.dataset.stl));
  const triangles = geometry.getAttribute("position").count / 3;
  if (triangles < 1) throw new Error("the file has no triangles");
  geometry.center();
  // Normals from the vertices: a file's own normals are often wrong or zero.
  // The geometry is not indexed, so each facet gets its own, flat normal.
  geometry.deleteAttribute("normal");
  geometry.computeVertexNormals();
  geometry.computeBoundingSphere();
  const radius = geometry.boundingSphere.radius || 1;

  const scene = new Scene();
  const material = new MeshStandardMaterial({
    color: new Color(PART_COLOUR),
    roughness: 0.55,
    metalness: 0.0,
    side: DoubleSide, // meshes with inverted or missing facets still look solid
  });
  scene.add(new Mesh(geometry, material));
  scene.add(new HemisphereLight(0xffffff, 0x5c5046, 1.6));

  const camera = new PerspectiveCamera(FOV, 1, radius / 100, radius * 100);
  camera.up.set(0, 0, 1); // STL files are z up
  // The key light follows the camera (from above the viewer's shoulder, as
  // the thumbnails are lit), so whatever side is turned to the viewer is lit.
  const key = new DirectionalLight(0xffffff, 1.8);
  key.position.set(-0.4, 0.9, 1); // in the camera's frame: it looks along -z
  camera.add(key, key.target); // the target stays at the camera's origin
  scene.add(camera);

  const renderer = new WebGLRenderer({ canvas, context: gl, antialias: true, alpha: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
  renderer.setClearColor(0x000000, 0);

  // The page's stylesheet sizes the box and the canvas in it (app.css: a
  // square box, the canvas filling it); the first frame is drawn at the
  // box's size, the canvas then follows its own size (ResizeObserver).
  const width = Math.max(el.clientWidth, 64);
  const height = Math.max(el.clientHeight || width, 64);
  size(renderer, camera, width, height);

  const distance = radius / Math.sin((Math.min(FOV, horizontalFOV(camera)) * Math.PI) / 360) * 1.08;
  camera.position.copy(EYE).multiplyScalar(distance);
  camera.lookAt(0, 0, 0);

  canvas.tabIndex = 0; // focusable, for the arrow keys
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", el.dataset.label || "3D view");
  canvas.className = "viewer-canvas";

  const controls = new OrbitControls(camera, canvas);
  controls.target.set(0, 0, 0);
  controls.minDistance = radius * 0.6;
  controls.maxDistance = distance * 8;
  controls.zoomToCursor = true;
  controls.listenToKeyEvents(canvas);
  controls.update();

  let pending = false;
  const draw = () => {
    pending = false;
    renderer.render(scene, camera);
  };
  const redraw = () => {
    if (!pending) {
      pending = true;
      requestAnimationFrame(draw);
    }
  };
  controls.addEventListener("change", redraw);

  draw();
  const old = el.querySelector(":scope > img, :scope > .picture, :scope > .nopicture");
  if (old) old.replaceWith(canvas);
  else el.append(canvas);
  for (const p of el.querySelectorAll(":scope > .viewer-message")) p.remove();
  el.dataset.triangles = String(triangles);
  el.dataset.state = "ready";

  new ResizeObserver((entries) => {
    const box = entries[entries.length - 1].contentRect;
    const w = Math.round(box.width);
    const h = Math.round(box.height);
    if (w < 1 || h < 1) return; // hidden
    const [cw, ch] = [canvas.width, canvas.height].map((n) => Math.round(n / renderer.getPixelRatio()));
    if (w === cw && h === ch) return;
    size(renderer, camera, w, h);
    draw();
  }).observe(canvas);

  canvas.addEventListener("webglcontextlost", (e) => {
    e.preventDefault(); // lets the browser restore it; three.js rebuilds its state then
  });
  canvas.addEventListener("webglcontextrestored", redraw);
}

// download fetches the STL; a failure says what the server said.
async function download(url) {
  const res = await fetch(url, { credentials: "same-origin" });
  if (!res.ok) {
    let msg = "";
    try {
      // The hub's JSON errors: {"error": {"code": "…", "message": "…"}}.
      msg = (await res.json()).error.message;
    } catch {
      // not JSON: the status says enough
    }
    throw new Error(msg || `${res.status} ${res.statusText}`.trim());
  }
  const type = res.headers.get("Content-Type") || "";
  if (type.startsWith("text/html")) {
    throw new Error("the server sent a page, not an STL"); // a login page, say
  }
  return res.arrayBuffer();
}

// parseSTL reads a binary or ASCII STL. STLLoader reports malformed ASCII
// facets with console.error and goes on; here they fail the view instead
// (the page shows why), and nothing reaches the console as an error.
function parseSTL(buffer) {
  // STLLoader takes a file that does not start with "solid" as binary and
  // allocates for the triangle count of its header: check that count
  // against the file's size first.
  if (!looksASCII(buffer)) {
    if (buffer.byteLength < 84) throw new Error(`the file is too short to be an STL (${buffer.byteLength} bytes)`);
    const n = new DataView(buffer).getUint32(80, true);
    const want = 84 + 50 * n;
    if (want !== buffer.byteLength) {
      throw new Error(`the file has ${buffer.byteLength} bytes, but a binary STL of ${n} triangles has ${want}`);
    }
  }
  const complaints = [];
  const consoleError = console.error;
  console.error = (...args) => complaints.push(args.map(String).join(" "));
  let geometry;
  try {
    geometry = new STLLoader().parse(buffer);
  } catch (err) {
    throw new Error("the file is not a readable STL (" + (err && err.message ? err.message : err) + ")");
  } finally {
    console.error = consoleError;
  }
  if (complaints.length > 0) {
    throw new Error(complaints[0].replace(/^THREE\.STLLoader:\s*/, ""));
  }
  return geometry;
}

// looksASCII tells an ASCII STL as STLLoader does: "solid" in its first
// bytes (after a byte-order mark, if any) and a size that does not match a
// binary STL's triangle count (CAD programs write "solid" into binary
// headers too).
function looksASCII(buffer) {
  const head = new Uint8Array(buffer, 0, Math.min(buffer.byteLength, 10));
  const text = String.fromCharCode(...head);
  if (!/^.{0,4}solid/s.test(text)) return false;
  if (buffer.byteLength >= 84) {
    const n = new DataView(buffer).getUint32(80, true);
    if (84 + 50 * n === buffer.byteLength) return false;
  }
  return true;
}

function size(renderer, camera, w, h) {
  renderer.setSize(w, h, false); // the CSS size is the stylesheet's
  camera.aspect = w / h;
  camera.updateProjectionMatrix();
}

function horizontalFOV(camera) {
  return (2 * Math.atan(Math.tan((camera.fov * Math.PI) / 360) * camera.aspect) * 180) / Math.PI;
}

function fail(el, err) {
  console.warn("3D viewer:", err);
  el.dataset.state = "error";
  message(el, (el.dataset.error || "") + (err && err.message ? err.message : String(err)));
}

function message(el, text) {
  for (const p of el.querySelectorAll(":scope > .viewer-message")) p.remove();
  const p = document.createElement("p");
  p.className = "viewer-message";
  p.textContent = text;
  el.append(p);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}
