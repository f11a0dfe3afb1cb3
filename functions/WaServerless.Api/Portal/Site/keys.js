import { api } from "./api.js";
import { action, badge, clear, empty, field, h, problem, reveal, toast, when } from "./dom.js";

export async function render(main) {
  const name = h("input", { name: "key-name", required: true, maxlength: 100, placeholder: "CRM integration" });
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "inline" }, field("New key name", name), h("button", { type: "submit", class: "primary" }, "Create key"));
  const list = h("div");
  main.append(h("div", { class: "page-head" }, h("h1", {}, "API keys"), h("p", {}, "Keys are stored only as salted hashes: a new key is shown once, here.")),
    h("section", { class: "card" }, form, status), list);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(status);
    try {
      const created = await api("POST", "keys", { name: name.value.trim() });
      name.value = "";
      status.append(reveal("The new key", created.key, "Copy this key now.", "It will not be shown again."));
      await load();
    } catch (error) {
      status.append(problem(error));
    }
  });

  async function load() {
    clear(list);
    const keys = await api("GET", "keys");
    if (!keys.length) { list.append(empty("No keys.")); return; }
    list.append(h("div", { class: "scroll" }, h("table", {},
      h("thead", {}, h("tr", {}, ["Name", "Starts with", "Status", "Created"].map((t) => h("th", { scope: "col" }, t)), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Actions")))),
      h("tbody", {}, keys.map((k) => h("tr", { "data-key-id": k.key_id },
        h("td", {}, k.name), h("td", {}, h("code", {}, `${k.prefix}…`)), h("td", {}, badge(k.status)), h("td", {}, when(k.created_at)),
        h("td", {}, k.status === "active"
          ? action("Revoke", async () => { await api("DELETE", `keys/${encodeURIComponent(k.key_id)}`); toast(`Revoked ${k.name}`); await load(); }, { "data-confirm": `Revoke ${k.name}? Calls with it will be refused at once.`, "aria-label": `Revoke ${k.name}` })
          : null)))))));
  }

  try { await load(); } catch (error) { list.append(problem(error)); }
}
