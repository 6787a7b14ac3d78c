// minijira's page script: the little that every page does in the browser, in plain JavaScript
// so that a page without an island loads no WebAssembly at all.
//
// - local times: every <time data-local> is rewritten in the reader's time zone;
// - the live feed: one Server-Sent Events stream per visible page (/live) keeps the nav's
//   unread badge current, refreshes `data-live-refresh` regions when it moves, and hands the
//   open conversation's new messages to its island (`minijira:message` events, and
//   `window.minijiraInbox` for an island that wakes up after they came);
// - enhanced forms: a form that posts to a server function is sent with fetch; an error shows
//   inside the form (the values stay), success follows the server's redirect, refreshes the
//   form's region or reloads — the outcome of the server sending the browser back without
//   JavaScript — or, for a form with `data-on-success`, hands the answer to the page's island;
// - refresh: `data-swap` regions are replaced from a fresh copy of the page (search as you
//   type, drag-and-drop, the conversation list);
// - islands: the WebAssembly is fetched only when the page has an island (<leptos-island>).
// The page works without any of it.

const script = document.querySelector("script[data-wasm]");
window.minijiraInbox = [];

// ---- local times --------------------------------------------------------------------------

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const pad = (n) => String(n).padStart(2, "0");

/** The formats of `ui::TimeStyle`: "auto" (time today, else date and time), "day", "time". */
function localize(el) {
  const at = new Date(el.getAttribute("datetime"));
  if (Number.isNaN(at.getTime())) return;
  const hm = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  const date = `${MONTHS[at.getMonth()]} ${at.getDate()}`;
  const today = new Date().toDateString() === at.toDateString();
  const text = {
    time: hm,
    day: `${DAYS[at.getDay()]} ${date}, ${hm}`,
  }[el.dataset.local] ?? (today ? hm : `${date}, ${hm}`);
  // Only the text node: Leptos's hydration markers (comments) beside it stay.
  const node = [...el.childNodes].find((n) => n.nodeType === Node.TEXT_NODE);
  if (!node) el.prepend(text);
  else if (node.data !== text) node.data = text;
}

function localizeIn(node) {
  if (!(node instanceof Element)) return;
  if (node.matches("time[data-local]")) localize(node);
  node.querySelectorAll("time[data-local]").forEach(localize);
}

localizeIn(document.body);
new MutationObserver((changes) => {
  for (const change of changes) change.addedNodes.forEach(localizeIn);
}).observe(document.body, { childList: true, subtree: true });

// ---- refresh: swap `data-swap` regions from a fresh copy of the page ------------------------

let refreshing = null;
let again = false;

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
      for (const el of document.querySelectorAll("[data-swap]")) {
        const next = fresh.querySelector(`[data-swap="${CSS.escape(el.dataset.swap)}"]`);
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

for (const input of document.querySelectorAll("input[data-live-search]")) {
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const form = input.form;
      const params = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (v !== "") params.append(k, v);
      const query = params.toString();
      const path = new URL(form.action, location.href).pathname;
      history.replaceState(history.state, "", query ? `${path}?${query}` : path);
      refresh();
    }, 250);
  });
}

// ---- enhanced forms -----------------------------------------------------------------------

function clearErrors() {
  for (const old of document.querySelectorAll(".form-error[data-testid=form-error]")) {
    if (!old.closest("leptos-island")) old.remove();
  }
}

function showError(form, message) {
  clearErrors();
  const p = document.createElement("p");
  p.className = "form-error";
  p.setAttribute("role", "alert");
  p.setAttribute("data-testid", "form-error");
  p.textContent = message;
  const button = form.querySelector("button[type=submit], button:not([type])");
  if (button) button.before(p);
  else form.append(p);
}

document.addEventListener("submit", async (ev) => {
  const form = ev.target;
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
      body: new URLSearchParams(new FormData(form, ev.submitter)),
    });
  } catch {
    // Left as null: the message below.
  } finally {
    form.removeAttribute("aria-busy");
  }
  if (res && res.ok) {
    clearErrors();
    const to = res.headers.get("location");
    const event = form.dataset.onSuccess;
    if (to) {
      location.assign(to);
    } else if (event) {
      // The answer goes to the page's island (e.g. a sent message to its thread).
      const detail = await res.text();
      if (event === "minijira:message") window.minijiraInbox.push(detail);
      window.dispatchEvent(new CustomEvent(event, { detail }));
      form.reset();
    } else if (form.closest("[data-swap]")) {
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

const nav = document.querySelector("[data-testid=nav-messages]");
const signedIn = document.querySelector("[data-testid=nav-user]") !== null;
const conversation = document.querySelector("[data-conversation]");
// The live feed and the islands' code start once the page has painted, so that nothing they
// fetch competes with the first paint. A page that paints nothing (a hidden tab) gets them
// after a second.
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

let source = null;
let unread = null;
let after = conversation ? conversation.dataset.after : "";

function badge(n) {
  if (!nav) return;
  let b = nav.querySelector("[data-testid=nav-unread]");
  if (n > 0) {
    if (!b) {
      b = document.createElement("span");
      b.className = "badge-count";
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
    ? `/live?c=${encodeURIComponent(conversation.dataset.conversation)}&after=${encodeURIComponent(after)}`
    : "/live";
  source = new EventSource(url);
  source.addEventListener("unread", (e) => {
    const n = Number.parseInt(e.data, 10);
    if (Number.isNaN(n)) return;
    const moved = unread !== null && n !== unread;
    unread = n;
    badge(n);
    if (moved && document.querySelector("[data-live-refresh]")) refresh();
  });
  source.addEventListener("message", (e) => {
    let id;
    try {
      id = JSON.parse(e.data).id;
    } catch {
      return;
    }
    if (id > after) after = id;
    window.minijiraInbox.push(e.data);
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

async function hydrateIslands(mod) {
  const childrenCallbacks = [];
  async function walk(node) {
    const tag = node.tagName.toLowerCase();
    if (tag === "leptos-island") {
      const island = mod[node.dataset.component];
      if (island) {
        const cb = childrenCallbacks[childrenCallbacks.length - 1];
        if (cb) cb();
        await island(node);
      } else {
        console.warn(`no WebAssembly export for the island ${node.dataset.component}`);
      }
    } else if (tag === "leptos-children") {
      childrenCallbacks.push(node.$$on_hydrate);
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
    const mod = await import(script.dataset.js);
    await mod.default({ module_or_path: script.dataset.wasm });
    mod.hydrate();
    await hydrateIslands(mod);
  }
  // Lets tests (and anything else) wait until the page is interactive.
  document.body.dataset.hydrated = "true";
}

afterFirstPaint(islands);
