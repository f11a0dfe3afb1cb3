using System.ComponentModel.DataAnnotations;

namespace WaServerless.Queues;

public enum QueueTransportKind
{
    StorageQueues,
    ServiceBus,
}

/// <summary>Bound from "Queues". Service Bus settings are read from "ServiceBus" (the Functions trigger's connection).</summary>
public sealed class QueueOptions
{
    public const string Section = "Queues";

    public QueueTransportKind Transport { get; set; } = QueueTransportKind.StorageQueues;

    /// <summary>Deliveries after which a message is dead-lettered instead of delivered again.</summary>
    [Range(1, 100)]
    public int MaxDeliveryCount { get; set; } = 10;

    /// <summary>How long a received message stays invisible to other consumers before it is delivered again.</summary>
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Identity-based Service Bus connection, the Functions host's convention: ServiceBus__fullyQualifiedNamespace, __credential, __clientId.</summary>
public sealed class ServiceBusConnectionOptions
{
    public const string Section = "ServiceBus";

    public string? FullyQualifiedNamespace { get; set; }

    public string? Credential { get; set; }

    public string? ClientId { get; set; }
}
