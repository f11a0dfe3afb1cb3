using Microsoft.Extensions.Logging.Abstractions;
using WaServerless.Core.Contracts;
using WaServerless.Storage.Inbound;
using WaServerless.Storage.Infrastructure;
using WaServerless.TestKit;

namespace WaServerless.Storage.Tests;

/// <summary>Inbound messages on Azurite: stored once per engine message id, listed newest first in pages, scoped to the account.</summary>
public sealed class InboundMessageStoreTests : IAsyncLifetime
{
    private StorageClients _clients = null!;

    public async Task InitializeAsync()
    {
        _clients = (await Azurite.Shared).Clients(Azurite.NewPrefix());
        await new StorageInitializer(_clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_inbound_message_reported_twice_is_stored_once_and_pages_newest_first()
    {
        var store = new InboundMessageStore(_clients);
        InboundMessageReceived Message(int minute, string engineId)
        {
            var at = new DateTimeOffset(2026, 11, 23, 12, minute, 0, TimeSpan.Zero);
            var id = InboundMessageStore.NewId(at);
            return new InboundMessageReceived { EventId = id, MessageId = id, AccountId = "acc_in", SessionId = "default", From = "+14155550906", Type = "text", Text = engineId, EngineMessageId = engineId, At = at };
        }

        var a = Message(1, "wamid.a");
        Assert.True((await store.AddAsync(a, default)).Added);
        Assert.True((await store.AddAsync(Message(2, "wamid.b"), default)).Added);
        var repeat = await store.AddAsync(Message(3, "wamid.a"), default);
        Assert.True((await store.AddAsync(Message(4, "wamid.c"), default)).Added);

        Assert.False(repeat.Added);
        Assert.Equal(a.MessageId, repeat.Stored.MessageId);
        Assert.False(repeat.Published); // not marked yet: the caller publishes it (again)
        await store.MarkPublishedAsync("acc_in", "wamid.a", default);
        Assert.True((await store.AddAsync(Message(5, "wamid.a"), default)).Published);

        var first = await store.ListAsync("acc_in", null, null, 2, default);
        var second = await store.ListAsync("acc_in", "default", first[^1].MessageId, 2, default);
        Assert.Equal(["wamid.c", "wamid.b"], first.Select(m => m.Text));
        Assert.Equal(["wamid.a"], second.Select(m => m.Text));
        Assert.Empty(await store.ListAsync("acc_other", null, null, 10, default));
        Assert.Equal("wamid.b", (await store.GetAsync("acc_in", first[1].MessageId, default))!.EngineMessageId);
    }
}
