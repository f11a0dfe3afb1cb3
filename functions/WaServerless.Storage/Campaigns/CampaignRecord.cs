using WaServerless.Core.Bulk;
using WaServerless.Core.Messages;

namespace WaServerless.Storage.Campaigns;

/// <summary>Where a bulk campaign is in its life. Cancelled and completed end it.</summary>
public enum CampaignStatus
{
    /// <summary>
    /// Accepted, its recipient list stored as one blob; the orchestration's first phase is writing the
    /// recipient rows from it. Nothing is released yet.
    /// </summary>
    Preparing,
    Running,
    Paused,
    Cancelled,
    Completed,
}

public static class CampaignStatusRules
{
    public static string ToWire(this CampaignStatus status) => status.ToString().ToLowerInvariant();

    public static bool TryParse(string? value, out CampaignStatus status) =>
        Enum.TryParse(value, ignoreCase: true, out status) && Enum.IsDefined(status) && !int.TryParse(value, out _);

    public static bool IsFinal(this CampaignStatus status) => status is CampaignStatus.Cancelled or CampaignStatus.Completed;

    /// <summary>Running or paused: an orchestration owns it and may still release recipients.</summary>
    public static bool IsActive(this CampaignStatus status) => status is CampaignStatus.Running or CampaignStatus.Paused;

    public static bool CanMoveTo(this CampaignStatus from, CampaignStatus to)
    {
        if (from.IsFinal() || from == to)
        {
            return false;
        }

        return to switch
        {
            CampaignStatus.Preparing => false,
            CampaignStatus.Running => from is CampaignStatus.Preparing or CampaignStatus.Paused,
            CampaignStatus.Paused => from is CampaignStatus.Running,
            CampaignStatus.Completed => from is CampaignStatus.Running or CampaignStatus.Paused,
            CampaignStatus.Cancelled => true,
            _ => false,
        };
    }
}


/// <summary>
/// One content to many recipients. A text content (or a caption) may hold {{name}} placeholders that
/// each recipient's variables fill in.
/// </summary>
/// <param name="SessionKey">The sending session's key ("account~name").</param>
public sealed record CampaignRecord(
    string CampaignId,
    string AccountId,
    string KeyId,
    string SessionKey,
    string Name,
    MessageContent Content,
    int Priority,
    CampaignSpacing Spacing,
    int Total,
    CampaignStatus Status,
    string? StatusReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);


public enum RecipientReleaseStatus
{
    Pending,
    /// <summary>Accepted as a message and handed to the send queue.</summary>
    Released,
    /// <summary>Not sent, for a reason that concerns this recipient only (daily cap, invalid content).</summary>
    Skipped,
}

/// <summary>A stored recipient: its place in the campaign, and whether and as which message it went out.</summary>
public sealed record CampaignRecipientRecord(
    int Index,
    string Recipient,
    IReadOnlyDictionary<string, string>? Variables,
    RecipientReleaseStatus Status,
    string? MessageId,
    string? Reason);

/// <summary>What happened to one recipient when its batch was released.</summary>
public sealed record RecipientRelease(int Index, RecipientReleaseStatus Status, string? MessageId, string? Reason);

/// <summary>
/// How far a campaign got: every recipient below <see cref="NextIndex"/> is released or skipped;
/// <see cref="LastReleaseAt"/> is when the last released one was due, so spacing survives a restart.
/// Kept in the recipients' partition, so it moves in the same transaction as they do.
/// </summary>
public sealed record CampaignProgress(int NextIndex, int Released, int Skipped, DateTimeOffset? LastReleaseAt, DateTimeOffset UpdatedAt);

/// <summary>
/// How far a campaign's preparation got: recipient rows below <see cref="Written"/> are stored, and
/// the rest of its recipient list starts at byte <see cref="NextOffset"/> of the list's blob.
/// </summary>
public sealed record CampaignPreparation(int Written, long NextOffset)
{
    public static CampaignPreparation None { get; } = new(0, 0);
}
