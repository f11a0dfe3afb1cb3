using WaServerless.Connector.Inbound;
using WaServerless.Connector.Receipts;
using WaServerless.Core.Engines;

namespace WaServerless.Connector.Sessions;

/// <summary>The engines' one sink: receipts to the status recorder, inbound messages to the inbound recorder, session events to the supervisor.</summary>
internal sealed class EngineEventRouter(ReceiptSink receipts, IServiceProvider services) : IEngineEventSink
{
    // Resolved late: the supervisor and the inbound recorder need the engines, and the engines need this sink.
    private SessionSupervisor Supervisor => services.GetRequiredService<SessionSupervisor>();

    private InboundRecorder Inbound => services.GetRequiredService<InboundRecorder>();

    public Task OnEventAsync(EngineEvent engineEvent, CancellationToken cancellationToken) => engineEvent switch
    {
        ReceiptEvent => receipts.OnEventAsync(engineEvent, cancellationToken),
        InboundMessage inbound => Inbound.RecordAsync(inbound, cancellationToken),
        _ => Supervisor.RouteAsync(engineEvent, cancellationToken),
    };
}
