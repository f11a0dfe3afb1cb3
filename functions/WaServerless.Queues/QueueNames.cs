using WaServerless.Core.Sending;

namespace WaServerless.Queues;

/// <summary>Queue names, the same on both transports (Storage Queues add the deployment's name prefix).</summary>
public static class QueueNames
{
    public const string Events = "delivery-events";
    public const string Control = "control";

    public static string ForLane(Lane lane) => "send-" + lane.ToWire();

    public static IEnumerable<string> All => Priority.LanesMostUrgentFirst.Select(ForLane).Append(Events).Append(Control);
}
