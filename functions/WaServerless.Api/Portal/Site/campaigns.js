import { api } from "./api.js";
import { action, badge, clear, empty, h, problem, toast, when } from "./dom.js";

export async function render(main) {
  const list = h("div", { class: "grid" });
  main.append(h("div", { class: "page-head" }, h("h1", {}, "Bulk campaigns"), h("p", {}, "Campaigns started with POST /api/bulk, spaced out over time. Pause, resume or cancel them here.")),
    h("div", { class: "actions" }, action("Refresh", () => load())), list);

  async function load() {
    clear(list);
    let page;
    try {
      page = await api("GET", "bulk?limit=100");
    } catch (error) {
      list.append(problem(error));
      return;
    }
    if (!page.items.length) { list.append(empty("No campaigns yet. POST a list of recipients to /api/bulk to start one.")); return; }
    for (const c of page.items) {
      const p = c.progress ?? {};
      // Released or skipped: what is no longer waiting. The list carries no per-status counts.
      const total = p.total ?? 0;
      const done = Math.max(total - (p.pending ?? 0), 0);
      const control = (verb, label, attrs) => action(label, async () => { await api("POST", `bulk/${encodeURIComponent(c.id)}/${verb}`); toast(`${c.name}: ${{ pause: "paused", resume: "resumed", cancel: "cancelled" }[verb]}`); await load(); }, { "aria-label": `${label} ${c.name}`, ...attrs });
      list.append(h("article", { class: "card", "data-campaign": c.id, "aria-label": `Campaign ${c.name}` },
        h("header", {}, h("h2", {}, c.name), badge(c.status)),
        h("progress", { max: Math.max(total, 1), value: done, "aria-label": `${done} of ${total} released` }),
        h("p", {}, `${done} of ${total} released · ${p.pending ?? 0} waiting${p.skipped ? ` · ${p.skipped} skipped` : ""}`),
        h("p", { class: "muted" }, `Created ${when(c.created_at)}${p.next_release_at ? ` · next send ${when(p.next_release_at)}` : ""}${c.status_reason ? ` · ${c.status_reason}` : ""}`),
        h("div", { class: "actions" },
          c.status === "running" ? control("pause", "Pause") : null,
          c.status === "paused" ? control("resume", "Resume") : null,
          ["running", "paused", "preparing"].includes(c.status) ? control("cancel", "Cancel", { "data-confirm": `Cancel ${c.name}? Messages not yet released are dropped.`, class: "danger" }) : null)));
    }
  }

  await load();
  const timer = setInterval(load, 15000);
  return () => clearInterval(timer);
}
