import { api, credential } from "./api.js";
import { clear, field, h, problem } from "./dom.js";
import * as sessions from "./sessions.js";
import * as messages from "./messages.js";
import * as queue from "./queue.js";
import * as keys from "./keys.js";
import * as webhooks from "./webhooks.js";
import * as campaigns from "./campaigns.js";

const pages = { sessions, messages, queue, keys, webhooks, campaigns };
const main = document.getElementById("main");
const nav = document.getElementById("nav");
const signOut = document.getElementById("sign-out");
let leave = null;
let generation = 0;

function signIn(reason) {
  generation++;
  if (leave) { leave(); leave = null; }
  nav.hidden = true;
  signOut.hidden = true;
  const input = h("input", { type: "password", name: "api-key", autocomplete: "off", required: true, spellcheck: "false" });
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card narrow", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title" }, "Sign in"),
    h("p", {}, "Use an API key of your account. It stays in this browser tab only and is forgotten when the tab closes."),
    field("API key", input),
    h("button", { type: "submit", class: "primary" }, "Sign in"),
    status);
  if (reason) status.append(problem(reason));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(status);
    credential.set(input.value.trim());
    try {
      await api("GET", "sessions", undefined, { quiet: true });
      route();
    } catch (error) {
      credential.clear();
      status.append(problem(error));
      input.focus();
    }
  });
  clear(main).append(form);
  input.focus();
}

async function route() {
  // A page still loading when the next one starts is left as soon as it is ready.
  const mine = ++generation;
  if (leave) { leave(); leave = null; }
  if (!credential.get()) { signIn(); return; }
  nav.hidden = false;
  signOut.hidden = false;
  const name = (location.hash.replace(/^#\/?/, "").split("/")[0]) || "sessions";
  const page = pages[name] ?? pages.sessions;
  for (const link of nav.querySelectorAll("a")) {
    if (link.getAttribute("href") === `#/${name}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  clear(main);
  const view = h("div");
  main.append(view);
  main.focus();
  try {
    const cleanup = await page.render(view) ?? null;
    if (mine === generation) leave = cleanup;
    else if (cleanup) cleanup();
  } catch (error) {
    if (mine === generation && error?.status !== 401) view.append(problem(error));
  }
}

// A key revoked or expired while the portal is open: back to sign-in, saying why.
window.addEventListener("portal:unauthorized", (event) => {
  credential.clear();
  signIn(event.detail);
});

signOut.addEventListener("click", () => {
  credential.clear();
  location.hash = "#/sessions";
  route();
});
window.addEventListener("hashchange", () => {
  // The skip link's #main is not a page.
  if (location.hash.startsWith("#/") || location.hash === "") route();
});
route();
