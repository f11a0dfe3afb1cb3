using Microsoft.Extensions.Logging.Abstractions;
using WaServerless.Storage.Aliases;
using WaServerless.Storage.Infrastructure;
using WaServerless.TestKit;

namespace WaServerless.Storage.Tests;

/// <summary>Integer aliases for string ids (SMSGlobal's integer message ids) on Azurite.</summary>
public sealed class NumericIdStoreTests : IAsyncLifetime
{
    private NumericIdStore _aliases = null!;

    public async Task InitializeAsync()
    {
        var clients = (await Azurite.Shared).Clients(Azurite.NewPrefix());
        await new StorageInitializer(clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
        _aliases = new NumericIdStore(clients, TimeProvider.System);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_id_keeps_one_alias_that_resolves_only_for_its_account_and_kind()
    {
        var alias = await _aliases.AliasOfAsync("acc_a", AliasKind.Outgoing, "msg_01M96QM32WHNXAY8RYMTZC9SKK", default);

        Assert.InRange(alias, 1, (1L << 53) - 1); // a JavaScript client reads it exactly
        Assert.Equal(alias, await _aliases.AliasOfAsync("acc_a", AliasKind.Outgoing, "msg_01M96QM32WHNXAY8RYMTZC9SKK", default));
        Assert.Equal("msg_01M96QM32WHNXAY8RYMTZC9SKK", await _aliases.ResolveAsync("acc_a", AliasKind.Outgoing, alias, default));
        Assert.Null(await _aliases.ResolveAsync("acc_b", AliasKind.Outgoing, alias, default));
        Assert.Null(await _aliases.ResolveAsync("acc_a", AliasKind.Incoming, alias, default));
        Assert.Null(await _aliases.ResolveAsync("acc_a", AliasKind.Outgoing, 12345, default));
    }

    [Fact]
    public async Task Many_requests_aliasing_the_same_ids_at_once_agree_and_different_ids_never_share_one()
    {
        var ids = Enumerable.Range(0, 40).Select(i => $"in_{i:x25}").ToList();

        var rounds = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _aliases.AliasesOfAsync("acc_c", AliasKind.Incoming, ids, default)));

        Assert.All(rounds, r => Assert.Equal(rounds[0], r));
        Assert.Equal(ids.Count, rounds[0].Values.Distinct().Count());
        foreach (var id in ids)
        {
            Assert.Equal(id, await _aliases.ResolveAsync("acc_c", AliasKind.Incoming, rounds[0][id], default));
        }
    }
}
