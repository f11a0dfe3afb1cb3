namespace WaServerless.Core.Messages;

/// <summary>Where a message is in its life. Declared in the order a message moves through them.</summary>
public enum MessageStatus
{
    Scheduled,
    Queued,
    Sending,
    Sent,
    Delivered,
    Read,
    Failed,
    Cancelled,
}

public static class MessageStatusRules
{
    public static string ToWire(this MessageStatus status) => status.ToString().ToLowerInvariant();

    public static bool TryParse(string value, out MessageStatus status) =>
        Enum.TryParse(value, ignoreCase: true, out status) && Enum.IsDefined(status) && !int.TryParse(value, out _);

    public static bool IsFinal(this MessageStatus status) =>
        status is MessageStatus.Read or MessageStatus.Failed or MessageStatus.Cancelled;

    /// <summary>
    /// Status only moves forward: receipts arrive late, twice or out of order, and a later one
    /// must never be overwritten by an earlier one. Read, failed and cancelled end a message.
    /// The one step back is sending -> queued, when a transient failure sends it round again.
    /// </summary>
    public static bool CanMoveTo(this MessageStatus from, MessageStatus to)
    {
        if (from.IsFinal())
        {
            return false;
        }

        return to switch
        {
            MessageStatus.Scheduled => false,
            MessageStatus.Queued => from is MessageStatus.Scheduled or MessageStatus.Sending,
            MessageStatus.Sending => from is MessageStatus.Scheduled or MessageStatus.Queued or MessageStatus.Sending,
            MessageStatus.Cancelled => from is MessageStatus.Scheduled or MessageStatus.Queued,
            MessageStatus.Failed => from < MessageStatus.Delivered,
            _ => to > from,
        };
    }
}
