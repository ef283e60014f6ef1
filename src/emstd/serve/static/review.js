// The emstd review page: vanilla JS over the JSON API (no build step, nothing from the network but this server).
// Data from the server is only ever put into the page as text (textContent), never as HTML.
"use strict";

// The page's words in English and Chinese: review.text.json (one place for both languages), loaded at start.
let TEXT = {en: {}, zh: {}};

const state = {
  lang: (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en",
  key: null, options: null, file: null, last: null, original: new Map(), edits: new Map(), urls: {},
  sent: "[]",  // the corrections of the table shown, as JSON: anything else is not applied yet
  status: [],  // [message name, values] pairs, so that the status follows a change of language
};
const $ = (id) => document.getElementById(id);
const keyOf = (task, value) => task + "\u0000" + value;

function t(name, vars) {
  let text = TEXT[state.lang][name] || TEXT.en[name] || name;
  for (const [k, v] of Object.entries(vars || {})) text = text.replace("{" + k + "}", v);
  return text;
}

function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  $("lang").textContent = state.lang === "zh" ? "English" : "中文";
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  if (state.options) showLimit();
  showStatus();
  if (state.last) render();
}

// --- the API ----------------------------------------------------------------------------------------------------

async function api(path, init) {
  const request = Object.assign({}, init || {});
  request.headers = Object.assign({}, request.headers || {});
  if (state.key) request.headers["Authorization"] = "Bearer " + state.key;
  const response = await fetch(path, request);
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (response.status === 401) {
    $("key-panel").hidden = false;
    throw new Error(state.key ? t("wrongKey") : t("needKey"));
  }
  if (!response.ok) throw new Error((body && body.detail) || response.status + " " + response.statusText);
  return body;
}

async function loadOptions() {
  try {
    state.options = await api("/v1/review/options");
    $("key-panel").hidden = true;
    $("run").disabled = false;
    showLimit();
    clearError();
  } catch (e) {
    showError(e.message);
  }
}

function showLimit() {
  $("limit").textContent = t("limit", { mb: (state.options.max_upload_bytes / 1048576).toFixed(1) });
}

async function standardize(corrections) {
  const form = new FormData();
  form.append("file", state.file);
  form.append("task", $("task").value);
  form.append("review", "true");
  if (corrections.length) form.append("corrections", JSON.stringify(corrections));
  setStatus(["working"]);
  const answer = await api("/v1/tables", { method: "POST", body: form });
  state.last = answer;
  return answer;
}

// --- actions ----------------------------------------------------------------------------------------------------

async function run() {
  clearError();
  const file = $("file").files[0];
  if (!file) return showError(t("chooseFile"));
  const limit = state.options.max_upload_bytes;
  if (file.size > limit) {
    return showError(t("tooLarge", { name: file.name, mb: (file.size / 1048576).toFixed(1),
                                     limit: (limit / 1048576).toFixed(1) }));
  }
  state.file = file;
  state.edits.clear();
  state.sent = "[]";
  setDownload("download-overlay", null);
  try {
    const answer = await standardize([]);
    state.original = new Map(rows().map((r) => [keyOf(r.task, r.value), r.answer]));
    render();
    setTableDownloads(answer);
    $("result").hidden = false;
    setStatus(summary(answer.report));
  } catch (e) {
    setStatus();
    showError(e.message);
  }
}

function corrections() {
  const out = [];
  for (const [k, answer] of state.edits) {
    if (state.original.get(k) === answer) continue;
    const [task, value] = k.split("\u0000");
    out.push({ task, value, answer });
  }
  return out;
}

async function apply() {
  clearError();
  const fixes = corrections();
  try {
    const answer = await standardize(fixes);
    render();
    setTableDownloads(answer);
    if (fixes.length) {
      const overlay = await api("/v1/review/overlay", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ corrections: fixes }),
      });
      setDownload("download-overlay", new Blob([overlay.overlay], { type: "application/x-yaml" }), overlay.filename);
    } else {
      setDownload("download-overlay", null);
    }
    state.sent = JSON.stringify(fixes);
    setStatus(summary(answer.report), ["applied", { n: fixes.length }]);
    showChanges();
  } catch (e) {
    setStatus();
    showError(e.message);
  }
}

// --- rendering --------------------------------------------------------------------------------------------------

function rows() {
  const review = state.last && state.last.report.review;
  return review ? review.rows : [];
}

function summary(report) {
  const values = report.value_columns.reduce((n, v) => n + v.distinct, 0);
  return ["done", { rows: report.rows, values, columns: report.columns.length }];
}

function render() {
  const report = state.last.report;
  const headerRows = new Map(rows().filter((r) => r.task === "column").map((r) => [r.value, r]));
  const valueColumns = new Map(report.value_columns.map((v) => [v.source, v.output]));
  const columns = $("columns-table").tBodies[0];
  columns.replaceChildren();
  for (const c of report.columns) {
    const tr = columns.insertRow();
    cell(tr, c.source);
    const row = headerRows.get(c.source);
    if (row) {
      tr.appendChild(answerCell(row, "column"));
    } else if (valueColumns.has(c.source)) {
      cell(tr, t("valueColumn") + " " + valueColumns.get(c.source));
    } else {
      cell(tr, c.field ? t("fleetMix") + " " + label("vehicle", c.field) : "—");
    }
    cell(tr, c.unit || "");
    methodCell(tr, c.method || "");
    cell(tr, c.confidence == null ? "" : c.confidence.toFixed(2), "num");
    cell(tr, row ? alternatives(row) : "");
    mark(tr, row);
  }
  const values = $("values-table").tBodies[0];
  values.replaceChildren();
  const only = $("only-uncertain").checked;
  for (const r of rows().filter((r) => r.task !== "column")) {
    if (only && !uncertain(r)) continue;
    const tr = values.insertRow();
    cell(tr, t(r.task));
    cell(tr, r.column || "");
    cell(tr, r.value);
    cell(tr, r.count == null ? "" : String(r.count), "num");
    tr.appendChild(answerCell(r, r.task));
    methodCell(tr, r.method);
    cell(tr, r.confidence.toFixed(2), "num");
    cell(tr, alternatives(r));
    mark(tr, r);
  }
  showChanges();
}

function uncertain(r) {
  return r.answer === null || r.confidence < state.options.review_below;
}

function mark(tr, r) {
  if (!r) return;
  const k = keyOf(r.task, r.value);
  tr.classList.toggle("uncertain", uncertain(r) && r.method !== "user");
  tr.classList.toggle("changed", state.edits.has(k) && state.edits.get(k) !== state.original.get(k));
}

function cell(tr, text, cls) {
  const td = tr.insertCell();
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function methodCell(tr, method) {
  cell(tr, method, method === "user" ? "method-user" : "");
}

function choices(task) {
  return task === "column" ? state.options.column : state.options[task];
}

function label(task, value) {
  if (value === null) return t("notStandard");
  const choice = choices(task).find((c) => c.value === value);
  if (!choice) return value;
  return state.lang === "zh" ? choice.zh + " · " + choice.value : choice.value + " · " + choice.zh;
}

function alternatives(r) {
  return (r.alternatives || []).map((a) => label(r.task, a.label) + " (" + a.similarity.toFixed(2) + ")").join("; ");
}

function answerCell(r, task) {
  const td = document.createElement("td");
  const select = document.createElement("select");
  select.className = "answer";
  select.dataset.task = r.task;
  select.dataset.value = r.value;
  const none = new Option(t("notStandard"), "");
  select.add(none);
  for (const c of choices(task)) select.add(new Option(label(task, c.value), c.value));
  const k = keyOf(r.task, r.value);
  const current = state.edits.has(k) ? state.edits.get(k) : r.answer;
  select.value = current === null ? "" : current;
  select.addEventListener("change", () => {
    state.edits.set(k, select.value === "" ? null : select.value);
    mark(select.closest("tr"), r);
    showChanges();
  });
  td.appendChild(select);
  return td;
}

function showChanges() {
  const current = corrections();
  $("changes").textContent = JSON.stringify(current) !== state.sent ? t("changes", { n: current.length }) : "";
}

// --- downloads --------------------------------------------------------------------------------------------------

function setTableDownloads(answer) {
  const bytes = Uint8Array.from(atob(answer.content_base64), (ch) => ch.charCodeAt(0));
  setDownload("download-table", new Blob([bytes], { type: answer.media_type }), answer.filename);
  const stem = answer.filename.replace(/\.[^.]+$/, "");
  setDownload("download-report", new Blob([JSON.stringify(answer.report, null, 2)], { type: "application/json" }),
              stem + ".report.json");
}

function setDownload(id, blob, filename) {
  const link = $(id);
  if (state.urls[id]) URL.revokeObjectURL(state.urls[id]);
  if (!blob) {
    link.removeAttribute("href");
    link.classList.add("disabled");
    delete state.urls[id];
    return;
  }
  state.urls[id] = URL.createObjectURL(blob);
  link.href = state.urls[id];
  link.download = filename;
  link.classList.remove("disabled");
}

// --- messages ---------------------------------------------------------------------------------------------------

function setStatus(...parts) { state.status = parts; showStatus(); }
function showStatus() { $("status").textContent = state.status.map(([name, vars]) => t(name, vars)).join(" "); }
function showError(text) { $("error").textContent = text; $("error").hidden = false; }
function clearError() { $("error").hidden = true; $("error").textContent = ""; }

// --- start ------------------------------------------------------------------------------------------------------

$("lang").addEventListener("click", () => { state.lang = state.lang === "zh" ? "en" : "zh"; applyLanguage(); });
$("key-submit").addEventListener("click", () => { state.key = $("api-key").value.trim() || null; loadOptions(); });
$("api-key").addEventListener("keydown", (e) => { if (e.key === "Enter") $("key-submit").click(); });
$("run").addEventListener("click", run);
$("apply").addEventListener("click", apply);
$("only-uncertain").addEventListener("change", () => { if (state.last) render(); });
fetch("/static/review.text.json")
  .then((response) => response.json())
  .then((text) => { TEXT = text; })
  .catch(() => {})  // without it the page still works, with its message names for words
  .then(() => { applyLanguage(); loadOptions(); });
