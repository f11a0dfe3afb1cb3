// Elements are built with text nodes only: names, numbers and message texts are user input and
// are never parsed as markup.

/** h("button", {class: "x", onclick: fn, "aria-label": "..."}, "text", child...) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "value") el.value = value;
    else if (name === "checked") el.checked = Boolean(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** A label wrapping its control, so every input has an accessible name. */
export function field(label, control, hint) {
  return h("label", { class: "field" }, h("span", {}, label), control, hint ? h("small", {}, hint) : null);
}

export function when(value) {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

export function badge(text, kind) {
  return h("span", { class: `badge ${kind ?? text ?? ""}` }, text ?? "—");
}

/** An error the API answered, shown with its message, code and hint. */
export function problem(error) {
  const code = error?.code ? ` (${error.code})` : "";
  return h("div", { class: "problem", role: "alert" },
    h("strong", {}, error?.message ?? String(error)), code,
    error?.hint ? h("p", {}, error.hint) : null);
}

export function empty(text, ...actions) {
  return h("div", { class: "empty" }, h("p", {}, text), actions);
}

/** A secret the API shows once (a new key, a webhook's signing secret), with a button to copy it. */
export function reveal(label, value, heading, note) {
  const box = h("input", { class: "secret", readonly: true, value, "aria-label": label });
  return h("div", { class: "reveal", role: "alert" },
    h("p", {}, h("strong", {}, heading), " ", note),
    h("div", { class: "inline" }, box, action("Copy", async () => {
      box.select();
      await navigator.clipboard.writeText(value).catch(() => document.execCommand("copy"));
      toast("Copied");
    })));
}

let toastTimer;
export function toast(text) {
  const el = document.getElementById("toast");
  el.textContent = text;
  el.classList.add("shown");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove("shown"), 4000);
}

/** A button that shows its work while the action runs and an error next to it if it fails. */
export function action(label, run, attrs = {}) {
  const button = h("button", { type: "button", ...attrs }, label);
  button.addEventListener("click", async () => {
    if (attrs["data-confirm"] && !window.confirm(attrs["data-confirm"])) return;
    if (button.nextElementSibling?.classList.contains("problem")) button.nextElementSibling.remove();
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      await run(button);
    } catch (error) {
      button.after(problem(error));
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  });
  return button;
}
