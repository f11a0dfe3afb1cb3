using System.Text.Json;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Errors;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;

namespace WaServerless.Core.Tests;

/// <summary>Albums and carousels on POST /api/send: parsing, Meta's carousel rules, and the parts engines send them as.</summary>
public class AlbumAndCarouselTests
{
    private const string TwoImages = """[{"type":"image","url":"https://example.com/1.jpg"},{"type":"image","url":"https://example.com/2.jpg"}]""";

    private const string UrlCard = """{"title":"Product 1","body":"Great","image":"https://example.com/p1.jpg","buttons":[{"urlButton":{"displayText":"Buy Now","url":"https://shop.example.com/p1"}}]}""";

    private const string ReplyCard = """{"title":"Product 2","body":"Also great","image":{"url":"https://example.com/p2.jpg"},"buttons":[{"quickReplyButton":{"displayText":"Pick","id":"p2"}}]}""";

    private static Dictionary<string, string> Fields(params string[] pairs)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["recipient"] = "+966500000001" };
        for (var i = 0; i < pairs.Length; i += 2)
        {
            fields[pairs[i]] = pairs[i + 1];
        }

        return fields;
    }

    /// <summary>A SmartWats example body as the fields a JSON body to POST /api/send gives: strings as they are, arrays as their JSON; its credentials and number left out.</summary>
    private static Dictionary<string, string> FieldsOfSmartWatsExample(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "smartwats", file)));
        var fields = Fields();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name is "instance_id" or "access_token" or "number")
            {
                continue;
            }

            fields[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        }

        return fields;
    }

    private static MessageContent Parse(Dictionary<string, string> fields)
    {
        var result = SendRequestParser.Parse(fields);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return result.Request!.Content;
    }

    private static string Cards(params string[] cards) => "[" + string.Join(",", cards) + "]";

    public static TheoryData<string, MessageType, int> SmartWatsExamples => new()
    {
        { "send_album-images.json", MessageType.Album, 3 },
        { "send_album-mixed.json", MessageType.Album, 3 },
        { "send_carousel-url-buttons.json", MessageType.Carousel, 2 },
        { "send_carousel-mixed-buttons.json", MessageType.Carousel, 2 },
        { "send_carousel-real-world.json", MessageType.Carousel, 4 },
    };

    [Theory]
    [MemberData(nameof(SmartWatsExamples))]
    public void SmartWats_documented_examples_parse_as_the_same_album_or_carousel(string file, MessageType type, int parts)
    {
        var content = Parse(FieldsOfSmartWatsExample(file));

        Assert.Equal(type, content.Type);
        Assert.Equal(parts, content is AlbumContent album ? album.Items.Count : ((CarouselContent)content).Cards.Count);
    }

    [Fact]
    public void An_album_keeps_its_items_in_order_with_one_caption()
    {
        var album = (AlbumContent)Parse(FieldsOfSmartWatsExample("send_album-mixed.json"));

        Assert.Equal("Photos and videos from our event", album.Caption);
        Assert.Equal([AlbumItemKind.Image, AlbumItemKind.Video, AlbumItemKind.Image], album.Items.Select(i => i.Kind));
        Assert.Equal(new Uri("https://example.com/video1.mp4"), album.Items[1].Url);
    }

    [Fact]
    public void An_albums_caption_may_come_as_text()
    {
        var album = (AlbumContent)Parse(Fields("album", TwoImages, "text", "Our event"));

        Assert.Equal("Our event", album.Caption);
    }

    [Fact]
    public void A_carousel_reads_every_button_kind_and_both_image_forms()
    {
        var carousel = (CarouselContent)Parse(FieldsOfSmartWatsExample("send_carousel-real-world.json"));

        Assert.Equal(("Choose from the following cards", "Welcome to SmartWats", "smartwats.com"), (carousel.Text, carousel.Title, carousel.Footer));
        var second = carousel.Cards[1];
        Assert.Equal(new Uri("https://example.com/product2.png"), second.Image);
        Assert.Equal("Price: 150 SAR", second.Footer);
        Assert.Equal(
            [new CarouselButton(CarouselButtonKind.QuickReply, "Select Product", "select_product_2"), new CarouselButton(CarouselButtonKind.Call, "Call Us", "+966534874887")],
            second.Buttons);
        Assert.Equal(new CarouselButton(CarouselButtonKind.Copy, "Copy Discount Code", "SERVICE2024"), carousel.Cards[2].Buttons[0]);

        var plain = (CarouselContent)Parse(Fields("cards", Cards(UrlCard)));
        Assert.Equal(new Uri("https://example.com/p1.jpg"), plain.Cards[0].Image);
        Assert.Equal(new CarouselButton(CarouselButtonKind.Url, "Buy Now", "https://shop.example.com/p1"), plain.Cards[0].Buttons[0]);
    }

    [Fact]
    public void Cards_and_templateCarousel_are_the_same_field()
    {
        Assert.Equal(Parse(Fields("cards", Cards(UrlCard, ReplyCard), "text", "Pick one")), Parse(Fields("templateCarousel", Cards(UrlCard, ReplyCard), "text", "Pick one")));
    }

    public static TheoryData<string, string[], string> InvalidRequests => new()
    {
        { "album not json", ["album", "https://example.com/1.jpg"], ErrorCodes.InvalidAlbum },
        { "album an object", ["album", """{"type":"image","url":"https://example.com/1.jpg"}"""], ErrorCodes.InvalidAlbum },
        { "album empty", ["album", "[]"], ErrorCodes.InvalidAlbum },
        { "album of 11", ["album", "[" + string.Join(",", Enumerable.Repeat("""{"type":"image","url":"https://example.com/1.jpg"}""", 11)) + "]"], ErrorCodes.InvalidAlbum },
        { "album item a string", ["album", """["https://example.com/1.jpg"]"""], ErrorCodes.InvalidAlbum },
        { "album item of audio", ["album", """[{"type":"audio","url":"https://example.com/1.mp3"}]"""], ErrorCodes.InvalidAlbum },
        { "album item without type", ["album", """[{"url":"https://example.com/1.jpg"}]"""], ErrorCodes.InvalidAlbum },
        { "album item without url", ["album", """[{"type":"image"}]"""], ErrorCodes.InvalidAlbum },
        { "album item url a number", ["album", """[{"type":"image","url":42}]"""], ErrorCodes.InvalidAlbum },
        { "album item javascript url", ["album", """[{"type":"image","url":"javascript:alert(1)"}]"""], ErrorCodes.InvalidMediaUrl },
        { "album item relative url", ["album", """[{"type":"video","url":"/v.mp4"}]"""], ErrorCodes.InvalidMediaUrl },
        { "album with two captions", ["album", TwoImages, "caption", "One", "text", "Two"], ErrorCodes.ConflictingMessageTypes },
        { "album caption too long", ["album", TwoImages, "caption", new string('c', 1025)], ErrorCodes.TextTooLong },
        { "album with a duplicate name", ["album", """[{"type":"image","type":"video","url":"https://example.com/1.jpg"}]"""], ErrorCodes.InvalidAlbum },
        { "album and image", ["album", TwoImages, "file", "https://example.com/a.jpg"], ErrorCodes.ConflictingMessageTypes },
        { "cards not json", ["cards", "[{"], ErrorCodes.InvalidCarousel },
        { "cards empty", ["cards", "[]"], ErrorCodes.InvalidCarousel },
        { "cards of 11", ["cards", Cards(Enumerable.Repeat(UrlCard, 11).ToArray())], ErrorCodes.InvalidCarousel },
        { "cards and templateCarousel", ["cards", Cards(UrlCard), "templateCarousel", Cards(UrlCard)], ErrorCodes.InvalidCarousel },
        { "card without title", ["cards", """[{"body":"b","image":"https://example.com/p.jpg","buttons":[{"quickReplyButton":{"displayText":"Go","id":"g"}}]}]"""], ErrorCodes.InvalidCarousel },
        { "card without body", ["cards", """[{"title":"t","image":"https://example.com/p.jpg","buttons":[{"quickReplyButton":{"displayText":"Go","id":"g"}}]}]"""], ErrorCodes.InvalidCarousel },
        { "card without image", ["cards", """[{"title":"t","body":"b","buttons":[{"quickReplyButton":{"displayText":"Go","id":"g"}}]}]"""], ErrorCodes.InvalidCarousel },
        { "card image not a url", ["cards", """[{"title":"t","body":"b","image":{"url":"file:///etc/passwd"},"buttons":[{"quickReplyButton":{"displayText":"Go","id":"g"}}]}]"""], ErrorCodes.InvalidMediaUrl },
        { "card without buttons", ["cards", """[{"title":"t","body":"b","image":"https://example.com/p.jpg","buttons":[]}]"""], ErrorCodes.InvalidCarousel },
        { "card with four buttons", ["cards", """[{"title":"t","body":"b","image":"https://example.com/p.jpg","buttons":[{"quickReplyButton":{"displayText":"1","id":"1"}},{"quickReplyButton":{"displayText":"2","id":"2"}},{"quickReplyButton":{"displayText":"3","id":"3"}},{"quickReplyButton":{"displayText":"4","id":"4"}}]}]"""], ErrorCodes.InvalidCarousel },
        { "card title too long", ["cards", "[" + UrlCard.Replace("Product 1", new string('t', 61), StringComparison.Ordinal) + "]"], ErrorCodes.InvalidCarousel },
        { "card body too long", ["cards", "[" + UrlCard.Replace("Great", new string('b', 161), StringComparison.Ordinal) + "]"], ErrorCodes.InvalidCarousel },
        { "button of an unknown kind", ["cards", """[{"title":"t","body":"b","image":"https://example.com/p.jpg","buttons":[{"flowButton":{"displayText":"Go"}}]}]"""], ErrorCodes.InvalidCarousel },
        { "button of two kinds", ["cards", """[{"title":"t","body":"b","image":"https://example.com/p.jpg","buttons":[{"quickReplyButton":{"displayText":"Go","id":"g"},"urlButton":{"displayText":"Go","url":"https://example.com"}}]}]"""], ErrorCodes.InvalidCarousel },
        { "button label too long", ["cards", """[{"title":"t","body":"b","image":"https://example.com/p.jpg","buttons":[{"quickReplyButton":{"displayText":"A label far too long to fit","id":"g"}}]}]"""], ErrorCodes.InvalidCarousel },
        { "url button with a javascript url", ["cards", """[{"title":"t","body":"b","image":"https://example.com/p.jpg","buttons":[{"urlButton":{"displayText":"Go","url":"javascript:alert(1)"}}]}]"""], ErrorCodes.InvalidCarousel },
        { "copy code too long", ["cards", """[{"title":"t","body":"b","image":"https://example.com/p.jpg","buttons":[{"copyButton":{"displayText":"Copy","copyCode":"1234567890123456"}}]}]"""], ErrorCodes.InvalidCarousel },
        { "call button with a short number", ["cards", """[{"title":"t","body":"b","image":"https://example.com/p.jpg","buttons":[{"callButton":{"displayText":"Call","phoneNumber":"12"}}]}]"""], ErrorCodes.InvalidCarousel },
        { "quick reply without id", ["cards", """[{"title":"t","body":"b","image":"https://example.com/p.jpg","buttons":[{"quickReplyButton":{"displayText":"Go"}}]}]"""], ErrorCodes.InvalidCarousel },
        { "quick reply ids repeated across cards", ["cards", Cards(ReplyCard, ReplyCard)], ErrorCodes.InvalidCarousel },
        { "carousel title too long", ["cards", Cards(UrlCard), "title", new string('t', 61)], ErrorCodes.TextTooLong },
        { "carousel text too long", ["cards", Cards(UrlCard), "text", new string('t', 1025)], ErrorCodes.TextTooLong },
        { "carousel and poll", ["cards", Cards(UrlCard), "poll_question", "Which?"], ErrorCodes.ConflictingMessageTypes },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public void Refuses_a_bad_album_or_carousel_with_a_clear_error(string because, string[] pairs, string expectedCode)
    {
        var result = SendRequestParser.Parse(Fields(pairs));

        Assert.False(result.IsSuccess, because);
        Assert.Equal(expectedCode, result.Error!.Code);
        Assert.Equal(400, result.Error.Status);
    }

    [Fact]
    public void Albums_and_carousels_cross_the_queue_unchanged()
    {
        foreach (var file in new[] { "send_album-mixed.json", "send_carousel-real-world.json" })
        {
            var content = Parse(FieldsOfSmartWatsExample(file));

            var copy = JsonSerializer.Deserialize<MessageContent>(JsonSerializer.Serialize(content, WireJson.Options), WireJson.Options);

            Assert.Equal(content, copy);
        }
    }

    [Fact]
    public void Metas_carousel_takes_url_or_quick_reply_cards_alike_with_body_text_and_no_title()
    {
        var urlCards = (CarouselContent)Parse(Fields("cards", Cards(UrlCard, UrlCard.Replace("Product 1", "Product 3", StringComparison.Ordinal)), "text", "Our picks"));
        var replyCards = (CarouselContent)Parse(Fields("cards", Cards(ReplyCard, ReplyCard.Replace("\"p2\"", "\"p3\"", StringComparison.Ordinal)), "text", "Our picks"));
        Assert.Null(MetaCarouselRules.Refusal(urlCards));
        Assert.Null(MetaCarouselRules.Refusal(replyCards));
        Assert.True(EngineCapabilities.CloudApi.CanSend(urlCards));

        Assert.Contains("2 to 10 cards", MetaCarouselRules.Refusal(urlCards with { Cards = [urlCards.Cards[0]] }), StringComparison.Ordinal);
        Assert.Contains("'text'", MetaCarouselRules.Refusal(urlCards with { Text = null }), StringComparison.Ordinal);
        Assert.Contains("title or footer", MetaCarouselRules.Refusal(urlCards with { Title = "Catalog" }), StringComparison.Ordinal);
        Assert.Contains("same buttons", MetaCarouselRules.Refusal(urlCards with { Cards = [urlCards.Cards[0], replyCards.Cards[0]] }), StringComparison.Ordinal);

        var mixed = (CarouselContent)Parse(FieldsOfSmartWatsExample("send_carousel-mixed-buttons.json"));
        Assert.Contains("copy or call", MetaCarouselRules.Refusal(mixed with { Title = null, Footer = null }), StringComparison.Ordinal);
        Assert.False(EngineCapabilities.CloudApi.CanSend(mixed));
        Assert.True(EngineCapabilities.Sandbox.CanSend(mixed));
        Assert.True(EngineCapabilities.Waha(ButtonsFallback.NumberedText).CanSend(mixed));
        Assert.False(EngineCapabilities.Waha(ButtonsFallback.Refuse).CanSend(mixed));
    }

    [Fact]
    public void Metas_card_body_holds_the_title_body_and_footer_within_160_characters()
    {
        var card = new CarouselCard(new Uri("https://example.com/p.jpg"), "Sofa", "Three seats", "EUR 499", [new CarouselButton(CarouselButtonKind.Url, "Buy", "https://example.com/")]);
        Assert.Equal("*Sofa*\nThree seats\nEUR 499", MetaCarouselRules.CardBody(card));

        var long1 = card with { Body = new string('b', 150) };
        var carousel = new CarouselContent("Picks", null, null, [card, long1]);
        Assert.Contains("card 2 is longer", MetaCarouselRules.Refusal(carousel), StringComparison.Ordinal);
    }

    [Fact]
    public void An_album_goes_out_as_its_media_with_the_caption_on_the_first()
    {
        var album = (AlbumContent)Parse(FieldsOfSmartWatsExample("send_album-mixed.json"));

        var parts = MessageParts.Split(album);

        Assert.Equal(
            [
                new ImageContent(new Uri("https://example.com/photo1.jpg"), "Photos and videos from our event"),
                new VideoContent(new Uri("https://example.com/video1.mp4"), null),
                new ImageContent(new Uri("https://example.com/photo2.jpg"), null),
            ],
            parts);
        Assert.All(new[] { EngineCapabilities.Sandbox, EngineCapabilities.CloudApi, EngineCapabilities.Waha(ButtonsFallback.Refuse) }, c => Assert.True(c.SendsAsParts(album)));
        Assert.Equal(["m1.1", "m1.2"], new[] { MessageParts.PartId("m1", 0, 2), MessageParts.PartId("m1", 1, 2) });
        Assert.Equal("m1", MessageParts.PartId("m1", 0, 1));
    }

    [Fact]
    public void Without_carousels_a_carousel_goes_out_as_its_text_then_one_image_per_card_with_its_buttons_written_out()
    {
        var carousel = (CarouselContent)Parse(FieldsOfSmartWatsExample("send_carousel-mixed-buttons.json"));

        var parts = MessageParts.Split(carousel);

        Assert.Equal(3, parts.Count);
        Assert.Equal(new TextContent("*Special Deals*\nExclusive offers just for you!\n_Limited Time Offer_"), parts[0]);
        var second = Assert.IsType<ImageContent>(parts[2]);
        Assert.Equal(new Uri("https://example.com/support.jpg"), second.Url);
        Assert.Equal("*Need Help?*\nContact our support team\n\nCall Support: +966534874887\nChat Now (reply \"Chat Now\")", second.Caption);
        Assert.True(EngineCapabilities.Waha(ButtonsFallback.NumberedText).SendsAsParts(carousel));
        Assert.False(EngineCapabilities.Sandbox.SendsAsParts(carousel));
        Assert.False(EngineCapabilities.CloudApi.SendsAsParts(carousel));
    }

    [Fact]
    public void Media_urls_of_albums_and_carousels_are_each_checked()
    {
        var album = Parse(FieldsOfSmartWatsExample("send_album-images.json"));
        var carousel = Parse(FieldsOfSmartWatsExample("send_carousel-url-buttons.json"));

        Assert.Equal(3, MediaUrls.Of(album).Count);
        Assert.Equal([new Uri("https://example.com/product1.jpg"), new Uri("https://example.com/product2.jpg")], MediaUrls.Of(carousel));
    }
}
