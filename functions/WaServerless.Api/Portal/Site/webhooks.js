import { api } from "./api.js";
import { action, badge, clear, empty, field, h, problem, reveal, toast, when } from "./dom.js";

const events = [
  ["message.status", "Message status (sent, delivered, read, failed)"],
  ["message.inbound", "Messages received"],
  ["session.state", "Session state (connected, logged out…)"],
  ["contact.consent", "Opt-in and opt-out"],
];

function revealSecret(where, secret, text) {
  where.append(reveal("Signing secret", secret, text, "Verify each delivery's signature with it; it is not shown again."));
}

export async function render(main) {
  const url = h("input", { name: "webhook-url", type: "url", required: true, placeholder: "https://example.com/whatsapp/events" });
  const description = h("input", { name: "webhook-description", maxlength: 200 });
  const boxes = events.map(([value, label]) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "webhook-event", value, checked: true }), label));
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", {},
    field("Endpoint URL", url, "https, on a public address."),
    field("Description", description),
    h("fieldset", {}, h("legend", {}, "Events"), boxes),
    h("button", { type: "submit", class: "primary" }, "Add webhook"));
  const list = h("div", { class: "stack" });
  main.append(h("div", { class: "page-head" }, h("h1", {}, "Webhooks"), h("p", {}, "Where events are delivered, signed with each endpoint's secret, and how those deliveries are going.")),
    h("section", { class: "card" }, form, status), list);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(status);
    const chosen = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    try {
      const created = await api("POST", "webhooks", { url: url.value.trim(), events: chosen.length === events.length ? ["*"] : chosen, ...(description.value.trim() ? { description: description.value.trim() } : {}) });
      url.value = "";
      description.value = "";
      if (created.secret) revealSecret(status, created.secret, "Webhook added. Its signing secret:");
      await load();
    } catch (error) {
      status.append(problem(error));
    }
  });

  async function load() {
    clear(list);
    const hooks = await api("GET", "webhooks");
    if (!hooks.length) { list.append(empty("No webhooks. Add an endpoint above to receive statuses and inbound messages as they happen.")); return; }
    for (const w of hooks) list.append(card(w));
  }

  function card(w) {
    const out = h("div", { "aria-live": "polite" });
    const health = w.consecutive_failures > 0
      ? h("p", { class: "warn" }, `${w.consecutive_failures} failed deliveries in a row${w.failing_since ? ` since ${when(w.failing_since)}` : ""}${w.last_error ? `: ${w.last_error}` : ""}`)
      : w.last_success_at ? h("p", { class: "ok" }, `Healthy: last delivered ${when(w.last_success_at)}`) : h("p", { class: "muted" }, "No deliveries yet");
    return h("article", { class: "card", "data-webhook": w.id, "aria-label": `Webhook ${w.url}` },
      h("header", {}, h("h2", { class: "url" }, w.url), badge(w.enabled ? "enabled" : "disabled")),
      w.description ? h("p", {}, w.description) : null,
      h("dl", {},
        h("dt", {}, "Events"), h("dd", {}, (w.events ?? []).join(", ") || "all"),
        h("dt", {}, "Last status"), h("dd", {}, w.last_status ?? "—"),
        w.pending_deliveries !== undefined && w.pending_deliveries !== null ? [h("dt", {}, "Waiting"), h("dd", {}, String(w.pending_deliveries))] : null,
        w.disabled_reason ? [h("dt", {}, "Disabled"), h("dd", {}, `${w.disabled_reason} (${when(w.disabled_at)})`)] : null),
      health,
      h("div", { class: "actions" },
        action("Send test", async () => {
          const r = await api("POST", `webhooks/${encodeURIComponent(w.id)}/test`);
          clear(out).append(h("p", { class: r.delivered ? "ok" : "warn" }, r.delivered ? `Delivered: HTTP ${r.status_code} in ${r.duration_ms} ms` : `Not delivered: ${r.status}${r.error ? ` (${r.error})` : ""}`));
        }, { "aria-label": `Send a test to ${w.url}` }),
        action("Rotate secret", async () => {
          const r = await api("POST", `webhooks/${encodeURIComponent(w.id)}/rotate-secret`);
          clear(out);
          revealSecret(out, r.secret, `New secret (the old one works until ${when(r.previous_secret_expires_at)}):`);
        }, { "data-confirm": "Rotate the signing secret?", "aria-label": `Rotate the secret of ${w.url}` }),
        action(w.enabled ? "Disable" : "Enable", async () => { await api("PATCH", `webhooks/${encodeURIComponent(w.id)}`, { enabled: !w.enabled }); await load(); }, { "aria-label": `${w.enabled ? "Disable" : "Enable"} ${w.url}` }),
        action("Delete", async () => { await api("DELETE", `webhooks/${encodeURIComponent(w.id)}`); toast("Webhook deleted"); await load(); }, { "data-confirm": `Delete the webhook to ${w.url}?`, class: "danger", "aria-label": `Delete ${w.url}` })),
      out);
  }

  try { await load(); } catch (error) { list.append(problem(error)); }
}
