// The QA dashboard: draws every family's views (GET /_emulator/ui/panels) with one table renderer and one
// form renderer, and refreshes the open view every two seconds. It only ever calls the control API, so
// it never shows up in the request journal, spends a fault or counts against a rate limit.
"use strict";

const CONTROL = "/_emulator";
const REFRESH_MS = 2000;
const TIMEOUT_MS = 10000;
const PAGE_SIZE = 50;
const TOKEN_KEY = "exotel-emulator.control-token";
const ACCOUNT_KEY = "exotel-emulator.account";

const state = {
  views: [],
  view: null,
  panels: new Map(), // panel id -> what is drawn of it: {decl, page, open, rows, stamp, elements}
  rowFields: [], // selects whose choices are a panel's rows: {field, input}
  sid: sessionStorage.getItem(ACCOUNT_KEY) || "",
  busy: false,
  again: false,
};

// ---- the control API ------------------------------------------------------------------------------------

let asking = null; // the token prompt on screen: every request that met a 401 waits for the same answer

function askToken(refused) {
  if (!asking) {
    asking = new Promise((resolve) => {
      const form = document.getElementById("token");
      document.getElementById("token-why").textContent = refused
        ? "That token was refused: type the one given to --control-token."
        : "This emulator was started with --control-token: the dashboard needs it once per browser tab.";
      form.hidden = false;
      form.elements.token.focus();
      form.onsubmit = (event) => {
        event.preventDefault();
        sessionStorage.setItem(TOKEN_KEY, form.elements.token.value);
        form.reset();
        form.hidden = true;
        asking = null;
        resolve();
      };
    });
  }
  return asking;
}

async function api(method, path, body) {
  for (;;) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(CONTROL + path, {
      method, headers, cache: "no-store", signal: AbortSignal.timeout(TIMEOUT_MS),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      await askToken(Boolean(token));
      continue;
    }
    const text = await response.text();
    let data = text;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, ok: response.ok, data };
  }
}

function errorText(data) {
  if (data && typeof data === "object" && "error" in data) return String(data.error);
  return typeof data === "string" ? data : JSON.stringify(data);
}

// ---- small helpers ----------------------------------------------------------------------------------------

let ids = 0;

// An element; text always goes in as text (a journaled body can never become markup).
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children);
  return node;
}

function dig(row, key) {
  return key.split(".").reduce((value, part) => (value == null ? undefined : value[part]), row);
}

function show(value) {
  if (value === null || value === undefined) return "–";
  if (Array.isArray(value)) return value.length ? value.map(show).join(", ") : "–";
  if (typeof value === "object") {
    const entries = Object.entries(value);
    return entries.length ? entries.map(([k, v]) => `${k}: ${show(v)}`).join("; ") : "–";
  }
  return String(value);
}

// "/accounts/{sid}/exophones" with the values given
function fill(path, values) {
  return path.replace(/\{([^}]+)\}/g, (_, name) => encodeURIComponent(values[name] ?? ""));
}

function usesAccount(decl) {
  return (decl.endpoint || decl.path).includes("{sid}");
}

function setStatus(text, failed = false) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.classList.toggle("error", failed);
}

// ---- panels: one table renderer for every family's -----------------------------------------------------

function buildPanel(decl) {
  const panel = { decl, page: 0, open: new Set(), rows: [], stamp: null };
  panel.count = el("span", { class: "count" });
  panel.error = el("p", { class: "error", role: "alert" });
  panel.table = el("table", { "aria-label": decl.title },
    el("thead", {}, el("tr", {}, ...(decl.rows === null ? [] : [
      ...decl.columns.map((c) => el("th", { scope: "col", text: c.title })), el("th", { scope: "col", text: "" }),
    ]))),
    el("tbody"));
  panel.previous = el("button", { type: "button", text: "Previous", "aria-label": `Previous page of ${decl.title}`,
    onclick: () => turn(panel, -1) });
  panel.next = el("button", { type: "button", text: "Next", "aria-label": `Next page of ${decl.title}`,
    onclick: () => turn(panel, 1) });
  panel.pager = el("div", { class: "pager", hidden: true }, panel.previous, panel.next);
  state.panels.set(decl.id, panel);
  return el("section", { class: "panel", id: `panel-${decl.id}` },
    el("h2", {}, decl.title, " ", panel.count), panel.error, el("div", { class: "scroll" }, panel.table), panel.pager);
}

function turn(panel, by) {
  panel.page = Math.max(0, panel.page + by);
  refresh();
}

function endpointOf(panel) {
  let path = fill(panel.decl.endpoint, { sid: state.sid });
  if (panel.decl.paged) path += `${path.includes("?") ? "&" : "?"}page=${panel.page}&page_size=${PAGE_SIZE}`;
  return path;
}

function drawPanel(panel, answer) {
  const { decl } = panel;
  if (!answer.ok) {
    panel.error.textContent = `${answer.status}: ${errorText(answer.data)}`;
    return;
  }
  panel.error.textContent = "";
  const data = answer.data;
  panel.rows = decl.rows === null ? [data] : (data[decl.rows] || []);
  const stamp = JSON.stringify([data, [...panel.open]]);
  if (stamp !== panel.stamp) { // unchanged: leave the page alone (and whatever the reader has selected)
    panel.stamp = stamp;
    panel.table.tBodies[0].replaceWith(decl.rows === null ? record(decl, data) : rows(panel, data));
  }
  refreshChoices(decl.id);
}

function drawMessage(panel, text) {
  panel.rows = [];
  panel.stamp = null;
  panel.count.textContent = "";
  panel.pager.hidden = true;
  const width = panel.decl.columns.length + 1;
  panel.table.tBodies[0].replaceWith(el("tbody", {}, el("tr", {}, el("td", { colspan: width, class: "empty", text }))));
  refreshChoices(panel.decl.id);
}

// a panel of one object: a row per column
function record(decl, data) {
  return el("tbody", {}, ...decl.columns.map((c) => el("tr", {},
    el("th", { scope: "row", text: c.title }), cell(show(dig(data, c.key))))));
}

// short values stay on one line; long ones (URLs, lists) wrap anywhere rather than widen the table
function cell(text) {
  return el("td", { text, class: text.length > 24 ? "long" : null });
}

function rows(panel, data) {
  const { decl } = panel;
  const list = decl.newest_first ? [...panel.rows].reverse() : panel.rows;
  const width = decl.columns.length + 1;
  const body = el("tbody");
  if (!list.length) body.append(el("tr", {}, el("td", { colspan: width, class: "empty", text: decl.empty })));
  for (const row of list) {
    const key = show(dig(row, decl.key));
    const open = panel.open.has(key);
    body.append(el("tr", { "data-key": key },
      ...decl.columns.map((c) => cell(show(dig(row, c.key)))),
      el("td", { class: "row-actions" },
        el("button", { type: "button", text: "JSON", "aria-label": `JSON of ${key}`, "aria-expanded": String(open),
          onclick: () => toggle(panel, key) }),
        ...decl.row_actions.map((action) => el("button", { type: "button", text: action.title,
          "aria-label": `${action.title} ${key}`, onclick: () => runRowAction(panel, action, row) })))));
    if (open) {
      body.append(el("tr", { class: "detail" }, el("td", { colspan: width },
        el("pre", { text: JSON.stringify(row, null, 2) }))));
    }
  }
  if (decl.paged) {
    const first = data.page * data.page_size;
    panel.count.textContent = data.total ? `${first + 1}–${first + panel.rows.length} of ${data.total}` : "0";
    panel.pager.hidden = data.total <= data.page_size;
    panel.previous.disabled = data.page === 0;
    panel.next.disabled = first + panel.rows.length >= data.total;
  } else {
    panel.count.textContent = String(panel.rows.length);
  }
  return body;
}

function toggle(panel, key) {
  if (!panel.open.delete(key)) panel.open.add(key);
  panel.stamp = null;
  refresh();
}

async function runRowAction(panel, action, row) {
  const path = action.path.replace(/\{([^}]+)\}/g,
    (_, name) => encodeURIComponent(name === "sid" ? state.sid : show(dig(row, name))));
  try {
    const answer = await api(action.method, path);
    panel.error.textContent = answer.ok ? "" : `${action.title}: ${answer.status} ${errorText(answer.data)}`;
  } catch (error) {
    panel.error.textContent = `${action.title}: no answer (${error.message})`;
  }
  refresh();
}

// ---- actions: one form renderer for every family's ------------------------------------------------------

function buildForm(action) {
  const form = el("form", { class: "action", "aria-label": action.title }, el("h3", { text: action.title }));
  for (const field of action.fields) form.append(buildField(field));
  const button = el("button", { type: "submit", text: action.title });
  const output = el("output", { "aria-live": "polite" });
  form.append(button, output);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    output.className = "";
    output.textContent = "Sending…";
    try {
      const { path, body } = requestOf(action, form);
      showAnswer(output, await api(action.method, path, body));
    } catch (error) {
      showAnswer(output, { ok: false, status: "no answer", data: error.message });
    } finally {
      button.disabled = false;
    }
    refresh();
  });
  return form;
}

function buildField(field) {
  const id = `field-${++ids}`;
  let input;
  if (["select", "boolean", "row"].includes(field.kind)) {
    input = el("select", { id, name: field.name, required: field.required });
    const choices = field.kind === "boolean" ? ["", "true", "false"] : field.choices;
    input.append(...choices.map((c) => el("option", { value: c, text: c === "" ? "(leave out)" : c })));
    if (field.kind === "row") state.rowFields.push({ field, input });
  } else {
    const number = field.kind === "number";
    input = el("input", { id, name: field.name, type: number ? "number" : "text", step: number ? "any" : null,
      required: field.required, placeholder: field.placeholder || null, value: field.value || null,
      autocomplete: "off" });
  }
  return el("div", { class: "field" }, el("label", { for: id, text: field.label }), input);
}

// a row field offers the rows its panel shows now, keeping the choice made if it is still there
function refreshChoices(panelId) {
  const panel = state.panels.get(panelId);
  for (const { field, input } of state.rowFields.filter((r) => r.field.rows === panelId)) {
    const column = field.column || panel.decl.key;
    const choices = new Map();
    for (const row of panel.rows) {
      const value = show(dig(row, column));
      if (!choices.has(value)) choices.set(value, show(dig(row, field.shown || column)));
    }
    const stamp = JSON.stringify([...choices]);
    if (input.dataset.choices === stamp) continue;
    input.dataset.choices = stamp;
    const chosen = input.value;
    input.replaceChildren(...(choices.size
      ? [...choices].map(([value, text]) => el("option", { value, text }))
      : [el("option", { value: "", text: `(no ${panel.decl.title.toLowerCase()})` })]));
    if (choices.has(chosen)) input.value = chosen;
  }
}

function convert(field, raw) {
  if (field.kind === "number") return Number.isFinite(Number(raw)) ? Number(raw) : raw; // the API says what is wrong
  if (field.kind === "boolean") return raw === "true";
  if (field.kind === "list") return raw.split(",").map((s) => s.trim()).filter(Boolean);
  return raw;
}

// the path with its placeholders filled, and the body: every field filled in, dotted names nested
function requestOf(action, form) {
  const values = { sid: state.sid };
  const body = {};
  let sent = false;
  for (const field of action.fields) {
    const raw = form.elements.namedItem(field.name).value.trim();
    if (action.path.includes(`{${field.name}}`)) {
      values[field.name] = raw;
    } else if (raw !== "") {
      const parts = field.name.split(".");
      const last = parts.pop();
      const parent = parts.reduce((object, part) => (object[part] ??= {}), body);
      parent[last] = convert(field, raw);
      sent = true;
    }
  }
  const hasBody = sent || action.fields.some((f) => !action.path.includes(`{${f.name}}`));
  return { path: fill(action.path, values), body: hasBody ? body : undefined };
}

function showAnswer(output, answer) {
  output.className = answer.ok ? "ok" : "error";
  output.replaceChildren(el("strong", { text: String(answer.status) }), " ",
    answer.ok ? "done" : errorText(answer.data));
  if (answer.ok && answer.data && typeof answer.data === "object") {
    output.append(el("pre", { text: JSON.stringify(answer.data, null, 2) }));
  }
}

// ---- views and the refresh loop -------------------------------------------------------------------------

function buildViews() {
  const nav = document.getElementById("views");
  const main = document.getElementById("main");
  for (const view of state.views) {
    nav.append(el("li", {}, el("a", { href: `#${view.id}`, id: `tab-${view.id}`, text: view.title })));
    const section = el("section", { class: "view", id: `view-${view.id}`, "aria-label": view.title, hidden: true },
      el("div", { class: "panels" }, ...view.panels.map(buildPanel)));
    if (view.actions.length) section.append(el("div", { class: "actions" }, ...view.actions.map(buildForm)));
    main.append(section);
  }
}

function showView() {
  const view = state.views.find((v) => v.id === location.hash.slice(1)) || state.views[0];
  for (const v of state.views) {
    document.getElementById(`view-${v.id}`).hidden = v !== view;
    const tab = document.getElementById(`tab-${v.id}`);
    if (v === view) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  state.view = view;
  document.title = `${view.title} · exotel-emulator`;
  refresh();
}

function drawAccounts(answer) {
  if (!answer.ok) return;
  const sids = answer.data.accounts.map((a) => a.sid);
  const select = document.getElementById("account");
  const stamp = JSON.stringify(sids);
  if (select.dataset.sids !== stamp) {
    select.dataset.sids = stamp;
    select.replaceChildren(...sids.map((sid) => el("option", { value: sid, text: sid })));
  }
  if (!sids.includes(state.sid)) { // a reset or a restored snapshot took it away
    state.sid = sids[0] || "";
    sessionStorage.setItem(ACCOUNT_KEY, state.sid);
  }
  select.value = state.sid;
}

// One refresh at a time; asked for while one runs, another follows it.
async function refresh() {
  if (state.busy) {
    state.again = true;
    return;
  }
  state.busy = true;
  try {
    do {
      state.again = false;
      const answers = new Map(); // each endpoint fetched once per refresh, however many panels show it
      const once = (path) => {
        if (!answers.has(path)) answers.set(path, api("GET", path));
        return answers.get(path);
      };
      drawAccounts(await once("/accounts"));
      await Promise.all(state.view.panels.map(async (decl) => {
        const panel = state.panels.get(decl.id);
        if (usesAccount(decl) && !state.sid) drawMessage(panel, "No account: create one on the Emulator tab.");
        else drawPanel(panel, await once(endpointOf(panel)));
      }));
      setStatus(`Updated ${new Date().toLocaleTimeString()}`);
    } while (state.again);
  } catch (error) {
    setStatus(`The emulator does not answer (${error.message}); trying again.`, true);
  } finally {
    state.busy = false;
  }
}

async function start() {
  try {
    const answer = await api("GET", "/ui/panels");
    if (!answer.ok) throw new Error(`${answer.status} ${errorText(answer.data)}`);
    state.views = answer.data.views;
  } catch (error) {
    setStatus(`The emulator does not answer (${error.message}); trying again.`, true);
    setTimeout(start, REFRESH_MS);
    return;
  }
  document.getElementById("account").addEventListener("change", (event) => {
    state.sid = event.target.value;
    sessionStorage.setItem(ACCOUNT_KEY, state.sid);
    for (const panel of state.panels.values()) panel.page = 0;
    refresh();
  });
  buildViews();
  window.addEventListener("hashchange", showView);
  document.addEventListener("visibilitychange", () => document.hidden || refresh());
  setInterval(() => document.hidden || asking || refresh(), REFRESH_MS);
  showView();
}

start();
