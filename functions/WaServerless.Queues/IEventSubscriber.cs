using WaServerless.Core.Contracts;

namespace WaServerless.Queues;

/// <summary>
/// Something that wants every event off the events queue besides the workflows (outbound webhooks).
/// The hosts' events consumers hand each event to every subscriber.
/// </summary>
public interface IEventSubscriber
{
    /// <summary>Called with a <see cref="DeliveryEvent"/>, <see cref="SessionStateChanged"/> or <see cref="InboundMessageReceived"/>.</summary>
    Task OnEventAsync(object platformEvent, CancellationToken cancellationToken);
}
