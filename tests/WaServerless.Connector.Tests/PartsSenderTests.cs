using WaServerless.Connector.Sending;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Messages;

namespace WaServerless.Connector.Tests;

/// <summary>How a message that goes out as several engine messages (an album) succeeds, and how it fails part way.</summary>
public class PartsSenderTests
{
    private static readonly AlbumContent Album = new(
        [
            new AlbumItem(AlbumItemKind.Image, new Uri("https://example.com/1.jpg")),
            new AlbumItem(AlbumItemKind.Video, new Uri("https://example.com/2.mp4")),
            new AlbumItem(AlbumItemKind.Image, new Uri("https://example.com/3.jpg")),
        ],
        "Our day");

    private static EngineSendRequest RequestFor(MessageContent content) => new("acc~main", "msg1", "+14155550100", content);

    [Fact]
    public async Task Every_part_goes_out_in_order_under_its_own_id_and_the_first_id_stands_for_the_message()
    {
        var engine = new ScriptedEngine();

        var outcome = await PartsSender.SendAsync(engine, RequestFor(Album), CancellationToken.None);

        Assert.Equal(["msg1.1", "msg1.2", "msg1.3"], engine.Requests.Select(r => r.MessageId));
        Assert.Equal(EngineSendResult.Sent("e-msg1.1"), outcome.Result);
        Assert.Equal("3 parts: 1 image e-msg1.1, 2 video e-msg1.2, 3 image e-msg1.3", outcome.Detail);
    }

    [Fact]
    public async Task A_message_of_one_part_goes_out_as_it_is_under_the_message_id()
    {
        var engine = new ScriptedEngine();

        var outcome = await PartsSender.SendAsync(engine, RequestFor(new TextContent("hi")), CancellationToken.None);

        Assert.Equal(new TextContent("hi"), Assert.Single(engine.Requests).Content);
        Assert.Equal("msg1", engine.Requests[0].MessageId);
        Assert.Null(outcome.Detail);
        Assert.Single(outcome.Parts);
    }

    [Fact]
    public async Task When_the_first_part_fails_nothing_went_out_and_the_engines_classification_stands()
    {
        var engine = new ScriptedEngine { FailAt = 0, Failure = EngineSendResult.Transient("rate limited") };

        var outcome = await PartsSender.SendAsync(engine, RequestFor(Album), CancellationToken.None);

        Assert.Equal(FailureKind.Transient, outcome.Result.Failure);
        Assert.Equal("part 1 of 3 (image) failed: rate limited", outcome.Result.Reason);
        Assert.Empty(outcome.Parts);
        Assert.Single(engine.Requests);
    }

    [Fact]
    public async Task When_a_later_part_fails_the_message_fails_for_good_so_a_retry_cannot_send_the_first_parts_twice()
    {
        var engine = new ScriptedEngine { FailAt = 1, Failure = EngineSendResult.Transient("timeout") };

        var outcome = await PartsSender.SendAsync(engine, RequestFor(Album), CancellationToken.None);

        Assert.Equal(FailureKind.Permanent, outcome.Result.Failure);
        Assert.Equal("part 2 of 3 (video) failed: timeout; parts 1 to 1 went out, so it is not retried", outcome.Result.Reason);
        Assert.Equal([new SentPart(MessageType.Image, "e-msg1.1")], outcome.Parts);
        Assert.Equal(2, engine.Requests.Count);
    }

    /// <summary>An engine that sends everything, except the part numbered <see cref="FailAt"/>.</summary>
    private sealed class ScriptedEngine : IWhatsAppEngine
    {
        public List<EngineSendRequest> Requests { get; } = [];

        public int FailAt { get; init; } = -1;

        public EngineSendResult Failure { get; init; } = EngineSendResult.Permanent("refused");

        public string Name => EngineNames.Sandbox;

        public EngineCapabilities Capabilities => EngineCapabilities.Sandbox;

        public Task<EngineSendResult> SendAsync(EngineSendRequest request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return Task.FromResult(Requests.Count - 1 == FailAt ? Failure : EngineSendResult.Sent("e-" + request.MessageId));
        }
    }
}
