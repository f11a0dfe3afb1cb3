using System.Text.Json;
using Microsoft.Extensions.Options;
using WaServerless.Core.Contracts;
using WaServerless.Engines.Sandbox;
using WaServerless.Storage.Webhooks;

namespace WaServerless.DevHost;

internal static class DevHostServiceCollectionExtensions
{
    public static IServiceCollection AddWaServerlessDevHost(this IServiceCollection services)
    {
        services.AddOptions<DevHostOptions>().BindConfiguration(DevHostOptions.Section);
        services.AddSingleton<DemoAccountSeeder>();
        services.AddHostedService(sp => sp.GetRequiredService<DemoAccountSeeder>());
        services.AddHostedService<OutboxSweeperLoop>();
        services.AddHostedService<DeliveryEventsLoop>();
        services.AddHostedService<WebhookSweeperLoop>();
        services.AddOptions<WebhookOptions>().PostConfigure<IOptions<DevHostOptions>, IHostEnvironment>((webhooks, devHost, environment) =>
        {
            if (string.IsNullOrWhiteSpace(webhooks.EncryptionKey) && devHost.Value.WebhookKeyFile is { Length: > 0 } file)
            {
                webhooks.EncryptionKey = LocalKeyFile.LoadOrCreate(Path.GetFullPath(file, environment.ContentRootPath));
            }
        });
        return services;
    }

    /// <summary>Local-only controls of the simulated WhatsApp: inject and clear faults by recipient.</summary>
    public static IEndpointRouteBuilder MapSandboxControl(this IEndpointRouteBuilder app)
    {
        var sandbox = app.MapGroup("/sandbox");
        sandbox.MapPut("/faults/{recipient}", (string recipient, SandboxFaultRequest body, SandboxEngine engine) =>
        {
            if (!SandboxFaultRequest.TryParseKind(body.Kind, out var kind))
            {
                return Results.BadRequest(new { success = false, error_code = "INVALID_FAULT_KIND", message = "kind must be \"transient\" or \"permanent\"" });
            }

            if (body.Times is < 1)
            {
                return Results.BadRequest(new { success = false, error_code = "INVALID_FAULT_TIMES", message = "times must be at least 1 (leave it out to fail every send)" });
            }

            engine.SetFault(recipient, new SandboxFault { Kind = kind, Reason = body.Reason ?? "injected fault", Times = body.Times });
            return Results.NoContent();
        });
        sandbox.MapDelete("/faults/{recipient}", (string recipient, SandboxEngine engine) =>
        {
            engine.ClearFault(recipient);
            return Results.NoContent();
        });
        sandbox.MapPost("/sessions/{sessionKey}/scan", (string sessionKey, SandboxEngine engine) =>
            engine.Scan(sessionKey) ? Results.NoContent() : Results.NotFound(new { error = "that session is not pairing" }));
        sandbox.MapPost("/sessions/{sessionKey}/drop", async (string sessionKey, SandboxEngine engine) =>
        {
            await engine.DropAsync(sessionKey);
            return Results.NoContent();
        });
        sandbox.MapPost("/sessions/{sessionKey}/zombie", (string sessionKey, SandboxEngine engine) =>
        {
            engine.SetZombie(sessionKey, true);
            return Results.NoContent();
        });
        sandbox.MapPost("/sessions/{sessionKey}/inbound", async (string sessionKey, SandboxInboundRequest body, SandboxEngine engine, CancellationToken cancellationToken) =>
            string.IsNullOrWhiteSpace(body.From)
                ? Results.BadRequest(new { error = "from is required (E.164)" })
                : await engine.ReceiveAsync(sessionKey, body.From, body.Type ?? "text", body.Text, body.ReplyId, body.EngineMessageId, body.ProfileName, cancellationToken)
                    ? Results.Accepted()
                    : Results.NotFound(new { error = "that session is not connected" }));
        sandbox.MapGet("/sent", (SandboxEngine engine) => Results.Ok(engine.Sent.Select(s => new { s.EngineMessageId, s.Request.MessageId, s.Request.Recipient, s.At })));
        return app;
    }
}

/// <summary>A fault to inject: kind by name as the README shows it ("transient" or "permanent", any case); its number is accepted too.</summary>
internal sealed record SandboxFaultRequest(JsonElement Kind, string? Reason, int? Times)
{
    public static bool TryParseKind(JsonElement kind, out FailureKind parsed)
    {
        parsed = FailureKind.None;
        var ok = kind.ValueKind switch
        {
            JsonValueKind.String => Enum.TryParse(kind.GetString(), ignoreCase: true, out parsed) && !int.TryParse(kind.GetString(), out _),
            JsonValueKind.Number => kind.TryGetInt32(out var n) && Enum.IsDefined((FailureKind)n) && (parsed = (FailureKind)n) == (FailureKind)n,
            _ => false,
        };
        return ok && parsed != FailureKind.None;
    }
}

/// <summary>A message a simulated WhatsApp user sends to a sandbox session.</summary>
internal sealed record SandboxInboundRequest(string From, string? Type, string? Text, string? ReplyId, string? EngineMessageId, string? ProfileName);
