using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Tests;

/// <summary>An id from a request that the table service would refuse as a key is recognised up front, so it is "not found", never a storage error.</summary>
public class TableKeysTests
{
    [Theory]
    [InlineData("default")]
    [InlineData("acc_0123456789abcdef")]
    [InlineData("sales team – é 日本")]
    public void Ordinary_ids_can_be_keys(string key) => Assert.True(TableKeys.IsValid(key));

    [Fact]
    public void An_emoji_is_text_but_half_of_one_is_not()
    {
        // Built here, not in InlineData: the runner would turn a lone surrogate into a replacement character.
        Assert.True(TableKeys.IsValid("sales \ud83d\ude00"));
        Assert.False(TableKeys.IsValid("lone \ud800 surrogate"));
        Assert.False(TableKeys.IsValid("reversed \ude00\ud83d pair"));
        Assert.False(TableKeys.IsValid("ends high \ud83d"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("tab\there")]
    [InlineData("nul\0here")]
    [InlineData("del\u007fhere")]
    public void Ids_the_service_refuses_as_keys_are_not_valid(string? key) => Assert.False(TableKeys.IsValid(key));

    [Fact]
    public void Keys_longer_than_Azurite_allows_are_not_valid()
    {
        Assert.True(TableKeys.IsValid(new string('k', TableKeys.MaxLength)));
        Assert.False(TableKeys.IsValid(new string('k', TableKeys.MaxLength + 1)));
    }
}
