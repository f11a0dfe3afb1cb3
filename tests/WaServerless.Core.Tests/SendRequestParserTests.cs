using WaServerless.Core.Errors;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;

namespace WaServerless.Core.Tests;

public class SendRequestParserTests
{
    private const string Sections = """[{"title":"Mains","rows":[{"rowId":"r1","title":"Pizza","description":"Large"},{"rowId":"r2","title":"Pasta"}]}]""";

    private static Dictionary<string, string> Fields(params string[] pairs)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["recipient"] = "+14155550123" };
        for (var i = 0; i < pairs.Length; i += 2)
        {
            if (pairs[i + 1] == "<remove>")
            {
                fields.Remove(pairs[i]);
            }
            else
            {
                fields[pairs[i]] = pairs[i + 1];
            }
        }

        return fields;
    }

    public static TheoryData<string, string[], MessageType> ValidRequests => new()
    {
        { "plain text", ["text", "Hello"], MessageType.Text },
        { "image with caption", ["file", "https://example.com/a.jpg", "text", "Look"], MessageType.Image },
        { "image over http", ["file", "http://example.com/a.jpg"], MessageType.Image },
        { "document with filename", ["document", "https://example.com/a.pdf", "filename", "invoice.pdf"], MessageType.Document },
        { "video", ["video", "https://example.com/v.mp4"], MessageType.Video },
        { "audio", ["audio", "https://example.com/v.ogg"], MessageType.Audio },
        { "location with label", ["latitude", "51.5074", "longitude", "-0.1278", "label", "London"], MessageType.Location },
        { "location at the poles", ["latitude", "-90", "longitude", "180"], MessageType.Location },
        { "contact card", ["contact_name", "Ada", "contact_phone", "+442071838750"], MessageType.Contact },
        { "three buttons with ids", ["text", "Pick", "button1", "Yes", "button1id", "y", "button2", "No", "button2id", "n", "button3", "Later"], MessageType.Buttons },
        { "copy code", ["copycode", "123456", "copytext", "Your code"], MessageType.CopyCode },
        { "poll", ["poll_question", "Which day?", "poll_options", "[\"Mon\",\"Tue\"]"], MessageType.Poll },
        { "url button", ["text", "Your order shipped", "url_button_text", "Track", "url_button_url", "https://example.com/t/1"], MessageType.CallToAction },
        { "call button", ["text", "Questions?", "call_button_text", "Call us", "call_button_phone", "+14155550100"], MessageType.CallToAction },
        { "url and call buttons with a footer", ["text", "Hi", "url_button_text", "Site", "url_button_url", "http://example.com", "call_button_text", "Call", "call_button_phone", "+442071838750", "footer", "Acme"], MessageType.CallToAction },
        { "list menu", ["text", "Menu", "list_title", "Today", "list_button", "Open", "list_sections", Sections], MessageType.List },
    };

    [Theory]
    [MemberData(nameof(ValidRequests))]
    public void Detects_the_message_type_from_the_fields(string because, string[] pairs, MessageType expected)
    {
        var result = SendRequestParser.Parse(Fields(pairs));

        Assert.True(result.IsSuccess, $"{because}: {result.Error}");
        Assert.Equal(expected, result.Request!.Content.Type);
    }

    public static TheoryData<string, string[], string> InvalidRequests => new()
    {
        { "no recipient", ["recipient", "<remove>", "text", "hi"], ErrorCodes.MissingRecipient },
        { "recipient not a number", ["recipient", "hello", "text", "hi"], ErrorCodes.InvalidRecipient },
        { "recipient too short", ["recipient", "+1234", "text", "hi"], ErrorCodes.InvalidRecipient },
        { "recipient with letters", ["recipient", "+1415555O123", "text", "hi"], ErrorCodes.InvalidRecipient },
        { "group id with letters", ["recipient", "family@g.us", "text", "hi"], ErrorCodes.InvalidRecipient },
        { "a chat id that is no group", ["recipient", "14155550123@c.us", "text", "hi"], ErrorCodes.InvalidRecipient },
        { "phone instead of recipient", ["recipient", "<remove>", "phone", "+14155550123", "text", "hi"], ErrorCodes.UnknownField },
        { "to instead of recipient", ["recipient", "<remove>", "to", "+14155550123", "text", "hi"], ErrorCodes.UnknownField },
        { "message instead of text", ["message", "hi"], ErrorCodes.UnknownField },
        { "body instead of text", ["body", "hi"], ErrorCodes.UnknownField },
        { "image instead of file", ["image", "https://example.com/a.jpg"], ErrorCodes.UnknownField },
        { "photo instead of file", ["photo", "https://example.com/a.jpg"], ErrorCodes.UnknownField },
        { "no content at all", [], ErrorCodes.MissingContent },
        { "blank text", ["text", "   "], ErrorCodes.MissingContent },
        { "text too long", ["text", new string('a', 4097)], ErrorCodes.TextTooLong },
        { "caption too long", ["file", "https://example.com/a.jpg", "text", new string('a', 1025)], ErrorCodes.TextTooLong },
        { "image and document", ["file", "https://example.com/a.jpg", "document", "https://example.com/a.pdf"], ErrorCodes.ConflictingMessageTypes },
        { "location and buttons", ["latitude", "1", "longitude", "2", "button1", "Yes"], ErrorCodes.ConflictingMessageTypes },
        { "list and copy code", ["copycode", "1", "list_title", "x"], ErrorCodes.ConflictingMessageTypes },
        { "audio with caption", ["audio", "https://example.com/a.ogg", "text", "hi"], ErrorCodes.ConflictingMessageTypes },
        { "ptt without audio", ["text", "hi", "ptt", "true"], ErrorCodes.InvalidField },
        { "poll without question", ["poll_options", "[\"a\",\"b\"]"], ErrorCodes.InvalidPoll },
        { "poll without options", ["poll_question", "Which?"], ErrorCodes.InvalidPoll },
        { "poll with one option", ["poll_question", "Which?", "poll_options", "[\"a\"]"], ErrorCodes.InvalidPoll },
        { "poll with 13 options", ["poll_question", "Which?", "poll_options", "[" + string.Join(",", Enumerable.Range(1, 13).Select(i => $"\"o{i}\"")) + "]"], ErrorCodes.InvalidPoll },
        { "poll with repeated options", ["poll_question", "Which?", "poll_options", "[\"Yes\",\"yes\"]"], ErrorCodes.InvalidPoll },
        { "poll options not json", ["poll_question", "Which?", "poll_options", "Mon,Tue"], ErrorCodes.InvalidPoll },
        { "poll option too long", ["poll_question", "Which?", "poll_options", "[\"a\",\"" + new string('b', 101) + "\"]"], ErrorCodes.InvalidPoll },
        { "poll with text", ["poll_question", "Which?", "poll_options", "[\"a\",\"b\"]", "text", "hi"], ErrorCodes.ConflictingMessageTypes },
        { "url button without text", ["url_button_text", "Track", "url_button_url", "https://example.com"], ErrorCodes.InvalidButtons },
        { "url button label without its url", ["text", "Hi", "url_button_text", "Track"], ErrorCodes.InvalidButtons },
        { "url without its label", ["text", "Hi", "url_button_url", "https://example.com"], ErrorCodes.InvalidButtons },
        { "url button label of 21 characters", ["text", "Hi", "url_button_text", new string('a', 21), "url_button_url", "https://example.com"], ErrorCodes.InvalidButtons },
        { "url button with a javascript link", ["text", "Hi", "url_button_text", "Go", "url_button_url", "javascript:alert(1)"], ErrorCodes.InvalidButtons },
        { "url button with a relative link", ["text", "Hi", "url_button_text", "Go", "url_button_url", "/track/1"], ErrorCodes.InvalidButtons },
        { "url button with a tel link", ["text", "Hi", "url_button_text", "Go", "url_button_url", "tel:+14155550100"], ErrorCodes.InvalidButtons },
        { "url button link over 2000 characters", ["text", "Hi", "url_button_text", "Go", "url_button_url", "https://example.com/" + new string('a', 2000)], ErrorCodes.InvalidButtons },
        { "call button without its phone", ["text", "Hi", "call_button_text", "Call"], ErrorCodes.InvalidButtons },
        { "call button phone not a number", ["text", "Hi", "call_button_text", "Call", "call_button_phone", "call me"], ErrorCodes.InvalidButtons },
        { "call button with a blank label", ["text", "Hi", "call_button_text", "   ", "call_button_phone", "+14155550100"], ErrorCodes.InvalidButtons },
        { "url button beside an image", ["file", "https://example.com/a.jpg", "url_button_text", "Go", "url_button_url", "https://example.com"], ErrorCodes.ConflictingMessageTypes },
        { "url button beside reply buttons", ["text", "Hi", "button1", "Yes", "url_button_text", "Go", "url_button_url", "https://example.com"], ErrorCodes.ConflictingMessageTypes },
        { "poll_multiple not boolean", ["poll_question", "Which?", "poll_options", "[\"a\",\"b\"]", "poll_multiple", "maybe"], ErrorCodes.InvalidPoll },
        { "ptt not a boolean", ["audio", "https://example.com/a.ogg", "ptt", "yes please"], ErrorCodes.InvalidField },
        { "relative media url", ["file", "/a.jpg"], ErrorCodes.InvalidMediaUrl },
        { "ftp media url", ["video", "ftp://example.com/a.mp4"], ErrorCodes.InvalidMediaUrl },
        { "javascript media url", ["document", "javascript:alert(1)"], ErrorCodes.InvalidMediaUrl },
        { "filename without document", ["filename", "a.pdf"], ErrorCodes.InvalidMediaUrl },
        { "filename with path", ["document", "https://example.com/a.pdf", "filename", "../etc/passwd"], ErrorCodes.InvalidFilename },
        { "latitude without longitude", ["latitude", "10"], ErrorCodes.InvalidLocation },
        { "latitude out of range", ["latitude", "90.5", "longitude", "0"], ErrorCodes.InvalidLocation },
        { "longitude out of range", ["latitude", "0", "longitude", "-180.01"], ErrorCodes.InvalidLocation },
        { "latitude not a number", ["latitude", "north", "longitude", "0"], ErrorCodes.InvalidLocation },
        { "latitude NaN", ["latitude", "NaN", "longitude", "0"], ErrorCodes.InvalidLocation },
        { "contact without phone", ["contact_name", "Ada"], ErrorCodes.InvalidContact },
        { "contact with bad phone", ["contact_name", "Ada", "contact_phone", "12"], ErrorCodes.InvalidContact },
        { "buttons without body", ["button1", "Yes"], ErrorCodes.InvalidButtons },
        { "button id without title", ["text", "Pick", "button1", "Yes", "button2id", "n"], ErrorCodes.InvalidButtons },
        { "button gap", ["text", "Pick", "button1", "Yes", "button3", "No"], ErrorCodes.InvalidButtons },
        { "duplicate button ids", ["text", "Pick", "button1", "Yes", "button1id", "x", "button2", "No", "button2id", "x"], ErrorCodes.InvalidButtons },
        { "duplicate button titles", ["text", "Pick", "button1", "Yes", "button2", "yes"], ErrorCodes.InvalidButtons },
        { "button title too long", ["text", "Pick", "button1", new string('b', 21)], ErrorCodes.InvalidButtons },
        { "copy code too long", ["copycode", "1234567890123456"], ErrorCodes.InvalidCopyCode },
        { "copy code with space", ["copycode", "12 34"], ErrorCodes.InvalidCopyCode },
        { "copytext without copycode", ["copytext", "hi"], ErrorCodes.InvalidCopyCode },
        { "list missing sections", ["text", "Menu", "list_title", "T", "list_button", "Open"], ErrorCodes.InvalidList },
        { "list sections not json", ["text", "Menu", "list_title", "T", "list_button", "Open", "list_sections", "[{"], ErrorCodes.InvalidList },
        { "list sections empty", ["text", "Menu", "list_title", "T", "list_button", "Open", "list_sections", "[]"], ErrorCodes.InvalidList },
        { "list duplicate row ids", ["text", "Menu", "list_title", "T", "list_button", "Open", "list_sections", """[{"title":"A","rows":[{"rowId":"x","title":"1"}]},{"title":"B","rows":[{"rowId":"x","title":"2"}]}]"""], ErrorCodes.InvalidList },
        { "list row without title", ["text", "Menu", "list_title", "T", "list_button", "Open", "list_sections", """[{"rows":[{"rowId":"x"}]}]"""], ErrorCodes.InvalidList },
        { "list too many rows", ["text", "Menu", "list_title", "T", "list_button", "Open", "list_sections", "[{\"rows\":[" + string.Join(",", Enumerable.Range(1, 11).Select(i => $"{{\"rowId\":\"r{i}\",\"title\":\"t{i}\"}}")) + "]}]"], ErrorCodes.InvalidList },
        { "list two sections one untitled", ["text", "Menu", "list_title", "T", "list_button", "Open", "list_sections", """[{"title":"A","rows":[{"rowId":"x","title":"1"}]},{"rows":[{"rowId":"y","title":"2"}]}]"""], ErrorCodes.InvalidList },
        { "list button too long", ["text", "Menu", "list_title", "T", "list_button", new string('b', 21), "list_sections", Sections], ErrorCodes.InvalidList },
        { "list without body", ["list_title", "T", "list_button", "Open", "list_sections", Sections], ErrorCodes.InvalidList },
        { "unknown priority", ["text", "hi", "priority", "asap"], ErrorCodes.InvalidPriority },
        { "priority out of range", ["text", "hi", "priority", "11"], ErrorCodes.InvalidPriority },
        { "priority zero", ["text", "hi", "priority", "0"], ErrorCodes.InvalidPriority },
        { "idempotency key too long", ["text", "hi", "idempotency_key", new string('k', 129)], ErrorCodes.InvalidIdempotencyKey },
        { "declared type disagrees", ["text", "hi", "type", "image"], ErrorCodes.MessageTypeMismatch },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public void Refuses_bad_input_with_a_400_and_a_stable_error_code(string because, string[] pairs, string expectedCode)
    {
        var result = SendRequestParser.Parse(Fields(pairs));

        Assert.False(result.IsSuccess, because);
        Assert.Equal(400, result.Error!.Status);
        Assert.Equal(expectedCode, result.Error.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
    }

    [Theory]
    [InlineData("phone", "recipient")]
    [InlineData("msg", "text")]
    [InlineData("photo", "file")]
    public void A_wrong_field_name_gets_a_hint_naming_the_right_one(string wrong, string right)
    {
        var fields = Fields(wrong, "x");
        if (right == "recipient")
        {
            fields.Remove("recipient");
        }

        var error = SendRequestParser.Parse(fields).Error!;

        Assert.Contains($"'{right}'", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Conflicting_types_are_named_in_the_error()
    {
        var error = SendRequestParser.Parse(Fields("file", "https://example.com/a.jpg", "latitude", "1", "longitude", "2")).Error!;

        Assert.Contains("image", error.Message, StringComparison.Ordinal);
        Assert.Contains("location", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("+14155550123", "+14155550123")]
    [InlineData("14155550123", "+14155550123")]
    [InlineData("+1 (415) 555-0123", "+14155550123")]
    [InlineData("+44 20 7183 8750", "+442071838750")]
    [InlineData("6281234567890", "+6281234567890")]
    [InlineData(" 120363025246125486@g.us ", "120363025246125486@g.us")]
    [InlineData("14155550123-1585234567@G.US", "14155550123-1585234567@g.us")]
    public void Recipients_are_returned_in_E164(string input, string expected)
    {
        var result = SendRequestParser.Parse(Fields("recipient", input, "text", "hi"));

        Assert.Equal(expected, result.Request!.Recipient);
    }

    [Theory]
    [InlineData(null, 5, "normal", Lane.Normal)]
    [InlineData("otp", 1, "otp", Lane.Otp)]
    [InlineData("URGENT", 2, "urgent", Lane.High)]
    [InlineData("high", 3, "high", Lane.High)]
    [InlineData("normal", 5, "normal", Lane.Normal)]
    [InlineData("bulk", 7, "bulk", Lane.Bulk)]
    [InlineData("low", 9, "low", Lane.Bulk)]
    [InlineData("1", 1, "otp", Lane.Otp)]
    [InlineData("4", 4, "high", Lane.High)]
    [InlineData("6", 6, "normal", Lane.Normal)]
    [InlineData("10", 10, "low", Lane.Bulk)]
    public void Priorities_map_to_a_value_a_label_and_a_lane(string? input, int value, string label, Lane lane)
    {
        var request = SendRequestParser.Parse(input is null ? Fields("text", "hi") : Fields("text", "hi", "priority", input)).Request!;

        Assert.Equal(value, request.Priority.Value);
        Assert.Equal(label, request.Priority.Label);
        Assert.Equal(lane, request.Priority.Lane);
    }

    [Fact]
    public void Buttons_keep_their_order_and_default_ids()
    {
        var content = (ButtonsContent)SendRequestParser.Parse(Fields("text", "Pick", "button1", "Yes", "button2", "No", "button2id", "no")).Request!.Content;

        Assert.Equal([new ReplyButton("button1", "Yes"), new ReplyButton("no", "No")], content.Buttons);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("false", false)]
    [InlineData("true", true)]
    [InlineData("1", true)]
    [InlineData("TRUE", true)]
    public void Audio_is_an_audio_file_unless_ptt_makes_it_a_voice_note(string? ptt, bool voiceNote)
    {
        var fields = ptt is null ? Fields("audio", "https://example.com/a.ogg") : Fields("audio", "https://example.com/a.ogg", "ptt", ptt);

        Assert.Equal(voiceNote, ((AudioContent)SendRequestParser.Parse(fields).Request!.Content).Ptt);
    }

    [Fact]
    public void Smess_copy_code_example_is_its_text_with_the_code_and_a_labelled_button()
    {
        // SMESS's own example, as its documentation writes it.
        var parsed = SendRequestParser.Parse(Fields("text", "Your verification code is:", "copycode", "482916", "copytext", "Tap to Copy", "priority", "otp", "idempotency_key", "otp-user-123-1782466132"));

        Assert.Null(parsed.Error);
        Assert.Equal(new CopyCodeContent("482916", "Your verification code is:", "Tap to Copy"), parsed.Request!.Content);
    }

    [Fact]
    public void A_copy_button_label_longer_than_whatsapp_allows_is_refused()
    {
        var parsed = SendRequestParser.Parse(Fields("text", "Code:", "copycode", "482916", "copytext", new string('x', 26)));

        Assert.Equal(ErrorCodes.InvalidCopyCode, parsed.Error!.Code);
    }

    [Fact]
    public void Url_and_call_buttons_keep_their_labels_and_targets_with_the_number_normalised()
    {
        var content = (CallToActionContent)SendRequestParser.Parse(Fields(
            "text", "Your order has shipped", "url_button_text", " Track ", "url_button_url", "https://example.com/track?id=1&x=2",
            "call_button_text", "Call us", "call_button_phone", "+1 (415) 555-0100", "footer", "Acme Inc.")).Request!.Content;

        Assert.Equal("Your order has shipped", content.Text);
        Assert.Equal(new UrlButton("Track", new Uri("https://example.com/track?id=1&x=2")), content.Url);
        Assert.Equal(new CallButton("Call us", "+14155550100"), content.Call);
        Assert.Equal("Acme Inc.", content.Footer);
    }

    [Fact]
    public void A_poll_keeps_its_options_in_order_and_may_allow_several_answers()
    {
        var poll = (PollContent)SendRequestParser.Parse(Fields("poll_question", " Which day suits you? ", "poll_options", "[\"Monday\",\" Tuesday \",\"Friday\"]", "poll_multiple", "true")).Request!.Content;

        Assert.Equal(new PollContent("Which day suits you?", ["Monday", "Tuesday", "Friday"], MultipleAnswers: true), poll);
    }

    [Fact]
    public void List_rows_accept_rowId_or_id()
    {
        var content = (ListContent)SendRequestParser.Parse(Fields("text", "Menu", "list_title", "T", "list_button", "Open", "list_sections", """[{"rows":[{"id":"a","title":"A"},{"rowId":"b","title":"B","description":"bee"}]}]""")).Request!.Content;

        Assert.Equal(["a", "b"], content.Sections.Single().Rows.Select(r => r.RowId));
        Assert.Equal("bee", content.Sections.Single().Rows[1].Description);
    }

    [Fact]
    public void Same_request_spelled_differently_has_the_same_fingerprint()
    {
        var a = SendRequestParser.Parse(Fields("recipient", "+1 415 555 0123", "text", "hi", "priority", "normal")).Request!;
        var b = SendRequestParser.Parse(Fields("recipient", "14155550123", "text", "hi", "priority", "5")).Request!;
        var c = SendRequestParser.Parse(Fields("recipient", "14155550123", "text", "hi!", "priority", "5")).Request!;

        Assert.Equal(a.Fingerprint(), b.Fingerprint());
        Assert.NotEqual(a.Fingerprint(), c.Fingerprint());
    }
}
