import { api } from "./api.js";
import { action, badge, clear, empty, h, problem, when } from "./dom.js";

// Priorities share lanes: an OTP never waits behind a campaign.
const lanes = [
  { name: "OTP", labels: ["otp"] },
  { name: "High", labels: ["urgent", "high"] },
  { name: "Normal", labels: ["normal"] },
  { name: "Bulk", labels: ["bulk", "low"] },
];
const waiting = ["sending", "queued", "scheduled"];

export async function render(main) {
  const board = h("div", { class: "grid lanes" });
  const status = h("div");
  main.append(h("div", { class: "page-head" }, h("h1", {}, "Queue"), h("p", {}, "Messages not sent yet, by lane: sending now, queued, and scheduled for later.")),
    h("div", { class: "actions" }, action("Refresh", () => load())), status, board);

  async function load() {
    clear(status);
    clear(board);
    let found;
    try {
      found = await Promise.all(waiting.map((s) => api("GET", `messages?status=${s}&limit=200`)));
    } catch (error) {
      status.append(problem(error));
      return;
    }
    const items = found.flatMap((page) => page.items);
    if (!items.length) {
      status.append(empty("Nothing is waiting: every message accepted has been sent."));
    }
    for (const lane of lanes) {
      const mine = items.filter((m) => lane.labels.includes(m.priority_label));
      board.append(h("section", { class: "card lane", "aria-label": `${lane.name} lane` },
        h("header", {}, h("h2", {}, lane.name), h("span", { class: "count" }, String(mine.length))),
        h("p", { class: "muted" }, waiting.map((s) => `${mine.filter((m) => m.status === s).length} ${s}`).join(" · ")),
        mine.length
          ? h("ul", { class: "plain" }, mine.slice(0, 50).map((m) => h("li", {},
              badge(m.status), " ", h("a", { href: `#/messages/${encodeURIComponent(m.queue_id)}` }, m.recipient),
              m.scheduled_at ? h("small", {}, ` at ${when(m.scheduled_at)}`) : null)))
          : h("p", { class: "muted" }, "Empty")));
    }
  }

  await load();
  const timer = setInterval(load, 10000);
  return () => clearInterval(timer);
}
