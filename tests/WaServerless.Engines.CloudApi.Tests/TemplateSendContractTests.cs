using System.Text.Json.Nodes;
using WaServerless.Core.Engines;
using WaServerless.Core.Messages;

namespace WaServerless.Engines.CloudApi.Tests;

/// <summary>
/// Template messages on the wire: each case's whole request body is a fixture under
/// Fixtures/requests, in the shape Meta documents for a template send.
/// </summary>
public sealed class TemplateSendContractTests : IDisposable
{
    private const string Recipient = "+4915112345678";
    private const string MessageId = "msg_01JABCDEF";

    private readonly MockGraphApi _api = new();

    public TemplateSendContractTests()
    {
        _api.AcceptSends();
    }

    public void Dispose() => _api.Dispose();

    public static TheoryData<string> Fixtures => new()
    {
        "template-body-only.json",
        "template-text-header-and-buttons.json",
        "template-document-header.json",
        "template-image-header.json",
        "template-without-parameters.json",
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Template_request_body_matches_the_fixture(string fixture)
    {
        var result = await _api.Engine.SendAsync(new EngineSendRequest(MockGraphApi.PhoneNumberId, MessageId, Recipient, ContentFor(fixture)), CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
        var expected = JsonNode.Parse(MockGraphApi.Fixture("requests", fixture));
        var actual = _api.SingleRequestBody();
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected\n{expected}\nactual\n{actual}");
    }

    [Fact]
    public async Task Template_sends_need_no_copy_code_template_configured()
    {
        using var api = new MockGraphApi(settings: new() { ["CloudApi:CopyCodeTemplateName"] = null }).AcceptSends();

        var result = await api.Engine.SendAsync(new EngineSendRequest(MockGraphApi.PhoneNumberId, MessageId, Recipient, ContentFor("template-without-parameters.json")), CancellationToken.None);

        Assert.True(result.Succeeded, result.Reason);
    }

    private static TemplateContent ContentFor(string fixture) => fixture switch
    {
        "template-body-only.json" => new("order_update", "en_US", ["Ada", "1042"], null, []),
        // Buttons given out of order go out in the template's order.
        "template-text-header-and-buttons.json" => new(
            "delivery_window",
            "de",
            ["Grüße, Jürgen", "Montag 9-12"],
            TemplateHeader.OfText("Bestellung 1042"),
            [new(TemplateButtonKind.Url, 1, "track/1042"), new(TemplateButtonKind.QuickReply, 0, "keep-1042")]),
        "template-document-header.json" => new(
            "monthly_invoice",
            "en_GB",
            ["March"],
            TemplateHeader.OfMedia(TemplateHeaderKind.Document, new Uri("https://cdn.example.com/inv/2026-03.pdf")),
            []),
        "template-image-header.json" => new(
            "spring_sale",
            "pt_BR",
            [],
            TemplateHeader.OfMedia(TemplateHeaderKind.Image, new Uri("https://cdn.example.com/sale.jpg")),
            []),
        "template-without-parameters.json" => new("hello_world", "en_US", [], null, []),
        _ => throw new ArgumentOutOfRangeException(nameof(fixture), fixture, null),
    };
}
