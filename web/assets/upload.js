// Uploads a design's files with a progress bar.
//
// Without JavaScript the form posts as usual: the server answers 303 to the
// new design's page, or renders the form again with a 4xx status and
// <p class="error" role="alert">why</p>. With it, the same request is sent
// by XMLHttpRequest (fetch cannot report upload progress), so the page can
// say how far the upload is, then that the server is analysing the files:
//
//   <form class="upload" … data-uploading="Uploading… {percent}%"
//         data-processing="Analysing the files…" data-failed="The upload failed: ">
//     … <progress class="upload-progress" max="100" value="0" hidden></progress>
//     <p class="upload-status" role="status" aria-live="polite"></p> …
//   </form>
//
// data-network-error, when present, replaces the English reason given after
// data-failed when the connection fails.

function start() {
  for (const form of document.querySelectorAll("form.upload")) {
    form.addEventListener("submit", (e) => submit(form, e));
  }
  // Back from the design's page (the back-forward cache keeps this page as
  // it was left): the form is usable again.
  window.addEventListener("pageshow", (e) => {
    if (!e.persisted) return;
    for (const form of document.querySelectorAll('form.upload[data-state="uploading"]')) reset(form);
  });
}

function reset(form) {
  form.dataset.state = "";
  form.setAttribute("aria-busy", "false");
  for (const b of submitButtons(form)) b.disabled = false;
  const progress = form.querySelector(".upload-progress");
  if (progress) progress.hidden = true;
  const status = form.querySelector(".upload-status");
  if (status) status.textContent = "";
}

function submit(form, event) {
  event.preventDefault();
  if (form.dataset.state === "uploading") return; // a second click
  const progress = form.querySelector(".upload-progress");
  const status = form.querySelector(".upload-status");
  const buttons = submitButtons(form);

  let data;
  try {
    data = new FormData(form, event.submitter || undefined); // the clicked button's name and value too
  } catch {
    data = new FormData(form);
  }

  const setStatus = (text) => {
    if (status) status.textContent = text;
  };
  const setBusy = (busy) => {
    form.dataset.state = busy ? "uploading" : "";
    form.setAttribute("aria-busy", busy ? "true" : "false");
    for (const b of buttons) b.disabled = busy;
    if (progress) progress.hidden = !busy;
  };
  const failed = (text) => {
    setBusy(false);
    setStatus("");
    showError(form, progress || status, text);
  };

  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.setRequestHeader("Accept", "text/html"); // as the form's own post: errors come back as the page

  xhr.upload.addEventListener("progress", (e) => {
    if (!e.lengthComputable) return;
    const percent = Math.min(100, Math.floor((e.loaded / e.total) * 100));
    if (progress) progress.value = percent;
    setStatus(uploading(form, percent));
  });
  xhr.upload.addEventListener("load", () => {
    // Sent; the server now analyses the files before it answers.
    if (progress) progress.removeAttribute("value"); // indeterminate
    setStatus(form.dataset.processing || "");
  });

  xhr.addEventListener("load", () => {
    if (xhr.status >= 200 && xhr.status < 400) {
      // The request followed the 303: go where it led, as the form would.
      location.assign(xhr.responseURL || form.action);
      return;
    }
    failed(alertText(xhr) || `${xhr.status} ${xhr.statusText}`.trim());
  });
  const networkError = () => {
    const reason = form.dataset.networkError || (navigator.onLine === false ? "the browser is offline" : "the server could not be reached");
    failed((form.dataset.failed || "") + reason);
  };
  xhr.addEventListener("error", networkError);
  xhr.addEventListener("timeout", networkError);
  xhr.addEventListener("abort", () => failed((form.dataset.failed || "") + (form.dataset.networkError || "the upload was stopped")));

  for (const old of form.querySelectorAll("p.error[role=alert]")) old.remove();
  if (progress) {
    progress.max = 100;
    progress.value = 0;
  }
  setBusy(true);
  setStatus(uploading(form, 0));
  xhr.send(data);
}

function submitButtons(form) {
  return form.querySelectorAll('button[type="submit"], button:not([type]), input[type="submit"]');
}

function uploading(form, percent) {
  return (form.dataset.uploading || "{percent}%").replace(/\{percent\}/g, String(percent));
}

// alertText is the message of the page the server answered with: the text
// of its [role=alert] element.
function alertText(xhr) {
  const type = xhr.getResponseHeader("Content-Type") || "";
  const body = xhr.responseText || "";
  if (!body) return "";
  if (type.includes("json")) {
    try {
      return JSON.parse(body).error.message || ""; // {"error": {"code", "message"}}
    } catch {
      return "";
    }
  }
  const doc = new DOMParser().parseFromString(body, "text/html");
  const alert = doc.querySelector("[role=alert]");
  return alert ? alert.textContent.trim().replace(/\s+/g, " ") : "";
}

function showError(form, before, text) {
  for (const old of form.querySelectorAll("p.error[role=alert]")) old.remove();
  const p = document.createElement("p");
  p.className = "error";
  p.setAttribute("role", "alert");
  p.textContent = text;
  if (before && form.contains(before)) before.before(p);
  else form.prepend(p);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}
