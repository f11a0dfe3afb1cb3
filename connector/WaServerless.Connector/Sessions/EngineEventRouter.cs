using WaServerless.Connector.Receipts;
using WaServerless.Core.Engines;

namespace WaServerless.Connector.Sessions;

/// <summary>The engines' one sink: receipts to the status recorder, session events to the supervisor.</summary>
public sealed class EngineEventRouter(ReceiptSink receipts, IServiceProvider services) : IEngineEventSink
{
    // Resolved late: the supervisor needs the engine, and the engine needs this sink.
    private SessionSupervisor Supervisor => services.GetRequiredService<SessionSupervisor>();

    public Task OnEventAsync(EngineEvent engineEvent, CancellationToken cancellationToken) =>
        engineEvent is ReceiptEvent
            ? receipts.OnEventAsync(engineEvent, cancellationToken)
            : Supervisor.RouteAsync(engineEvent, cancellationToken);
}
