using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WaServerless.Engines.Sandbox;

/// <summary>One line of the sandbox's sent log: a message the simulated WhatsApp sent.</summary>
public sealed record SandboxSentLogEntry(
    [property: JsonPropertyName("message_id")] string MessageId,
    [property: JsonPropertyName("engine_message_id")] string EngineMessageId,
    [property: JsonPropertyName("session")] string SessionKey,
    [property: JsonPropertyName("recipient")] string Recipient,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("process_id")] int ProcessId);

/// <summary>
/// An append-only file of what the sandbox sent, one JSON line per send, written before the send is
/// reported as done. The in-memory record dies with the process; this one survives a kill -9, so a
/// fault test can count how often each message really went out across restarts.
/// </summary>
public sealed class SandboxSentLog : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Lock _gate = new();
    private readonly FileStream _file;

    public SandboxSentLog(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
    }

    public void Append(SandboxSentLogEntry entry)
    {
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, Json) + "\n");
        lock (_gate)
        {
            // One write per line and a flush to the operating system: a killed process loses nothing
            // it reported as sent (a machine crash could, which no test here simulates).
            _file.Write(line);
            _file.Flush();
        }
    }

    /// <summary>Every complete line of the log at <paramref name="path"/>; a torn last line (the process died mid-write) is skipped.</summary>
    public static IReadOnlyList<SandboxSentLogEntry> Read(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var entries = new List<SandboxSentLogEntry>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize<SandboxSentLogEntry>(line, Json) is { } entry)
                {
                    entries.Add(entry);
                }
            }
            catch (JsonException)
            {
            }
        }

        return entries;
    }

    public void Dispose() => _file.Dispose();
}
