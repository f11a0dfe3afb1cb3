using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using WaServerless.Api.Accounts;
using WaServerless.Api.Auth;
using WaServerless.Api.Bulk;
using WaServerless.Api.Compat.SmartWats;
using WaServerless.Api.Compat.SmsGlobal;
using WaServerless.Api.Compat.SmsMobileApi;
using WaServerless.Api.Compat.V1;
using WaServerless.Api.Consent;
using WaServerless.Api.Http;
using WaServerless.Api.Inbound;
using WaServerless.Api.Lookups;
using WaServerless.Api.Messages;
using WaServerless.Api.OpenApi;
using WaServerless.Api.Portal;
using WaServerless.Api.Sessions;
using WaServerless.Api.Sending;
using WaServerless.Api.Webhooks;
using WaServerless.Core.Accounts;
using WaServerless.Core.Errors;
using WaServerless.Workflows;

namespace WaServerless.Api;

/// <summary>
/// The routes, in one place. The devhost maps them here; the Functions app has one thin [Function]
/// per route with the same template (a test checks the two lists agree).
/// </summary>
public static class ApiEndpoints
{
    public const string Prefix = "api";

    public static readonly IReadOnlyList<(string Method, string Route)> Routes =
    [
        ("POST", "send"),
        ("GET", "messages"),
        ("GET", "messages/{queueId}"),
        ("POST", "messages/{queueId}/cancel"),
        ("POST", "messages/{queueId}/resend"),
        ("GET", "inbound"),
        ("GET", "inbound/{messageId}"),
        ("POST", "accounts"),
        ("GET", "accounts"),
        ("POST", "accounts/{accountId}/suspend"),
        ("POST", "accounts/{accountId}/activate"),
        ("POST", "accounts/{accountId}/keys"),
        ("GET", "accounts/{accountId}/keys"),
        ("GET", "keys"),
        ("POST", "keys"),
        ("DELETE", "keys/{keyId}"),
        ("GET", "openapi.json"),
        ("POST", "sessions"),
        ("GET", "sessions"),
        ("GET", "sessions/{sessionId}"),
        ("GET", "sessions/{sessionId}/qr"),
        ("POST", "sessions/{sessionId}/pair-code"),
        ("POST", "sessions/{sessionId}/logout"),
        ("POST", "sessions/{sessionId}/reconnect"),
        ("DELETE", "sessions/{sessionId}"),
        ("GET", "sessions/{sessionId}/events"),
        ("POST", "bulk"),
        ("GET", "bulk"),
        ("GET", "bulk/{campaignId}"),
        ("POST", "bulk/{campaignId}/pause"),
        ("POST", "bulk/{campaignId}/resume"),
        ("POST", "bulk/{campaignId}/cancel"),
        ("POST", "webhooks"),
        ("GET", "webhooks"),
        ("GET", "webhooks/{webhookId}"),
        ("PATCH", "webhooks/{webhookId}"),
        ("DELETE", "webhooks/{webhookId}"),
        ("POST", "webhooks/{webhookId}/rotate-secret"),
        ("POST", "webhooks/{webhookId}/test"),
        ("GET", "optin"),
        ("POST", "optin"),
        ("DELETE", "optin/{number}"),
        ("POST", "oauth2/token"),
        ("POST", "oauth2/clients"),
        ("GET", "oauth2/clients"),
        ("DELETE", "oauth2/clients/{clientId}"),
        ("GET", "groups"),
        ("GET", "contacts/check"),
        ("POST", "contacts/check"),
        ("GET", "smsmobileapi/sendsms"),
        ("POST", "smsmobileapi/sendsms"),
        ("GET", "smsmobileapi/resendwa"),
        ("POST", "smsmobileapi/resendwa"),
        ("GET", "smsmobileapi/getwa/synchronisation"),
        ("GET", "smsmobileapi/getwa"),
        ("POST", "smsmobileapi/oauth2/token"),
        ("POST", "v1/sessions"),
        ("GET", "v1/sessions"),
        ("GET", "v1/sessions/{id}"),
        ("PATCH", "v1/sessions/{id}"),
        ("DELETE", "v1/sessions/{id}"),
        ("GET", "v1/sessions/{id}/stream"),
        ("POST", "v1/messages"),
        ("POST", "v1/messages/media"),
        ("POST", "v1/messages/audio"),
        ("GET", "v1/messages"),
        ("GET", "v1/messages/{id}"),
        ("POST", "v1/keys"),
        ("GET", "v1/keys"),
        ("DELETE", "v1/keys/{id}"),
        ("POST", "smartwats/create_instance"),
        ("GET", "smartwats/get_qrcode"),
        ("GET", "smartwats/get_paircode"),
        ("POST", "smartwats/logout"),
        ("POST", "smartwats/set_webhook"),
        ("POST", "smartwats/send"),
        ("POST", "smartwats/send_location"),
        ("POST", "smartwats/send_contact"),
        ("POST", "smartwats/send_audio"),
        ("POST", "smartwats/send_album"),
        ("POST", "smartwats/send_carousel"),
        ("GET", "smartwats/get_groups"),
        ("POST", "smartwats/send_group"),
        ("GET", "smartwats/check_phone"),
        ("POST", "smartwats/check_phones_batch"),
        ("POST", "smsglobal/keys"),
        ("GET", "smsglobal/keys"),
        ("DELETE", "smsglobal/keys/{id}"),
        ("POST", "smsglobal/v2/whatsapp"),
        ("GET", "smsglobal/v2/whatsapp"),
        ("GET", "smsglobal/v2/whatsapp/{id}"),
        ("GET", "smsglobal/v2/whatsapp-incoming"),
        ("GET", "smsglobal/v2/whatsapp-incoming/{id}"),
        ("POST", "smsglobal/v2/whatsapp/capability"),
        ("GET", "smsglobal/v2/whatsapp/opt-in"),
        ("POST", "smsglobal/v2/whatsapp/opt-in"),
    ];

    /// <summary>The routes not for an account's key (<see cref="RouteAccess.Key"/>, every other route).</summary>
    private static readonly Dictionary<(string Method, string Route), RouteAccess> NotForKeys = new()
    {
        [("POST", "accounts")] = RouteAccess.Admin,
        [("GET", "accounts")] = RouteAccess.Admin,
        [("POST", "accounts/{accountId}/suspend")] = RouteAccess.Admin,
        [("POST", "accounts/{accountId}/activate")] = RouteAccess.Admin,
        [("POST", "accounts/{accountId}/keys")] = RouteAccess.Admin,
        [("GET", "accounts/{accountId}/keys")] = RouteAccess.Admin,
        [("DELETE", "keys/{keyId}")] = RouteAccess.KeyOrAdmin,
        [("GET", "openapi.json")] = RouteAccess.Public,
        [("POST", "oauth2/token")] = RouteAccess.Public,
        [("GET", "smsmobileapi/sendsms")] = RouteAccess.KeyOrQueryKey,
        [("POST", "smsmobileapi/sendsms")] = RouteAccess.KeyOrQueryKey,
        [("GET", "smsmobileapi/resendwa")] = RouteAccess.KeyOrQueryKey,
        [("POST", "smsmobileapi/resendwa")] = RouteAccess.KeyOrQueryKey,
        [("GET", "smsmobileapi/getwa/synchronisation")] = RouteAccess.KeyOrQueryKey,
        [("GET", "smsmobileapi/getwa")] = RouteAccess.KeyOrQueryKey,
        [("POST", "smsmobileapi/oauth2/token")] = RouteAccess.Public,
        [("POST", "smartwats/create_instance")] = RouteAccess.KeyOrAccessToken,
        [("GET", "smartwats/get_qrcode")] = RouteAccess.KeyOrAccessToken,
        [("GET", "smartwats/get_paircode")] = RouteAccess.KeyOrAccessToken,
        [("POST", "smartwats/logout")] = RouteAccess.KeyOrAccessToken,
        [("POST", "smartwats/set_webhook")] = RouteAccess.KeyOrAccessToken,
        [("POST", "smartwats/send")] = RouteAccess.KeyOrAccessToken,
        [("POST", "smartwats/send_location")] = RouteAccess.KeyOrAccessToken,
        [("POST", "smartwats/send_contact")] = RouteAccess.KeyOrAccessToken,
        [("POST", "smartwats/send_audio")] = RouteAccess.KeyOrAccessToken,
        [("POST", "smartwats/send_album")] = RouteAccess.KeyOrAccessToken,
        [("POST", "smartwats/send_carousel")] = RouteAccess.KeyOrAccessToken,
        [("GET", "smartwats/get_groups")] = RouteAccess.KeyOrAccessToken,
        [("POST", "smartwats/send_group")] = RouteAccess.KeyOrAccessToken,
        [("GET", "smartwats/check_phone")] = RouteAccess.KeyOrAccessToken,
        [("POST", "smartwats/check_phones_batch")] = RouteAccess.KeyOrAccessToken,
        [("POST", "smsglobal/v2/whatsapp")] = RouteAccess.KeyOrMac,
        [("GET", "smsglobal/v2/whatsapp")] = RouteAccess.KeyOrMac,
        [("GET", "smsglobal/v2/whatsapp/{id}")] = RouteAccess.KeyOrMac,
        [("GET", "smsglobal/v2/whatsapp-incoming")] = RouteAccess.KeyOrMac,
        [("GET", "smsglobal/v2/whatsapp-incoming/{id}")] = RouteAccess.KeyOrMac,
        [("POST", "smsglobal/v2/whatsapp/capability")] = RouteAccess.KeyOrMac,
        [("GET", "smsglobal/v2/whatsapp/opt-in")] = RouteAccess.KeyOrMac,
        [("POST", "smsglobal/v2/whatsapp/opt-in")] = RouteAccess.KeyOrMac,
    };

    public static RouteAccess AccessOf((string Method, string Route) route) =>
        NotForKeys.TryGetValue(route, out var access) ? access : RouteAccess.Key;

    /// <summary>
    /// The route a request is for: its method and the template its path under /api/ fits (a
    /// "{name}" segment fits any one non-empty segment; literal segments win over names); null for
    /// a path outside the API or no route.
    /// </summary>
    public static (string Method, string Route)? Match(string method, PathString path)
    {
        const string Root = "/" + Prefix + "/";
        var text = path.Value;
        if (text is null || !text.StartsWith(Root, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var segments = text[Root.Length..].TrimEnd('/').Split('/');
        (string Method, string Route)? best = null;
        var bestLiterals = -1;
        foreach (var route in Routes)
        {
            if (!string.Equals(route.Method, method, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var template = route.Route.Split('/');
            if (template.Length != segments.Length)
            {
                continue;
            }

            var literals = 0;
            var fits = true;
            for (var i = 0; i < template.Length && fits; i++)
            {
                if (template[i].StartsWith('{'))
                {
                    fits = segments[i].Length > 0;
                }
                else
                {
                    fits = string.Equals(template[i], segments[i], StringComparison.OrdinalIgnoreCase);
                    literals++;
                }
            }

            if (fits && literals > bestLiterals)
            {
                (best, bestLiterals) = (route, literals);
            }
        }

        return best;
    }

    public static IEndpointRouteBuilder MapWaServerlessApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/" + Prefix);
        api.AddEndpointFilter(RequestDeadline.FilterAsync);
        api.AddEndpointFilter(ApiErrorHandling.FilterAsync); // inside the deadline: a cancelled request stays the deadline's to answer
        api.AddEndpointFilter(CallerGate.FilterAsync); // inside the error handling: a refused credential is answered like any refusal
        api.MapPost("/send", (HttpContext c, SendHandler h) => Execute(c, h.HandleAsync(c.Request, c.RequestAborted)));
        api.MapGet("/messages", (HttpContext c, MessagesHandler h) => Execute(c, h.ListAsync(c.Request, c.RequestAborted)));
        api.MapPost("/messages/{queueId}/resend", (HttpContext c, string queueId, MessagesHandler h) => Execute(c, h.ResendAsync(c.Request, queueId, c.RequestAborted)));
        api.MapPost("/messages/{queueId}/cancel", (HttpContext c, string queueId, MessagesHandler h, [FromServices] IWorkflowClient workflows) => Execute(c, h.CancelAsync(c.Request, queueId, workflows, c.RequestAborted)));
        api.MapGet("/messages/{queueId}", (HttpContext c, string queueId, MessagesHandler h) => Execute(c, h.GetAsync(c.Request, queueId, c.RequestAborted)));
        api.MapGet("/inbound", (HttpContext c, InboundHandler h) => Execute(c, h.ListAsync(c.Request, c.RequestAborted)));
        api.MapGet("/inbound/{messageId}", (HttpContext c, string messageId, InboundHandler h) => Execute(c, h.GetAsync(c.Request, messageId, c.RequestAborted)));
        api.MapPost("/accounts", (HttpContext c, AccountsHandler h) => Execute(c, h.CreateAccountAsync(c.Request, c.RequestAborted)));
        api.MapGet("/accounts", (HttpContext c, AccountsHandler h) => Execute(c, h.ListAccountsAsync(c.Request, c.RequestAborted)));
        api.MapPost("/accounts/{accountId}/suspend", (HttpContext c, string accountId, AccountsHandler h) => Execute(c, h.SetAccountStatusAsync(c.Request, accountId, AccountStatus.Suspended, c.RequestAborted)));
        api.MapPost("/accounts/{accountId}/activate", (HttpContext c, string accountId, AccountsHandler h) => Execute(c, h.SetAccountStatusAsync(c.Request, accountId, AccountStatus.Active, c.RequestAborted)));
        api.MapPost("/accounts/{accountId}/keys", (HttpContext c, string accountId, AccountsHandler h) => Execute(c, h.CreateKeyAsync(c.Request, accountId, c.RequestAborted)));
        api.MapGet("/accounts/{accountId}/keys", (HttpContext c, string accountId, AccountsHandler h) => Execute(c, h.ListKeysAsync(c.Request, accountId, c.RequestAborted)));
        api.MapGet("/keys", (HttpContext c, AccountsHandler h) => Execute(c, h.ListKeysAsync(c.Request, null, c.RequestAborted)));
        api.MapPost("/keys", (HttpContext c, AccountsHandler h) => Execute(c, h.CreateKeyAsync(c.Request, null, c.RequestAborted)));
        api.MapDelete("/keys/{keyId}", (HttpContext c, string keyId, AccountsHandler h) => Execute(c, h.RevokeKeyAsync(c.Request, keyId, c.RequestAborted)));
        api.MapPost("/sessions", (HttpContext c, SessionsHandler h) => Execute(c, h.CreateAsync(c.Request, c.RequestAborted)));
        api.MapGet("/sessions", (HttpContext c, SessionsHandler h) => Execute(c, h.ListAsync(c.Request, c.RequestAborted)));
        api.MapGet("/sessions/{sessionId}", (HttpContext c, string sessionId, SessionsHandler h) => Execute(c, h.GetAsync(c.Request, sessionId, c.RequestAborted)));
        api.MapGet("/sessions/{sessionId}/qr", (HttpContext c, string sessionId, SessionsHandler h) => Execute(c, h.QrAsync(c.Request, sessionId, c.RequestAborted)));
        api.MapPost("/sessions/{sessionId}/pair-code", (HttpContext c, string sessionId, SessionsHandler h) => Execute(c, h.PairCodeAsync(c.Request, sessionId, c.RequestAborted)));
        api.MapPost("/sessions/{sessionId}/logout", (HttpContext c, string sessionId, SessionsHandler h) => Execute(c, h.LogoutAsync(c.Request, sessionId, c.RequestAborted)));
        api.MapPost("/sessions/{sessionId}/reconnect", (HttpContext c, string sessionId, SessionsHandler h) => Execute(c, h.ReconnectAsync(c.Request, sessionId, c.RequestAborted)));
        api.MapDelete("/sessions/{sessionId}", (HttpContext c, string sessionId, SessionsHandler h) => Execute(c, h.DeleteAsync(c.Request, sessionId, c.RequestAborted)));
        api.MapGet("/sessions/{sessionId}/events", (HttpContext c, string sessionId, SessionsHandler h) => Execute(c, h.EventsAsync(c.Request, sessionId, c.RequestAborted)));
        api.MapPost("/bulk", (HttpContext c, BulkHandler h, [FromServices] IWorkflowClient w) => Execute(c, h.CreateAsync(c.Request, w, c.RequestAborted)));
        api.MapGet("/bulk", (HttpContext c, BulkHandler h) => Execute(c, h.ListAsync(c.Request, c.RequestAborted)));
        api.MapGet("/bulk/{campaignId}", (HttpContext c, string campaignId, BulkHandler h) => Execute(c, h.GetAsync(c.Request, campaignId, c.RequestAborted)));
        api.MapPost("/bulk/{campaignId}/pause", (HttpContext c, string campaignId, BulkHandler h, [FromServices] IWorkflowClient w) => Execute(c, h.PauseAsync(c.Request, campaignId, w, c.RequestAborted)));
        api.MapPost("/bulk/{campaignId}/resume", (HttpContext c, string campaignId, BulkHandler h, [FromServices] IWorkflowClient w) => Execute(c, h.ResumeAsync(c.Request, campaignId, w, c.RequestAborted)));
        api.MapPost("/bulk/{campaignId}/cancel", (HttpContext c, string campaignId, BulkHandler h, [FromServices] IWorkflowClient w) => Execute(c, h.CancelAsync(c.Request, campaignId, w, c.RequestAborted)));
        api.MapPost("/webhooks", (HttpContext c, WebhooksHandler h) => Execute(c, h.CreateAsync(c.Request, c.RequestAborted)));
        api.MapGet("/webhooks", (HttpContext c, WebhooksHandler h) => Execute(c, h.ListAsync(c.Request, c.RequestAborted)));
        api.MapGet("/webhooks/{webhookId}", (HttpContext c, string webhookId, WebhooksHandler h) => Execute(c, h.GetAsync(c.Request, webhookId, c.RequestAborted)));
        api.MapPatch("/webhooks/{webhookId}", (HttpContext c, string webhookId, WebhooksHandler h) => Execute(c, h.UpdateAsync(c.Request, webhookId, c.RequestAborted)));
        api.MapDelete("/webhooks/{webhookId}", (HttpContext c, string webhookId, WebhooksHandler h) => Execute(c, h.DeleteAsync(c.Request, webhookId, c.RequestAborted)));
        api.MapPost("/webhooks/{webhookId}/rotate-secret", (HttpContext c, string webhookId, WebhooksHandler h) => Execute(c, h.RotateSecretAsync(c.Request, webhookId, c.RequestAborted)));
        api.MapPost("/webhooks/{webhookId}/test", (HttpContext c, string webhookId, WebhooksHandler h) => Execute(c, h.TestAsync(c.Request, webhookId, c.RequestAborted)));
        api.MapGet("/optin", (HttpContext c, ConsentHandler h) => Execute(c, h.ListAsync(c.Request, c.RequestAborted)));
        api.MapPost("/optin", (HttpContext c, ConsentHandler h) => Execute(c, h.AddAsync(c.Request, c.RequestAborted)));
        api.MapDelete("/optin/{number}", (HttpContext c, string number, ConsentHandler h) => Execute(c, h.RemoveAsync(c.Request, number, c.RequestAborted)));
        api.MapPost("/oauth2/token", (HttpContext c, OAuthHandler h) => Execute(c, h.TokenAsync(c.Request, c.RequestAborted)));
        api.MapPost("/oauth2/clients", (HttpContext c, OAuthHandler h) => Execute(c, h.CreateClientAsync(c.Request, c.RequestAborted)));
        api.MapGet("/oauth2/clients", (HttpContext c, OAuthHandler h) => Execute(c, h.ListClientsAsync(c.Request, c.RequestAborted)));
        api.MapDelete("/oauth2/clients/{clientId}", (HttpContext c, string clientId, OAuthHandler h) => Execute(c, h.RevokeClientAsync(c.Request, clientId, c.RequestAborted)));
        api.MapGet("/groups", (HttpContext c, GroupsHandler h) => Execute(c, h.ListAsync(c.Request, c.RequestAborted)));
        api.MapGet("/contacts/check", (HttpContext c, NumberChecksHandler h) => Execute(c, h.CheckOneAsync(c.Request, c.RequestAborted)));
        api.MapPost("/contacts/check", (HttpContext c, NumberChecksHandler h) => Execute(c, h.CheckManyAsync(c.Request, c.RequestAborted)));
        api.MapGet("/smsmobileapi/sendsms", (HttpContext c, SmsMobileApiHandler h) => Execute(c, h.SendAsync(c.Request, c.RequestAborted)));
        api.MapPost("/smsmobileapi/sendsms", (HttpContext c, SmsMobileApiHandler h) => Execute(c, h.SendAsync(c.Request, c.RequestAborted)));
        api.MapGet("/smsmobileapi/resendwa", (HttpContext c, SmsMobileApiHandler h) => Execute(c, h.ResendAsync(c.Request, c.RequestAborted)));
        api.MapPost("/smsmobileapi/resendwa", (HttpContext c, SmsMobileApiHandler h) => Execute(c, h.ResendAsync(c.Request, c.RequestAborted)));
        api.MapGet("/smsmobileapi/getwa/synchronisation", (HttpContext c, SmsMobileApiHandler h) => Execute(c, Task.FromResult(h.Synchronise(c.Request))));
        api.MapGet("/smsmobileapi/getwa", (HttpContext c, SmsMobileApiHandler h) => Execute(c, h.InboundAsync(c.Request, c.RequestAborted)));
        api.MapPost("/smsmobileapi/oauth2/token", (HttpContext c, OAuthHandler h) => Execute(c, h.TokenAsync(c.Request, c.RequestAborted)));
        api.MapPost("/v1/sessions", (HttpContext c, V1Handler h) => Execute(c, h.CreateSessionAsync(c.Request, c.RequestAborted)));
        api.MapGet("/v1/sessions", (HttpContext c, V1Handler h) => Execute(c, h.ListSessionsAsync(c.Request, c.RequestAborted)));
        api.MapGet("/v1/sessions/{id}", (HttpContext c, string id, V1Handler h) => Execute(c, h.GetSessionAsync(c.Request, id, c.RequestAborted)));
        api.MapPatch("/v1/sessions/{id}", (HttpContext c, string id, V1Handler h) => Execute(c, h.UpdateSessionAsync(c.Request, id, c.RequestAborted)));
        api.MapDelete("/v1/sessions/{id}", (HttpContext c, string id, V1Handler h) => Execute(c, h.DeleteSessionAsync(c.Request, id, c.RequestAborted)));
        api.MapGet("/v1/sessions/{id}/stream", (HttpContext c, string id, V1Handler h) => Execute(c, h.StreamAsync(c.Request, id, c.RequestAborted)));
        api.MapPost("/v1/messages", (HttpContext c, V1Handler h) => Execute(c, h.SendTextAsync(c.Request, c.RequestAborted)));
        api.MapPost("/v1/messages/media", (HttpContext c, V1Handler h) => Execute(c, h.SendMediaAsync(c.Request, c.RequestAborted)));
        api.MapPost("/v1/messages/audio", (HttpContext c, V1Handler h) => Execute(c, h.SendAudioAsync(c.Request, c.RequestAborted)));
        api.MapGet("/v1/messages", (HttpContext c, V1Handler h) => Execute(c, h.ListMessagesAsync(c.Request, c.RequestAborted)));
        api.MapGet("/v1/messages/{id}", (HttpContext c, string id, V1Handler h) => Execute(c, h.GetMessageAsync(c.Request, id, c.RequestAborted)));
        api.MapPost("/v1/keys", (HttpContext c, V1Handler h) => Execute(c, h.CreateKeyAsync(c.Request, c.RequestAborted)));
        api.MapGet("/v1/keys", (HttpContext c, V1Handler h) => Execute(c, h.ListKeysAsync(c.Request, c.RequestAborted)));
        api.MapDelete("/v1/keys/{id}", (HttpContext c, string id, V1Handler h) => Execute(c, h.RevokeKeyAsync(c.Request, id, c.RequestAborted)));
        api.MapPost("/smartwats/create_instance", (HttpContext c, SmartWatsHandler h) => Execute(c, h.CreateInstanceAsync(c.Request, c.RequestAborted)));
        api.MapGet("/smartwats/get_qrcode", (HttpContext c, SmartWatsHandler h) => Execute(c, h.QrCodeAsync(c.Request, c.RequestAborted)));
        api.MapGet("/smartwats/get_paircode", (HttpContext c, SmartWatsHandler h) => Execute(c, h.PairCodeAsync(c.Request, c.RequestAborted)));
        api.MapPost("/smartwats/logout", (HttpContext c, SmartWatsHandler h) => Execute(c, h.LogoutAsync(c.Request, c.RequestAborted)));
        api.MapPost("/smartwats/set_webhook", (HttpContext c, SmartWatsHandler h) => Execute(c, h.SetWebhookAsync(c.Request, c.RequestAborted)));
        api.MapPost("/smartwats/send", (HttpContext c, SmartWatsHandler h) => Execute(c, h.SendAsync(c.Request, c.RequestAborted)));
        api.MapPost("/smartwats/send_location", (HttpContext c, SmartWatsHandler h) => Execute(c, h.SendLocationAsync(c.Request, c.RequestAborted)));
        api.MapPost("/smartwats/send_contact", (HttpContext c, SmartWatsHandler h) => Execute(c, h.SendContactAsync(c.Request, c.RequestAborted)));
        api.MapPost("/smartwats/send_audio", (HttpContext c, SmartWatsHandler h) => Execute(c, h.SendAudioAsync(c.Request, c.RequestAborted)));
        api.MapPost("/smartwats/send_album", (HttpContext c, SmartWatsHandler h) => Execute(c, h.SendAlbumAsync(c.Request, c.RequestAborted)));
        api.MapPost("/smartwats/send_carousel", (HttpContext c, SmartWatsHandler h) => Execute(c, h.SendCarouselAsync(c.Request, c.RequestAborted)));
        api.MapGet("/smartwats/get_groups", (HttpContext c, SmartWatsHandler h) => Execute(c, h.GroupsAsync(c.Request, c.RequestAborted)));
        api.MapPost("/smartwats/send_group", (HttpContext c, SmartWatsHandler h) => Execute(c, h.SendGroupAsync(c.Request, c.RequestAborted)));
        api.MapGet("/smartwats/check_phone", (HttpContext c, SmartWatsHandler h) => Execute(c, h.CheckPhoneAsync(c.Request, c.RequestAborted)));
        api.MapPost("/smartwats/check_phones_batch", (HttpContext c, SmartWatsHandler h) => Execute(c, h.CheckPhonesAsync(c.Request, c.RequestAborted)));
        api.MapPost("/smsglobal/keys", (HttpContext c, SmsGlobalHandler h) => Execute(c, h.CreateKeyAsync(c.Request, c.RequestAborted)));
        api.MapGet("/smsglobal/keys", (HttpContext c, SmsGlobalHandler h) => Execute(c, h.ListKeysAsync(c.Request, c.RequestAborted)));
        api.MapDelete("/smsglobal/keys/{id}", (HttpContext c, string id, SmsGlobalHandler h) => Execute(c, h.RevokeKeyAsync(c.Request, id, c.RequestAborted)));
        api.MapPost("/smsglobal/v2/whatsapp", (HttpContext c, SmsGlobalHandler h) => Execute(c, h.SendAsync(c.Request, c.RequestAborted)));
        api.MapGet("/smsglobal/v2/whatsapp", (HttpContext c, SmsGlobalHandler h) => Execute(c, h.ListOutgoingAsync(c.Request, c.RequestAborted)));
        api.MapGet("/smsglobal/v2/whatsapp/{id}", (HttpContext c, string id, SmsGlobalHandler h) => Execute(c, h.GetOutgoingAsync(c.Request, id, c.RequestAborted)));
        api.MapGet("/smsglobal/v2/whatsapp-incoming", (HttpContext c, SmsGlobalHandler h) => Execute(c, h.ListIncomingAsync(c.Request, c.RequestAborted)));
        api.MapGet("/smsglobal/v2/whatsapp-incoming/{id}", (HttpContext c, string id, SmsGlobalHandler h) => Execute(c, h.GetIncomingAsync(c.Request, id, c.RequestAborted)));
        api.MapPost("/smsglobal/v2/whatsapp/capability", (HttpContext c, SmsGlobalHandler h) => Execute(c, h.CapabilityAsync(c.Request, c.RequestAborted)));
        api.MapGet("/smsglobal/v2/whatsapp/opt-in", (HttpContext c, SmsGlobalHandler h) => Execute(c, h.ListOptInAsync(c.Request, c.RequestAborted)));
        api.MapPost("/smsglobal/v2/whatsapp/opt-in", (HttpContext c, SmsGlobalHandler h) => Execute(c, h.OptInAsync(c.Request, c.RequestAborted)));
        api.MapGet("/openapi.json", (HttpContext c, OpenApiHandler h) => Execute(c, h.GetAsync(c.Request)));
        api.MapFallback((HttpContext c) => Execute(c, Task.FromResult(Compat.CompatSurfaces.Reshape(c.Request.Path, Unmatched(c.Request)))));

        // The portal's static files, outside the API group: no credential to see the page itself.
        app.MapGet("/" + PortalSite.Path + "/{**path}", (HttpContext c, string? path) => Execute(c, Task.FromResult(PortalSite.Serve(c.Request, path))));
        return app;
    }

    /// <summary>A path no route has: 404; a route's path with a method it does not take: 405 with the methods it does (Allow).</summary>
    public static IActionResult Unmatched(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var allowed = Routes.Select(r => r.Method).Distinct().Where(m => Match(m, request.Path) is not null).ToList();
        return allowed.Count == 0
            ? ApiResults.Error(new ApiError(404, ErrorCodes.NotFound, $"No endpoint {request.Method} {request.Path}."))
            : ApiResults.Error(
                new ApiError(405, ErrorCodes.MethodNotAllowed, $"{request.Method} is not allowed on {request.Path}.", $"Use {string.Join(" or ", allowed)}."),
                new Dictionary<string, string> { ["Allow"] = string.Join(", ", allowed) });
    }

    /// <summary>Runs a handler's result the way the Functions ASP.NET Core integration does.</summary>
    public static async Task Execute(HttpContext context, Task<IActionResult> result)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        var actionResult = await result;
        await actionResult.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
    }
}
