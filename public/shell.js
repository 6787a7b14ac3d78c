// @ts-check
// minijira's page script: the little that every page does in the browser, in plain JavaScript
// so that a page without an island loads no WebAssembly at all.
//
// Its behaviour hangs on `data-js-*` attributes only (test ids are for tests):
//
// - local times: every <time data-js-local> is rewritten in the reader's time zone;
// - the live feed: one Server-Sent Events stream per visible page (/live) keeps the unread
//   badge of `data-js-unread-badge` current, refreshes `data-js-live-refresh` regions when it moves, and hands the
//   open conversation's new messages to its island (`minijira:message` events, and
//   `window.minijiraInbox` for an island that wakes up after they came);
// - enhanced forms: a form that posts to a server function is sent with fetch; an error shows
//   inside the form (the values stay), success follows the server's redirect, refreshes the
//   form's region or reloads — the outcome of the server sending the browser back without
//   JavaScript — or, for a form with `data-js-on-success`, hands the answer to the page's island;
// - refresh: `data-js-swap` regions are replaced from a fresh copy of the page (search as you
//   type, drag-and-drop, the conversation list);
// - islands: the WebAssembly is fetched only when the page has an island (<leptos-island>).
// The page works without any of it. Checked by `tsc --noEmit` (tsconfig.json, `make lint`).

/**
 * @typedef {{ default: (init: { module_or_path: string }) => Promise<unknown>, hydrate: () => void }
 *   & Record<string, unknown>} WasmModule
 * @typedef {HTMLElement & { $$on_hydrate?: () => void }} LeptosChildren
 */

/** @type {HTMLScriptElement | null} */
const script = document.querySelector("script[data-js-wasm]");
/** Messages that came before the conversation's island woke up (it reads them then). */
const inbox = /** @type {string[]} */ ([]);
Object.assign(window, { minijiraInbox: inbox });

// ---- local times --------------------------------------------------------------------------

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
/** @param {number} n */
const pad = (n) => String(n).padStart(2, "0");

/**
 * The formats of `ui::TimeStyle`: "auto" (time today, else date and time), "day", "time".
 * @param {HTMLElement} el
 */
function localize(el) {
  const at = new Date(el.getAttribute("datetime") ?? "");
  if (Number.isNaN(at.getTime())) return;
  const hm = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  const date = `${MONTHS[at.getMonth()]} ${at.getDate()}`;
  const today = new Date().toDateString() === at.toDateString();
  /** @type {Record<string, string>} */
  const styles = { time: hm, day: `${DAYS[at.getDay()]} ${date}, ${hm}` };
  const text = styles[el.dataset.jsLocal ?? ""] ?? (today ? hm : `${date}, ${hm}`);
  // Only the text node: Leptos's hydration markers (comments) beside it stay.
  const node = [...el.childNodes].find((n) => n instanceof Text);
  if (!(node instanceof Text)) el.prepend(text);
  else if (node.data !== text) node.data = text;
}

/** @param {Node} node */
function localizeIn(node) {
  if (!(node instanceof HTMLElement)) return;
  if (node.matches("time[data-js-local]")) localize(node);
  node.querySelectorAll("time[data-js-local]").forEach((t) => localize(/** @type {HTMLElement} */ (t)));
}

localizeIn(document.body);
new MutationObserver((changes) => {
  for (const change of changes) change.addedNodes.forEach(localizeIn);
}).observe(document.body, { childList: true, subtree: true });

// ---- refresh: swap `data-js-swap` regions from a fresh copy of the page ---------------------

/** @type {Promise<void> | null} */
let refreshing = null;
let again = false;

/** Replaces every `data-js-swap` region from a fresh copy of the page (one fetch at a time). */
async function refresh() {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      const res = await fetch(location.href, { headers: { Accept: "text/html" } }).catch(() => null);
      if (!res || !res.ok || res.redirected) {
        location.reload();
        return;
      }
      const fresh = new DOMParser().parseFromString(await res.text(), "text/html");
      for (const el of document.querySelectorAll("[data-js-swap]")) {
        const name = el.getAttribute("data-js-swap") ?? "";
        const next = fresh.querySelector(`[data-js-swap="${CSS.escape(name)}"]`);
        if (next) el.replaceWith(next);
      }
    } while (again);
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

window.addEventListener("minijira:refresh", () => refresh());

// ---- search as you type -------------------------------------------------------------------

for (const input of document.querySelectorAll("input[data-js-live-search]")) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const form = /** @type {HTMLInputElement} */ (input).form;
      if (!form) return;
      const params = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (typeof v === "string" && v !== "") params.append(k, v);
      const query = params.toString();
      const path = new URL(form.action, location.href).pathname;
      history.replaceState(history.state, "", query ? `${path}?${query}` : path);
      refresh();
    }, 250);
  });
}

// ---- enhanced forms -----------------------------------------------------------------------

/** Removes the form errors shown (not those an island owns). */
function clearErrors() {
  for (const old of document.querySelectorAll("[data-js-form-error]")) {
    if (!old.closest("leptos-island")) old.remove();
  }
}

/**
 * @param {HTMLFormElement} form
 * @param {string} message
 */
function showError(form, message) {
  clearErrors();
  const p = document.createElement("p");
  p.className = "form-error";
  p.setAttribute("role", "alert");
  p.setAttribute("data-js-form-error", "");
  p.setAttribute("data-testid", "form-error");
  p.textContent = message;
  const button = form.querySelector("button[type=submit], button:not([type])");
  if (button) button.before(p);
  else form.append(p);
}

document.addEventListener("submit", async (ev) => {
  const form = ev.target;
  const submitter = /** @type {SubmitEvent} */ (ev).submitter;
  if (ev.defaultPrevented || !(form instanceof HTMLFormElement) || form.method !== "post") return;
  const action = new URL(form.action, location.href);
  if (action.origin !== location.origin || !action.pathname.startsWith("/api/")) return;
  ev.preventDefault();
  if (form.getAttribute("aria-busy") === "true") return;
  form.setAttribute("aria-busy", "true");
  let res = null;
  try {
    res = await fetch(action, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(
        /** @type {string[][]} */ ([...new FormData(form, submitter)].filter(([, v]) => typeof v === "string")),
      ),
    });
  } catch {
    // Left as null: the message below.
  } finally {
    form.removeAttribute("aria-busy");
  }
  if (res && res.ok) {
    clearErrors();
    const to = res.headers.get("location");
    const event = form.dataset.jsOnSuccess;
    if (to) {
      location.assign(to);
    } else if (event) {
      // The answer goes to the page's island (e.g. a sent message to its thread).
      const detail = await res.text();
      if (event === "minijira:message") inbox.push(detail);
      window.dispatchEvent(new CustomEvent(event, { detail }));
      form.reset();
    } else if (form.closest("[data-js-swap]")) {
      await refresh();
    } else {
      location.reload();
    }
    return;
  }
  const said = res && res.headers.get("x-error");
  showError(
    form,
    said
      ? decodeURIComponent(said)
      : res
        ? "Something went wrong. Please try again."
        : "Could not reach the server. Check your connection and try again.",
  );
});

// ---- the live feed ------------------------------------------------------------------------

const nav = document.querySelector("[data-js-unread-badge]");
const signedIn = document.querySelector("[data-js-signed-in]") !== null;
/** @type {HTMLElement | null} */
const conversation = document.querySelector("[data-js-conversation]");
// The live feed and the islands' code start once the page has painted, so that nothing they
// fetch competes with the first paint. A page that paints nothing (a hidden tab) gets them
// after a second.
/** @param {() => void} fn */
function afterFirstPaint(fn) {
  let done = false;
  const run = () => {
    if (!done) {
      done = true;
      fn();
    }
  };
  if (window.PerformanceObserver?.supportedEntryTypes?.includes("paint")) {
    new PerformanceObserver((list, observer) => {
      if (list.getEntriesByName("first-contentful-paint").length > 0) {
        observer.disconnect();
        run();
      }
    }).observe({ type: "paint", buffered: true });
    setTimeout(run, 1000);
  } else {
    requestAnimationFrame(() => setTimeout(run, 0));
  }
}

/** @type {EventSource | null} */
let source = null;
/** @type {number | null} */
let unread = null;
let after = conversation?.dataset.jsAfter ?? "";

/** Shows `n` unread messages on the nav (nothing for none). @param {number} n */
function badge(n) {
  if (!nav) return;
  let b = nav.querySelector("[data-js-unread]");
  if (n > 0) {
    if (!b) {
      b = document.createElement("span");
      b.className = "badge-count";
      b.setAttribute("data-js-unread", "");
      b.setAttribute("data-testid", "nav-unread");
      nav.append(" ", b);
    }
    b.textContent = String(n);
  } else if (b) {
    b.remove();
  }
}

function follow() {
  if (source || !signedIn || document.hidden) return;
  const url = conversation
    ? `/live?c=${encodeURIComponent(conversation.dataset.jsConversation ?? "")}&after=${encodeURIComponent(after)}`
    : "/live";
  source = new EventSource(url);
  source.addEventListener("unread", (e) => {
    const n = Number.parseInt(e.data, 10);
    if (Number.isNaN(n)) return;
    const moved = unread !== null && n !== unread;
    unread = n;
    badge(n);
    if (moved && document.querySelector("[data-js-live-refresh]")) refresh();
  });
  source.addEventListener("message", (e) => {
    let id;
    try {
      id = JSON.parse(e.data).id;
    } catch {
      return;
    }
    if (id > after) after = id;
    inbox.push(e.data);
    window.dispatchEvent(new CustomEvent("minijira:message", { detail: e.data }));
  });
}

// A hidden page holds no stream; it opens again, after the last message seen, when shown.
document.addEventListener("visibilitychange", () => {
  if (document.hidden) {
    source?.close();
    source = null;
  } else {
    follow();
  }
});
afterFirstPaint(follow);

// ---- islands ------------------------------------------------------------------------------
// The walk of Leptos 0.8's island_script.js (MIT): each <leptos-island> is hydrated by the
// module's export named in its data-component, parents before children.

/** @param {WasmModule} mod */
async function hydrateIslands(mod) {
  /** @type {(undefined | (() => void))[]} */
  const childrenCallbacks = [];
  /** @param {Element} node */
  async function walk(node) {
    const tag = node.tagName.toLowerCase();
    if (tag === "leptos-island" && node instanceof HTMLElement) {
      const island = mod[node.dataset.component ?? ""];
      if (typeof island === "function") {
        const cb = childrenCallbacks[childrenCallbacks.length - 1];
        if (cb) cb();
        await island(node);
      } else {
        console.warn(`no WebAssembly export for the island ${node.dataset.component}`);
      }
    } else if (tag === "leptos-children") {
      childrenCallbacks.push(/** @type {LeptosChildren} */ (node).$$on_hydrate);
      for (const child of node.children) await walk(child);
      childrenCallbacks.pop();
      return;
    }
    for (const child of node.children) await walk(child);
  }
  await walk(document.body);
}

async function islands() {
  if (script && document.querySelector("leptos-island")) {
    const mod = /** @type {WasmModule} */ (await import(script.dataset.jsModule ?? ""));
    await mod.default({ module_or_path: script.dataset.jsWasm ?? "" });
    mod.hydrate();
    await hydrateIslands(mod);
  }
  // Lets tests (and anything else) wait until the page is interactive.
  document.body.dataset.hydrated = "true";
}

afterFirstPaint(islands);
