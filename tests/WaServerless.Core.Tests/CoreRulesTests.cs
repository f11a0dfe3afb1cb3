using WaServerless.Core.Accounts;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using Microsoft.Extensions.Time.Testing;

namespace WaServerless.Core.Tests;

public class MessageStatusRulesTests
{
    [Theory]
    [InlineData(MessageStatus.Queued, MessageStatus.Sending, true)]
    [InlineData(MessageStatus.Sending, MessageStatus.Sent, true)]
    [InlineData(MessageStatus.Sent, MessageStatus.Delivered, true)]
    [InlineData(MessageStatus.Sent, MessageStatus.Read, true)]
    [InlineData(MessageStatus.Delivered, MessageStatus.Read, true)]
    [InlineData(MessageStatus.Read, MessageStatus.Delivered, false)]
    [InlineData(MessageStatus.Delivered, MessageStatus.Delivered, false)]
    [InlineData(MessageStatus.Delivered, MessageStatus.Sent, false)]
    [InlineData(MessageStatus.Failed, MessageStatus.Delivered, false)]
    [InlineData(MessageStatus.Failed, MessageStatus.Sending, false)]
    [InlineData(MessageStatus.Sending, MessageStatus.Queued, true)]
    [InlineData(MessageStatus.Sent, MessageStatus.Failed, true)]
    [InlineData(MessageStatus.Delivered, MessageStatus.Failed, false)]
    [InlineData(MessageStatus.Queued, MessageStatus.Cancelled, true)]
    [InlineData(MessageStatus.Sending, MessageStatus.Cancelled, false)]
    public void Status_only_moves_forward(MessageStatus from, MessageStatus to, bool allowed) =>
        Assert.Equal(allowed, from.CanMoveTo(to));
}

public class ApiKeyFormatTests
{
    [Fact]
    public void Generated_keys_are_well_formed_and_distinct()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => ApiKeyFormat.Generate()).ToList();

        Assert.All(keys, k => Assert.True(ApiKeyFormat.IsWellFormed(k), k));
        Assert.All(keys, k => Assert.Matches("^SM-[0-9A-Za-z]{32}$", k));
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Fact]
    public void A_mistyped_or_truncated_key_fails_the_checksum()
    {
        var key = ApiKeyFormat.Generate();
        var typo = key[..10] + (key[10] == 'a' ? 'b' : 'a') + key[11..];

        Assert.False(ApiKeyFormat.IsWellFormed(typo));
        Assert.False(ApiKeyFormat.IsWellFormed(key[..^1]));
        Assert.False(ApiKeyFormat.IsWellFormed("sk-" + key[3..]));
    }

    [Fact]
    public void Hashes_are_salted_and_verify_only_the_same_key()
    {
        var key = ApiKeyFormat.Generate();
        var salt1 = ApiKeyHasher.NewSalt();
        var salt2 = ApiKeyHasher.NewSalt();

        Assert.NotEqual(ApiKeyHasher.Hash(key, salt1), ApiKeyHasher.Hash(key, salt2));
        Assert.True(ApiKeyHasher.Verify(key, salt1, ApiKeyHasher.Hash(key, salt1)));
        Assert.False(ApiKeyHasher.Verify(ApiKeyFormat.Generate(), salt1, ApiKeyHasher.Hash(key, salt1)));
    }
}

public class MessageIdsTests
{
    [Fact]
    public void Ids_carry_their_time_and_sort_by_it()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        var first = MessageIds.New(clock);
        clock.Advance(TimeSpan.FromMilliseconds(5));
        var second = MessageIds.New(clock);

        Assert.True(MessageIds.IsValid(first));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero), MessageIds.TimeOf(first));
        Assert.True(string.CompareOrdinal(first, second) < 0);
        Assert.False(MessageIds.IsValid("msg_../../etc"));
    }
}

public class RetryPolicyTests
{
    [Fact]
    public void Backoff_doubles_and_is_capped_with_bounded_jitter()
    {
        var policy = new RetryPolicy(5, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), 0.2);

        Assert.Equal(TimeSpan.FromSeconds(5), policy.DelayAfter(1, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(10), policy.DelayAfter(2, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(20), policy.DelayAfter(3, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(30), policy.DelayAfter(4, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(4), policy.DelayAfter(1, 0.0));
        Assert.Equal(TimeSpan.FromSeconds(6), policy.DelayAfter(1, 1.0));
        Assert.True(policy.ShouldRetry(4));
        Assert.False(policy.ShouldRetry(5));
    }
}
