using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Contracts;
using WaServerless.Core.Text;

namespace WaServerless.Core.Tests;

/// <summary>A body whose strings cannot be read as text is malformed when it is parsed, not later when a field is read.</summary>
public class StrictJsonTests
{
    [Theory]
    [InlineData("{\"text\":\"\\uD800\"}")]
    [InlineData("{\"text\":\"ok\",\"more\":[\"\\uDC00 alone\"]}")]
    [InlineData("{\"\\uD83D\":\"a lone high surrogate in a property name\"}")]
    [InlineData("[[[\"\\uDFFF\"]]]")]
    public void Lone_surrogate_escapes_are_refused_as_malformed(string json) =>
        Assert.ThrowsAny<JsonException>(() => StrictJson.Parse(json));

    [Fact]
    public void Invalid_utf8_inside_a_string_is_refused_as_malformed()
    {
        byte[] body = [.. "{\"text\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        Assert.ThrowsAny<JsonException>(() => StrictJson.Parse(body));
    }

    [Theory]
    [InlineData("{\"text\":\"\\uD83D\\uDE00 a paired surrogate is an emoji\"}")]
    [InlineData("{\"text\":\"日本語\",\"n\":1,\"b\":true,\"x\":null,\"a\":[1,\"two\",{\"three\":3}]}")]
    public void Well_formed_text_parses_with_its_values_intact(string json)
    {
        using var document = StrictJson.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        Assert.Equal(JsonDocument.Parse(json).RootElement.GetProperty("text").GetString(), document.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public void The_callers_depth_limit_still_holds() =>
        Assert.ThrowsAny<JsonException>(() => StrictJson.Parse("[[[[\"deep\"]]]]", new JsonDocumentOptions { MaxDepth = 3 }));
}

/// <summary>A message id names a real time: one that no clock can show is not an id, so it is simply not found.</summary>
public class MessageIdTests
{
    [Fact]
    public void A_new_id_is_valid_and_carries_its_accept_time()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 8, 0, 0, 123, TimeSpan.Zero));
        var id = MessageIds.New(clock);

        Assert.True(MessageIds.IsValid(id));
        Assert.Equal(clock.GetUtcNow(), MessageIds.TimeOf(id));
    }

    [Fact]
    public void An_id_whose_time_part_lies_past_the_year_9999_is_not_valid()
    {
        var id = MessageIds.New(TimeProvider.System);
        var overflowing = id[..4] + new string('Z', 10) + id[14..];

        Assert.False(MessageIds.IsValid(overflowing));
        Assert.Throws<ArgumentException>(() => MessageIds.TimeOf(overflowing));
    }
}
