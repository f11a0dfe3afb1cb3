import { api } from "./api.js";
import { action, badge, clear, empty, field, h, problem, toast, when } from "./dom.js";

const statuses = ["", "scheduled", "queued", "sending", "sent", "delivered", "read", "failed", "cancelled"];

export async function render(main) {
  const status = h("select", { name: "status" }, statuses.map((s) => h("option", { value: s }, s || "any")));
  const recipient = h("input", { name: "recipient", type: "tel", placeholder: "+14155550123" });
  const from = h("input", { name: "from", type: "datetime-local" });
  const to = h("input", { name: "to", type: "datetime-local" });
  const filters = h("form", { class: "inline filters", role: "search" },
    field("Status", status), field("Recipient", recipient), field("From", from), field("To", to),
    h("button", { type: "submit" }, "Filter"));
  const rows = h("tbody");
  const table = h("table", {}, h("caption", { class: "sr-only" }, "Messages, newest first"),
    h("thead", {}, h("tr", {}, ["Queue id", "Recipient", "Type", "Priority", "Status", "Accepted"].map((t) => h("th", { scope: "col" }, t)))), rows);
  const more = h("div", { class: "actions" });
  const detail = h("section", { class: "card detail", "aria-live": "polite", hidden: true });
  const listStatus = h("div");

  const sendTo = h("input", { name: "send-recipient", type: "tel", required: true, placeholder: "+14155550123" });
  const sendText = h("textarea", { name: "send-text", required: true, rows: 2, maxlength: 4096 });
  const sendStatus = h("div", { "aria-live": "polite" });
  const send = h("form", { class: "inline" }, field("Recipient", sendTo), field("Text", sendText), h("button", { type: "submit", class: "primary" }, "Send"), sendStatus);
  send.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(sendStatus);
    try {
      const accepted = await api("POST", "send", { recipient: sendTo.value.trim(), text: sendText.value });
      sendText.value = "";
      toast(`Queued as ${accepted.queue_id}`);
      await load();
      await show(accepted.queue_id);
    } catch (error) {
      sendStatus.append(problem(error));
    }
  });

  main.append(h("div", { class: "page-head" }, h("h1", {}, "Messages"), h("p", {}, "What your keys sent, with each message's status history.")),
    h("section", { class: "card" }, h("h2", {}, "Send a text"), send),
    h("section", { class: "card" }, filters, listStatus, h("div", { class: "scroll" }, table), more), detail);

  function query(cursor) {
    const q = new URLSearchParams({ limit: "50" });
    if (status.value) q.set("status", status.value);
    if (recipient.value.trim()) q.set("recipient", recipient.value.trim());
    if (from.value) q.set("from", new Date(from.value).toISOString());
    if (to.value) q.set("to", new Date(to.value).toISOString());
    if (cursor) q.set("cursor", cursor);
    return `messages?${q}`;
  }

  async function load(cursor) {
    clear(listStatus);
    if (!cursor) clear(rows);
    clear(more);
    let page;
    try {
      page = await api("GET", query(cursor));
    } catch (error) {
      listStatus.append(problem(error));
      return;
    }
    for (const m of page.items) {
      rows.append(h("tr", { "data-queue-id": m.queue_id },
        h("td", {}, h("a", { href: `#/messages/${encodeURIComponent(m.queue_id)}`, onclick: (e) => { e.preventDefault(); show(m.queue_id); } }, h("code", {}, m.queue_id))),
        h("td", {}, m.recipient), h("td", {}, m.message_type), h("td", {}, m.priority_label),
        h("td", {}, badge(m.status)), h("td", {}, when(m.created_at))));
    }
    if (!rows.children.length) listStatus.append(empty("No messages match. Send one above or change the filters."));
    if (page.next_cursor) more.append(action("Load more", () => load(page.next_cursor)));
  }

  // An open message is followed until its status is final, and its row with it: every 2 s at
  // first, less often as it waits, for about a quarter of an hour at most (read receipts may be off).
  const final = new Set(["read", "failed", "cancelled"]);
  let follow = null;
  let following = null;
  let left = false;

  async function show(id, round = 0) {
    clearTimeout(follow);
    const mine = following = { id, round };
    detail.hidden = false;
    clear(detail);
    let m;
    try {
      m = await api("GET", `messages/${encodeURIComponent(id)}`);
    } catch (error) {
      detail.append(problem(error));
      return;
    }
    detail.append(
      h("header", {}, h("h2", {}, "Message ", h("code", {}, m.queue_id)), h("span", { class: "message-status" }, badge(m.status))),
      h("dl", {},
        h("dt", {}, "Recipient"), h("dd", {}, m.recipient),
        h("dt", {}, "Type"), h("dd", {}, m.message_type),
        h("dt", {}, "Attempts"), h("dd", {}, String(m.attempts)),
        h("dt", {}, "Scheduled"), h("dd", {}, when(m.scheduled_at)),
        m.failure_reason ? [h("dt", {}, "Failure"), h("dd", {}, m.failure_reason)] : null),
      h("h3", {}, "History"),
      h("ol", { class: "history" }, m.history.map((c) => h("li", {}, badge(c.status), " ", when(c.at), c.attempt ? ` · attempt ${c.attempt}` : "", c.detail ? ` · ${c.detail}` : ""))),
      h("div", { class: "actions" },
        ["queued", "scheduled"].includes(m.status) ? action("Cancel", async () => { await api("POST", `messages/${encodeURIComponent(id)}/cancel`); toast("Cancelled"); await show(id); await load(); }, { "data-confirm": "Cancel this message?" }) : null,
        m.status === "failed" ? action("Resend", async () => { await api("POST", `messages/${encodeURIComponent(id)}/resend`); toast("Queued again"); await show(id); await load(); }) : null,
        action("Refresh", async () => { await show(id); await load(); })));
    if (!final.has(m.status) && round < 40 && !left && following === mine) {
      const delay = m.status === "scheduled" ? 30000 : Math.min(2000 * 1.25 ** round, 30000);
      follow = setTimeout(async () => {
        if (left || following !== mine) return;
        await show(id, round + 1);
        await load();
      }, delay);
    }
  }

  filters.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  await load();
  const wanted = location.hash.split("/")[2];
  if (wanted) await show(decodeURIComponent(wanted));
  return () => { left = true; clearTimeout(follow); };
}
