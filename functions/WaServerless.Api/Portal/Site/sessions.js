import { api, image, stream } from "./api.js";
import { action, badge, clear, empty, field, h, problem, toast, when } from "./dom.js";

const live = new Set(["created", "pairing", "disconnected"]);

export async function render(main) {
  const controllers = new Set();
  const list = h("div", { class: "grid" });
  const name = h("input", { name: "session-name", maxlength: 100, placeholder: "Shop phone" });
  const form = h("form", { class: "inline" },
    field("New session name", name),
    h("button", { type: "submit", class: "primary" }, "Create session"));
  const formStatus = h("div");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(formStatus);
    try {
      const created = await api("POST", "sessions", name.value.trim() ? { name: name.value.trim() } : {});
      name.value = "";
      toast(`Session ${created.name ?? created.id} created`);
      await load(created.id);
    } catch (error) {
      formStatus.append(problem(error));
    }
  });
  main.append(h("div", { class: "page-head" }, h("h1", {}, "Sessions"), h("p", {}, "Each session is one WhatsApp number. Link a phone by scanning its QR code with WhatsApp → Linked devices.")),
    h("section", { class: "card" }, form, formStatus), list);

  async function load(open) {
    const sessions = await api("GET", "sessions");
    for (const controller of controllers) controller.abort();
    controllers.clear();
    clear(list);
    if (!sessions.length) {
      list.append(empty("No sessions yet. Create one above, then scan its QR code with the phone you want to send from."));
      return;
    }
    // Each live QR holds a stream open, and a browser allows only a few connections per host: two
    // follow by themselves (and the one just asked for); the others wait for a click.
    let budget = 2;
    for (const session of sessions) {
      const watch = open === session.id || (live.has(session.state) && budget-- > 0);
      list.append(card(session, watch));
    }
  }

  function card(session, watch) {
    const state = h("span", { class: "state" }, badge(session.state));
    const phone = h("span", {}, session.phone ?? "not linked");
    const pairing = h("div", { class: "pairing" });
    const errors = h("div");
    const root = h("article", { class: "card session", "data-session": session.id, "aria-label": `Session ${session.name}` },
      h("header", {}, h("h2", {}, session.name), state),
      h("dl", {},
        h("dt", {}, "Id"), h("dd", {}, h("code", {}, session.id)),
        h("dt", {}, "Phone"), h("dd", {}, phone),
        h("dt", {}, "Engine"), h("dd", {}, session.engine ?? "—"),
        h("dt", {}, "Connected"), h("dd", {}, when(session.connected_at))),
      session.last_error ? h("p", { class: "muted" }, session.last_error) : null,
      pairing,
      h("div", { class: "actions" },
        action("Log out", async () => { await api("POST", `sessions/${encodeURIComponent(session.id)}/logout`); toast("Logged out"); await load(); }, { "data-confirm": `Log out ${session.name}? The phone will have to scan again.`, "aria-label": `Log out ${session.name}` }),
        action("Reconnect", async () => { await api("POST", `sessions/${encodeURIComponent(session.id)}/reconnect`); toast("Reconnecting"); await load(session.id); }, { "aria-label": `Reconnect ${session.name}` })),
      errors);

    if (session.state === "connected") {
      pairing.append(h("p", { class: "ok" }, `Connected as ${session.phone ?? "your phone"}.`));
      return root;
    }
    if (!watch) {
      if (live.has(session.state)) {
        pairing.append(action("Show QR code", () => { root.replaceWith(card(session, true)); }, { "aria-label": `Show the QR code of ${session.name}` }));
      }
      return root;
    }

    // The QR code and the state follow the session's event stream; the picture refreshes itself.
    const picture = h("img", { class: "qr", alt: `QR code to link ${session.name}`, width: 264, height: 264, hidden: true });
    const caption = h("p", { class: "muted", "aria-live": "polite" }, "Waiting for a QR code…");
    const phoneInput = h("input", { name: "pair-phone", type: "tel", inputmode: "tel", placeholder: "+14155550123", autocomplete: "tel" });
    const code = h("output", { class: "pair-code", "aria-live": "polite" });
    const pairForm = h("form", { class: "inline" }, field("Or link with a code sent to phone number", phoneInput), h("button", { type: "submit" }, "Get pair code"), code);
    pairForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      clear(code);
      try {
        const answer = await api("POST", `sessions/${encodeURIComponent(session.id)}/pair-code`, { phone: phoneInput.value.trim() });
        code.append(answer?.code ? h("strong", {}, answer.code) : "Requested: the code appears here when WhatsApp sends it.");
      } catch (error) {
        code.append(problem(error));
      }
    });
    pairing.append(h("div", { class: "qr-box" }, picture, caption), pairForm);

    let current = null;
    async function showQr() {
      try {
        const url = await image(`sessions/${encodeURIComponent(session.id)}/qr?format=png`);
        if (controller.signal.aborted) { URL.revokeObjectURL(url); return; }
        if (current) URL.revokeObjectURL(current);
        current = url;
        picture.src = url;
        picture.hidden = false;
        picture.dataset.refreshedAt = String(Date.now());
        caption.textContent = "Scan with WhatsApp → Linked devices → Link a device. The code refreshes by itself.";
      } catch (error) {
        picture.hidden = true;
        caption.textContent = error.code === "SESSION_NOT_PAIRING" ? "No QR code right now: the session is not pairing." : error.message;
      }
    }
    const controller = new AbortController();
    controllers.add(controller);
    showQr();
    const timer = setInterval(showQr, 20000);
    controller.signal.addEventListener("abort", () => {
      clearInterval(timer);
      if (current) URL.revokeObjectURL(current);
    });
    const onEvent = (event) => {
      if (event.event === "qr") { showQr(); return; }
      if (event.event === "pair_code" && event.data?.code) { clear(code).append(h("strong", {}, event.data.code)); return; }
      const next = event.data?.state;
      if (!next) return;
      clear(state).append(badge(next));
      if (event.data.phone) phone.textContent = event.data.phone;
      if (next === "connected") {
        controller.abort();
        clear(pairing).append(h("p", { class: "ok" }, `Connected as ${event.data.phone ?? "your phone"}.`));
        toast(`${session.name} is connected`);
      }
    };
    // The server ends a stream after a while: follow again until this card is left.
    (async () => {
      while (!controller.signal.aborted) {
        try {
          await stream(`sessions/${encodeURIComponent(session.id)}/events`, onEvent, controller.signal);
        } catch (error) {
          if (controller.signal.aborted) return;
          clear(errors).append(problem(error));
          if (error.status && error.status < 500) return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    return root;
  }

  await load();
  return () => { for (const controller of controllers) controller.abort(); };
}
