using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;

namespace WaServerless.Core.Sending;

/// <summary>A validated send: who, what, how urgently, and the caller's idempotency key if any.</summary>
public sealed record SendRequest(string Recipient, MessageContent Content, Priority Priority, string? IdempotencyKey)
{
    /// <summary>
    /// A hash of what would be sent. Two requests under one idempotency key must carry the same
    /// fingerprint; formatting differences (field order, number spelling, body encoding) don't count.
    /// </summary>
    public string Fingerprint()
    {
        var canonical = JsonSerializer.Serialize(new { r = Recipient, c = Content, p = Priority.Value }, WireJson.Options);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
