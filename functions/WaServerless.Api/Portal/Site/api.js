// The public API, called with the key the customer signed in with. The key lives in this tab's
// session storage and travels only in the X-API-Key header, never in a URL.

const storageName = "waserverless.apiKey";

export const credential = {
  get: () => sessionStorage.getItem(storageName),
  set: (key) => sessionStorage.setItem(storageName, key),
  clear: () => sessionStorage.removeItem(storageName),
};

export class ApiError extends Error {
  constructor(status, code, message, hint) {
    super(message);
    this.status = status;
    this.code = code;
    this.hint = hint;
  }
}

function headers(extra) {
  const key = credential.get();
  return { Accept: "application/json", ...(key ? { "X-API-Key": key } : {}), ...extra };
}

async function failure(response) {
  let body = null;
  try { body = await response.json(); } catch { /* not JSON */ }
  const message = body?.error ?? body?.message ?? `${response.status} ${response.statusText}`;
  return new ApiError(response.status, body?.error_code ?? null, typeof message === "string" ? message : JSON.stringify(message), body?.hint ?? null);
}

/** Calls /api/{path}; answers the envelope's data (or the body), throws ApiError with the API's message. */
export async function api(method, path, body, { quiet = false } = {}) {
  const init = { method, headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }) };
  if (body !== undefined) init.body = JSON.stringify(body);
  let response;
  try {
    response = await fetch(`/api/${path}`, init);
  } catch {
    throw new ApiError(0, "NETWORK", "The API could not be reached. Check your connection and try again.");
  }
  if (!response.ok) {
    const error = await failure(response);
    // The key no longer works (unknown, or revoked since sign-in): back to sign-in.
    const signedOut = response.status === 401 || error.code === "KEY_INACTIVE";
    if (signedOut && !quiet && credential.get()) window.dispatchEvent(new CustomEvent("portal:unauthorized", { detail: error }));
    throw error;
  }
  if (response.status === 204) return null;
  const json = await response.json();
  return json && typeof json === "object" && "data" in json ? json.data : json;
}

/** A PNG the API serves (the session's QR code), as an object URL the page may show. */
export async function image(path) {
  const response = await fetch(`/api/${path}`, { headers: headers({ Accept: "image/png" }) });
  if (!response.ok) throw await failure(response);
  return URL.createObjectURL(await response.blob());
}

/**
 * A Server-Sent Events stream read with fetch (EventSource cannot send the key header):
 * calls onEvent({event, id, data}) for each event until the signal aborts or the stream ends.
 */
export async function stream(path, onEvent, signal) {
  const response = await fetch(`/api/${path}`, { headers: headers({ Accept: "text/event-stream" }), signal });
  if (!response.ok) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = { event: "message", id: null, data: "" };
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        if (colon === 0) continue;
        const name = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (name === "event") event.event = text;
        else if (name === "id") event.id = text;
        else if (name === "data") event.data += (event.data ? "\n" : "") + text;
      }
      let data = null;
      try { data = event.data ? JSON.parse(event.data) : null; } catch { data = event.data; }
      onEvent({ ...event, data });
    }
  }
}
