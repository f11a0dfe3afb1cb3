using System.Text.Json;
using WaServerless.Core.Contracts;
using WaServerless.Core.Errors;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;

namespace WaServerless.Core.Tests;

/// <summary>
/// Template messages in POST /api/send. The fields are what RequestFieldsReader hands over: a JSON
/// body's nested object or array arrives as its JSON text, a form's field as the string it holds, so
/// the 'template' object and the template_* fields read the same whatever the body format.
/// </summary>
public class TemplateRequestParserTests
{
    private static readonly TemplateContent Expected = new(
        "order_update",
        "en_US",
        ["Ada", "1042"],
        TemplateHeader.OfText("Order 1042"),
        [new(TemplateButtonKind.QuickReply, 0, "stop"), new(TemplateButtonKind.Url, 1, "track/1042")]);

    private static Dictionary<string, string> Fields(params string[] pairs)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["recipient"] = "+14155550123" };
        for (var i = 0; i < pairs.Length; i += 2)
        {
            fields[pairs[i]] = pairs[i + 1];
        }

        return fields;
    }

    private static TemplateContent Parse(params string[] pairs)
    {
        var result = SendRequestParser.Parse(Fields(pairs));
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return Assert.IsType<TemplateContent>(result.Request!.Content);
    }

    private static string Params(int count, int length) =>
        JsonSerializer.Serialize(Enumerable.Range(0, count).Select(_ => new string('p', length)));

    public static TheoryData<string, string[]> SameTemplateSpelledEveryWay => new()
    {
        {
            "one 'template' object (a JSON body's nested object, or a form field holding it)",
            ["template", """{"name":"order_update","language":"en_US","body_params":["Ada","1042"],"header":{"text":"Order 1042"},"buttons":[{"type":"quick_reply","payload":"stop"},{"type":"url","text":"track/1042","index":1}]}"""]
        },
        {
            "Meta's language object, a string header, button types implied and indexes as strings",
            ["template", """{"Name":"order_update","language":{"code":"en_US"},"body_params":["Ada",1042],"header":"Order 1042","buttons":[{"payload":"stop","index":"0"},{"text":"track/1042","index":"1"}]}"""]
        },
        {
            "flat fields with template_params as a JSON array",
            ["template_name", "order_update", "template_language", "en_US", "template_params", """["Ada","1042"]""", "template_header", "Order 1042", "template_buttons", """[{"type":"quick_reply","payload":"stop"},{"type":"url","text":"track/1042"}]"""]
        },
        {
            "flat fields with numbered parameters, as an HTML form would post them",
            ["template_name", "order_update", "template_language", "en_US", "template_param2", "1042", "template_param1", "Ada", "Template_Header", "Order 1042", "template_buttons", """[{"payload":"stop"},{"type":"URL","text":"track/1042"}]"""]
        },
        {
            "message_type given explicitly",
            ["message_type", "template", "template_name", "order_update", "template_language", "en_US", "template_params", """["Ada","1042"]""", "template_header", "Order 1042", "template_buttons", """[{"payload":"stop"},{"text":"track/1042"}]"""]
        },
    };

    [Theory]
    [MemberData(nameof(SameTemplateSpelledEveryWay))]
    public void Every_spelling_of_a_template_gives_the_same_content(string because, string[] pairs)
    {
        var result = SendRequestParser.Parse(Fields(pairs));

        Assert.True(result.IsSuccess, $"{because}: {result.Error}");
        Assert.Equal(MessageType.Template, result.Request!.Content.Type);
        Assert.Equal(Expected, result.Request.Content);
        Assert.Equal(new SendRequest("+14155550123", Expected, Priority.Normal, null).Fingerprint(), result.Request.Fingerprint());
    }

    [Fact]
    public void A_template_without_parameters_needs_only_a_name_and_a_language()
    {
        var content = Parse("template_name", "hello_world", "template_language", "en");

        Assert.Equal(new TemplateContent("hello_world", "en", [], null, []), content);
    }

    [Theory]
    [InlineData("template_header_image", "image", TemplateHeaderKind.Image)]
    [InlineData("template_header_document", "document", TemplateHeaderKind.Document)]
    [InlineData("template_header_video", "video", TemplateHeaderKind.Video)]
    public void Media_headers_are_given_by_url_as_a_field_or_in_the_object(string field, string property, TemplateHeaderKind kind)
    {
        var url = new Uri("https://cdn.example.com/file");
        var expected = new TemplateContent("invoice", "en_GB", ["March"], TemplateHeader.OfMedia(kind, url), []);

        Assert.Equal(expected, Parse("template_name", "invoice", "template_language", "en_GB", "template_param1", "March", field, url.AbsoluteUri));
        Assert.Equal(expected, Parse("template", "{\"name\":\"invoice\",\"language\":\"en_GB\",\"body_params\":[\"March\"],\"header\":{\"" + property + "\":\"" + url + "\"}}"));
    }

    [Fact]
    public void A_body_parameter_may_be_long_when_the_body_is_the_only_component()
    {
        var longValue = new string('x', 5000);

        Assert.Equal(longValue, Parse("template_name", "t", "template_language", "en", "template_param1", longValue).BodyParameters.Single());
        Assert.Equal(
            ErrorCodes.TextTooLong,
            SendRequestParser.Parse(Fields("template_name", "t", "template_language", "en", "template_param1", longValue, "template_header", "Hi")).Error!.Code);
    }

    [Theory]
    [MemberData(nameof(SendRequestParserTests.ValidRequests), MemberType = typeof(SendRequestParserTests))]
    public void Existing_types_are_detected_as_before_next_to_blank_or_unrelated_template_words(string because, string[] pairs, MessageType expected)
    {
        // A form posts every input, empty or not; and "templates" is no template field.
        var result = SendRequestParser.Parse(Fields([.. pairs, "template", "", "template_name", " ", "templates", "x"]));

        Assert.True(result.IsSuccess, $"{because}: {result.Error}");
        Assert.Equal(expected, result.Request!.Content.Type);
    }

    [Fact]
    public void Template_content_survives_the_wire_json_as_it_crosses_the_queue()
    {
        MessageContent content = Expected with { Header = TemplateHeader.OfMedia(TemplateHeaderKind.Video, new Uri("https://cdn.example.com/v.mp4")) };

        var json = JsonSerializer.Serialize(content, WireJson.Options);
        var back = JsonSerializer.Deserialize<MessageContent>(json, WireJson.Options);

        Assert.Contains("\"type\":\"template\"", json, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"quick_reply\"", json, StringComparison.Ordinal);
        Assert.Equal(content, back);
        Assert.NotEqual(content, ((TemplateContent)content) with { BodyParameters = ["Ada", "1043"] });
    }

    private const string Ok = """{"name":"t","language":"en","body_params":["a"]}""";

    public static TheoryData<string, string[], string> InvalidTemplates => new()
    {
        { "message_type=template and nothing else", ["message_type", "template"], ErrorCodes.InvalidTemplateMessage },
        { "no name", ["template_language", "en"], ErrorCodes.InvalidTemplateMessage },
        { "no language", ["template_name", "t"], ErrorCodes.InvalidTemplateMessage },
        { "object without language", ["template", """{"name":"t"}"""], ErrorCodes.InvalidTemplateMessage },
        { "uppercase name", ["template_name", "Order_Update", "template_language", "en"], ErrorCodes.InvalidTemplateMessage },
        { "name with a space", ["template_name", "order update", "template_language", "en"], ErrorCodes.InvalidTemplateMessage },
        { "name with a trailing newline", ["template", """{"name":"t\n","language":"en"}"""], ErrorCodes.InvalidTemplateMessage },
        { "name too long", ["template_name", new string('a', 513), "template_language", "en"], ErrorCodes.InvalidTemplateMessage },
        { "language with a hyphen", ["template_name", "t", "template_language", "en-US"], ErrorCodes.InvalidTemplateMessage },
        { "language spelled out", ["template_name", "t", "template_language", "english"], ErrorCodes.InvalidTemplateMessage },
        { "language region lowercase", ["template_name", "t", "template_language", "en_us"], ErrorCodes.InvalidTemplateMessage },
        { "template not json", ["template", "order_update"], ErrorCodes.InvalidTemplateMessage },
        { "template an array", ["template", "[]"], ErrorCodes.InvalidTemplateMessage },
        { "unknown property", ["template", """{"name":"t","language":"en","components":[]}"""], ErrorCodes.InvalidTemplateMessage },
        { "repeated property", ["template", """{"name":"t","name":"u","language":"en"}"""], ErrorCodes.InvalidTemplateMessage },
        { "name not a string", ["template", """{"name":["t"],"language":"en"}"""], ErrorCodes.InvalidTemplateMessage },
        { "object and flat fields", ["template", Ok, "template_param1", "b"], ErrorCodes.InvalidTemplateMessage },
        { "misspelt flat field", ["template_name", "t", "template_language", "en", "template_paramz", "a"], ErrorCodes.InvalidTemplateMessage },
        { "template_params not json", ["template_name", "t", "template_language", "en", "template_params", "Ada, 1042"], ErrorCodes.InvalidTemplateMessage },
        { "template_params not an array", ["template_name", "t", "template_language", "en", "template_params", """{"1":"Ada"}"""], ErrorCodes.InvalidTemplateMessage },
        { "body parameter an object", ["template", """{"name":"t","language":"en","body_params":[{"text":"a"}]}"""], ErrorCodes.InvalidTemplateMessage },
        { "body parameter null", ["template", """{"name":"t","language":"en","body_params":[null]}"""], ErrorCodes.InvalidTemplateMessage },
        { "both ways of giving parameters", ["template_name", "t", "template_language", "en", "template_params", "[\"a\"]", "template_param1", "a"], ErrorCodes.InvalidTemplateMessage },
        { "numbered parameters with a gap", ["template_name", "t", "template_language", "en", "template_param1", "a", "template_param3", "c"], ErrorCodes.InvalidTemplateMessage },
        { "numbered parameters from 2", ["template_name", "t", "template_language", "en", "template_param2", "b"], ErrorCodes.InvalidTemplateMessage },
        { "101 body parameters", ["template_name", "t", "template_language", "en", "template_params", Params(101, 1)], ErrorCodes.InvalidTemplateMessage },
        { "empty body parameter", ["template", """{"name":"t","language":"en","body_params":["a",""]}"""], ErrorCodes.InvalidTemplateMessage },
        { "blank body parameter", ["template_name", "t", "template_language", "en", "template_params", "[\"  \"]"], ErrorCodes.InvalidTemplateMessage },
        { "newline in a body parameter", ["template", """{"name":"t","language":"en","body_params":["line 1\nline 2"]}"""], ErrorCodes.InvalidTemplateMessage },
        { "tab in a body parameter", ["template", """{"name":"t","language":"en","body_params":["a\tb"]}"""], ErrorCodes.InvalidTemplateMessage },
        { "five spaces in a body parameter", ["template_name", "t", "template_language", "en", "template_param1", "a     b"], ErrorCodes.InvalidTemplateMessage },
        { "body parameter over 1024 with a header", ["template_name", "t", "template_language", "en", "template_header", "H", "template_params", Params(1, 1025)], ErrorCodes.TextTooLong },
        { "body parameter over 32768 alone", ["template_name", "t", "template_language", "en", "template_params", Params(1, 32769)], ErrorCodes.TextTooLong },
        { "parameters over 8192 in all", ["template_name", "t", "template_language", "en", "template_params", Params(9, 1000)], ErrorCodes.TextTooLong },
        { "header text over 60", ["template_name", "t", "template_language", "en", "template_header", new string('h', 61)], ErrorCodes.TextTooLong },
        { "header text with a newline", ["template", """{"name":"t","language":"en","header":{"text":"a\nb"}}"""], ErrorCodes.InvalidTemplateMessage },
        { "two header fields", ["template_name", "t", "template_language", "en", "template_header", "H", "template_header_image", "https://example.com/a.jpg"], ErrorCodes.InvalidTemplateMessage },
        { "header object with two kinds", ["template", """{"name":"t","language":"en","header":{"text":"H","image":"https://example.com/a.jpg"}}"""], ErrorCodes.InvalidTemplateMessage },
        { "header of an unknown kind", ["template", """{"name":"t","language":"en","header":{"location":"here"}}"""], ErrorCodes.InvalidTemplateMessage },
        { "header media not a url", ["template_name", "t", "template_language", "en", "template_header_video", "clip.mp4"], ErrorCodes.InvalidMediaUrl },
        { "header media over ftp", ["template", """{"name":"t","language":"en","header":{"document":"ftp://example.com/a.pdf"}}"""], ErrorCodes.InvalidMediaUrl },
        { "buttons not an array", ["template_name", "t", "template_language", "en", "template_buttons", """{"payload":"x"}"""], ErrorCodes.InvalidTemplateMessage },
        { "buttons not json", ["template_name", "t", "template_language", "en", "template_buttons", "stop"], ErrorCodes.InvalidTemplateMessage },
        { "eleven buttons", ["template_name", "t", "template_language", "en", "template_buttons", "[" + string.Join(",", Enumerable.Range(0, 11).Select(i => $"{{\"payload\":\"p{i}\"}}")) + "]"], ErrorCodes.InvalidTemplateMessage },
        { "button index 10", ["template_name", "t", "template_language", "en", "template_buttons", """[{"payload":"x","index":10}]"""], ErrorCodes.InvalidTemplateMessage },
        { "button index negative", ["template_name", "t", "template_language", "en", "template_buttons", """[{"payload":"x","index":-1}]"""], ErrorCodes.InvalidTemplateMessage },
        { "two parameters for one button", ["template_name", "t", "template_language", "en", "template_buttons", """[{"payload":"x","index":0},{"text":"y","index":0}]"""], ErrorCodes.InvalidTemplateMessage },
        { "button of an unknown type", ["template_name", "t", "template_language", "en", "template_buttons", """[{"type":"phone_number","text":"x"}]"""], ErrorCodes.InvalidTemplateMessage },
        { "quick reply with text", ["template_name", "t", "template_language", "en", "template_buttons", """[{"type":"quick_reply","text":"x"}]"""], ErrorCodes.InvalidTemplateMessage },
        { "button with payload and text", ["template_name", "t", "template_language", "en", "template_buttons", """[{"payload":"x","text":"y"}]"""], ErrorCodes.InvalidTemplateMessage },
        { "button without a value", ["template_name", "t", "template_language", "en", "template_buttons", """[{"type":"url"}]"""], ErrorCodes.InvalidTemplateMessage },
        { "button with an unknown property", ["template_name", "t", "template_language", "en", "template_buttons", """[{"payload":"x","title":"Stop"}]"""], ErrorCodes.InvalidTemplateMessage },
        { "empty quick reply payload", ["template_name", "t", "template_language", "en", "template_buttons", """[{"type":"quick_reply","payload":""}]"""], ErrorCodes.InvalidTemplateMessage },
        { "quick reply payload over 256", ["template_name", "t", "template_language", "en", "template_buttons", $$"""[{"payload":"{{new string('p', 257)}}"}]"""], ErrorCodes.TextTooLong },
        { "url suffix over 2000", ["template_name", "t", "template_language", "en", "template_buttons", $$"""[{"text":"{{new string('u', 2001)}}"}]"""], ErrorCodes.TextTooLong },
        { "url suffix with a newline", ["template_name", "t", "template_language", "en", "template_buttons", """[{"text":"a\nb"}]"""], ErrorCodes.InvalidTemplateMessage },
        { "template with text", ["template", Ok, "text", "Hello"], ErrorCodes.ConflictingMessageTypes },
        { "template with a footer", ["template_name", "t", "template_language", "en", "footer", "Bye"], ErrorCodes.ConflictingMessageTypes },
        { "message_type=template with only text", ["message_type", "template", "text", "Hello"], ErrorCodes.ConflictingMessageTypes },
        { "template and image", ["template", Ok, "file", "https://example.com/a.jpg"], ErrorCodes.ConflictingMessageTypes },
        { "template and buttons", ["template_name", "t", "template_language", "en", "button1", "Yes"], ErrorCodes.ConflictingMessageTypes },
        { "template fields declared as text", ["template", Ok, "type", "text"], ErrorCodes.MessageTypeMismatch },
    };

    [Theory]
    [MemberData(nameof(InvalidTemplates))]
    public void Refuses_a_bad_template_with_a_400_a_stable_code_and_a_clear_message(string because, string[] pairs, string expectedCode)
    {
        var result = SendRequestParser.Parse(Fields(pairs));

        Assert.False(result.IsSuccess, because);
        Assert.True(expectedCode == result.Error!.Code, $"{because}: {result.Error}");
        Assert.Equal(400, result.Error.Status);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
    }

    [Theory]
    [InlineData("template_name", "Order_Update", "lowercase letters, digits and underscores")]
    [InlineData("template_language", "en-US", "en_US")]
    [InlineData("template_param1", "a\nb", "one line")]
    public void Template_errors_carry_a_hint(string field, string value, string hint)
    {
        var fields = Fields("template_name", "t", "template_language", "en");
        fields[field] = value;

        var error = SendRequestParser.Parse(fields).Error!;

        Assert.Contains(hint, error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void The_error_names_the_parameter_at_fault()
    {
        var error = SendRequestParser.Parse(Fields("template_name", "t", "template_language", "en", "template_params", """["a","b",""]""")).Error!;

        Assert.Contains("Body parameter 3", error.Message, StringComparison.Ordinal);
    }
}
