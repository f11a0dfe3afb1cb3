using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using WaServerless.Core.Errors;
using WaServerless.Core.Messages;
using WaServerless.Core.Text;

namespace WaServerless.Core.Sending;

/// <summary>
/// Template messages, in one of two spellings that work in every body format. A JSON object in the
/// field 'template' (nested in a JSON body, or as a string in a form): name, language, body_params,
/// header, buttons. Or flat fields, for forms: template_name, template_language, template_params (a
/// JSON array) or template_param1.., template_header (text) or template_header_image /
/// template_header_document / template_header_video (a URL), template_buttons (a JSON array).
/// </summary>
public static partial class SendRequestParser
{
    private const string TemplateObjectField = "template";
    private const string TemplateFieldPrefix = "template_";
    private const string TemplateExample = """{"name":"order_update","language":"en_US","body_params":["Ada","1042"]}""";
    private const string ButtonsExample = """[{"type":"quick_reply","payload":"stop"},{"type":"url","text":"track/1042","index":1}]""";

    private static readonly string[] TemplateObjectProperties = ["name", "language", "body_params", "header", "buttons"];
    private static readonly string[] ButtonProperties = ["type", "index", "payload", "text"];

    private static readonly Dictionary<string, TemplateHeaderKind> HeaderKinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["text"] = TemplateHeaderKind.Text,
        ["image"] = TemplateHeaderKind.Image,
        ["document"] = TemplateHeaderKind.Document,
        ["video"] = TemplateHeaderKind.Video,
    };

    private static readonly Dictionary<string, TemplateHeaderKind> HeaderFields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["template_header"] = TemplateHeaderKind.Text,
        ["template_header_image"] = TemplateHeaderKind.Image,
        ["template_header_document"] = TemplateHeaderKind.Document,
        ["template_header_video"] = TemplateHeaderKind.Video,
    };

    private static readonly string[] FlatTemplateFields =
        ["template_name", "template_language", "template_params", "template_buttons", .. HeaderFields.Keys];

    /// <summary>Every template field present: 'template' or any template_* name (a misspelt one is reported, not ignored).</summary>
    private static string[] TemplateMarkers(Fields f) =>
        [.. f.Names.Where(IsTemplateField).Order(StringComparer.OrdinalIgnoreCase)];

    private static bool IsTemplateField(string name) =>
        name.Equals(TemplateObjectField, StringComparison.OrdinalIgnoreCase) || name.StartsWith(TemplateFieldPrefix, StringComparison.OrdinalIgnoreCase);

    private static bool IsDeclared(Fields f, MessageType type) =>
        (f.Get("type") ?? f.Get("message_type")) is { } declared && MessageTypeNames.TryParse(declared, out var declaredType) && declaredType == type;

    private static TemplateContent ParseTemplate(Fields f)
    {
        var flat = f.Names.Where(n => n.StartsWith(TemplateFieldPrefix, StringComparison.OrdinalIgnoreCase)).ToList();
        if (f.Has(TemplateObjectField) && flat.Count > 0)
        {
            throw Template($"Give the template as the 'template' object or as template_* fields, not both (found '{flat[0]}').");
        }

        foreach (var other in (string[])["text", "footer"])
        {
            if (f.Has(other))
            {
                throw Fail(ErrorCodes.ConflictingMessageTypes, $"A template message has no '{other}': its text is the approved template's own.", "Give the values of its placeholders as body parameters.");
            }
        }

        var template = f.Get(TemplateObjectField) is { } json ? TemplateFromObject(json) : TemplateFromFields(f, flat);
        if (template.BodyParameters.Count > WhatsAppLimits.TemplateMaxBodyParameters)
        {
            throw Template($"A template message has at most {WhatsAppLimits.TemplateMaxBodyParameters} body parameters; this one has {template.BodyParameters.Count}.");
        }

        if (TemplateRules.Check(template) is { } problem)
        {
            throw Fail(problem.Code, problem.Message, problem.Hint);
        }

        return template;
    }

    private static TemplateContent TemplateFromFields(Fields f, List<string> flat)
    {
        var numbered = new List<int>();
        foreach (var field in flat)
        {
            if (ParamNumber(field) is { } number)
            {
                numbered.Add(number);
            }
            else if (!FlatTemplateFields.Contains(field, StringComparer.OrdinalIgnoreCase))
            {
                throw Template(
                    $"Unknown template field '{Clip.Preview(field)}'.",
                    "Template fields: template_name, template_language, template_params or template_param1.., template_header or template_header_image/_document/_video, template_buttons.");
            }
        }

        var name = TemplateName(f.Get("template_name"), "template_name");
        var language = TemplateLanguage(f.Get("template_language"), "template_language");

        List<string> body;
        if (f.Get("template_params") is { } paramsJson)
        {
            if (numbered.Count > 0)
            {
                throw Template("Give the body parameters as template_params or as template_param1.., not both.");
            }

            using var document = ParseTemplateJson(paramsJson, "template_params", """["Ada","1042"]""");
            body = BodyParameters(document.RootElement, "template_params");
        }
        else
        {
            numbered.Sort();
            body = [];
            for (var i = 0; i < numbered.Count; i++)
            {
                if (numbered[i] != i + 1)
                {
                    throw Template($"'template_param{numbered[i]}' was given but 'template_param{i + 1}' is missing or empty.", "Number the parameters from template_param1 without gaps, as the template's {{1}}, {{2}}...");
                }

                body.Add(f.Get($"template_param{numbered[i]}")!);
            }
        }

        var headers = flat.Where(HeaderFields.ContainsKey).ToList();
        if (headers.Count > 1)
        {
            throw Template($"A template has one header; the request gives {string.Join(" and ", headers)}.");
        }

        var header = headers.Count == 0 ? null : Header(HeaderFields[headers[0]], f.Get(headers[0])!, headers[0]);

        List<TemplateButton> buttons = [];
        if (f.Get("template_buttons") is { } buttonsJson)
        {
            using var document = ParseTemplateJson(buttonsJson, "template_buttons", ButtonsExample);
            buttons = Buttons(document.RootElement, "template_buttons");
        }

        return new TemplateContent(name, language, body, header, buttons);
    }

    private static TemplateContent TemplateFromObject(string json)
    {
        using var document = ParseTemplateJson(json, TemplateObjectField, TemplateExample);
        var properties = Properties(document.RootElement, TemplateObjectField, TemplateObjectProperties, TemplateExample);

        var name = TemplateName(properties.TryGetValue("name", out var n) ? TemplateString(n, "template.name") : null, "template.name");

        string? languageCode = null;
        if (properties.TryGetValue("language", out var l))
        {
            // Meta's own shape, {"code": "en_US"}, is taken as well as the plain code.
            languageCode = l.ValueKind == JsonValueKind.Object
                ? Properties(l, "template.language", ["code"], """{"code":"en_US"}""").TryGetValue("code", out var code) ? TemplateString(code, "template.language.code") : null
                : TemplateString(l, "template.language");
        }

        var language = TemplateLanguage(languageCode, "template.language");
        var body = properties.TryGetValue("body_params", out var b) && b.ValueKind != JsonValueKind.Null ? BodyParameters(b, "template.body_params") : [];

        TemplateHeader? header = null;
        if (properties.TryGetValue("header", out var h) && h.ValueKind != JsonValueKind.Null)
        {
            if (h.ValueKind == JsonValueKind.String)
            {
                header = Header(TemplateHeaderKind.Text, h.GetString()!, "template.header");
            }
            else
            {
                var parts = Properties(h, "template.header", [.. HeaderKinds.Keys], """{"text":"Order 1042"} or {"image":"https://example.com/a.jpg"}""");
                if (parts.Count != 1)
                {
                    throw Template("template.header needs exactly one of text, image, document or video.", """For example {"text":"Order 1042"} or {"document":"https://example.com/invoice.pdf"}.""");
                }

                var (kind, value) = parts.Single();
                header = Header(HeaderKinds[kind], TemplateString(value, $"template.header.{kind}") ?? string.Empty, $"template.header.{kind}");
            }
        }

        var buttons = properties.TryGetValue("buttons", out var bs) && bs.ValueKind != JsonValueKind.Null ? Buttons(bs, "template.buttons") : [];
        return new TemplateContent(name, language, body, header, buttons);
    }

    private static string TemplateName(string? name, string where)
    {
        if (name is null)
        {
            throw Template($"A template message needs '{where}': the name of an approved template.", "For example template_name=order_update, or " + TemplateExample + " in 'template'.");
        }

        return name.Length <= WhatsAppLimits.TemplateNameMaxLength && TemplateNamePattern().IsMatch(name)
            ? name
            : throw Template($"{where} '{Clip.Preview(name)}' is not a template name.", $"Template names are 1 to {WhatsAppLimits.TemplateNameMaxLength} lowercase letters, digits and underscores, as WhatsApp Manager shows them, for example order_update.");
    }

    private static string TemplateLanguage(string? language, string where)
    {
        if (language is null)
        {
            throw Template($"A template message needs '{where}': the code of the approved translation.", "For example en or en_US.");
        }

        return TemplateLanguagePattern().IsMatch(language)
            ? language
            : throw Template($"{where} '{Clip.Preview(language)}' is not a language code.", "Use the code WhatsApp Manager shows for the translation: a lowercase language, optionally '_' and an uppercase region, for example en, en_US or pt_BR.");
    }

    private static TemplateHeader Header(TemplateHeaderKind kind, string value, string where) =>
        kind == TemplateHeaderKind.Text
            ? TemplateHeader.OfText(value)
            : TemplateHeader.OfMedia(kind, MediaUrl(value.Trim(), where));

    private static List<string> BodyParameters(JsonElement array, string where)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Template($"'{where}' must be a JSON array of the body's parameter values, in order.", """For example ["Ada","1042"].""");
        }

        var values = new List<string>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            i++;
            values.Add(TemplateString(item, $"{where} item {i}") ?? throw Template($"{where} item {i} is null; every parameter needs a value."));
        }

        return values;
    }

    private static List<TemplateButton> Buttons(JsonElement array, string where)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Template($"'{where}' must be a JSON array of button parameters.", "For example " + ButtonsExample + ".");
        }

        if (array.GetArrayLength() > WhatsAppLimits.TemplateMaxButtons)
        {
            throw Template($"A template has at most {WhatsAppLimits.TemplateMaxButtons} buttons; '{where}' has {array.GetArrayLength()}.");
        }

        var buttons = new List<TemplateButton>();
        var position = 0;
        foreach (var item in array.EnumerateArray())
        {
            var here = $"{where} item {position + 1}";
            var p = Properties(item, here, ButtonProperties, ButtonsExample);
            var payload = p.TryGetValue("payload", out var pl) ? TemplateString(pl, $"{here}.payload") : null;
            var text = p.TryGetValue("text", out var tx) ? TemplateString(tx, $"{here}.text") : null;
            var type = p.TryGetValue("type", out var ty) ? TemplateString(ty, $"{here}.type") : null;
            var kind = ButtonKind(type, payload, text, here);

            var value = kind == TemplateButtonKind.QuickReply
                ? (text is null ? payload : null) ?? throw Template($"{here} is a quick_reply button: give its 'payload' (and no 'text').")
                : (payload is null ? text : null) ?? throw Template($"{here} is a url button: give the URL suffix in 'text' (and no 'payload').");

            var index = p.TryGetValue("index", out var ix) ? ButtonIndex(ix, here) : position;
            if (index >= WhatsAppLimits.TemplateMaxButtons)
            {
                throw Template($"{here} has index {index}; a template's buttons are numbered 0 to {WhatsAppLimits.TemplateMaxButtons - 1}.");
            }

            if (buttons.Any(existing => existing.Index == index))
            {
                throw Template($"Two items of '{where}' are for button {index}; give each button's parameter once.");
            }

            buttons.Add(new TemplateButton(kind, index, value));
            position++;
        }

        return buttons;
    }

    /// <summary>The type as given, or when it is left out, the one its value field implies.</summary>
    private static TemplateButtonKind ButtonKind(string? type, string? payload, string? text, string where)
    {
        if (type is null)
        {
            return (payload, text) switch
            {
                ({ }, null) => TemplateButtonKind.QuickReply,
                (null, { }) => TemplateButtonKind.Url,
                _ => throw Template($"{where} needs 'payload' (a quick-reply button) or 'text' (a URL button's suffix), and not both."),
            };
        }

        if (type.Equals("quick_reply", StringComparison.OrdinalIgnoreCase))
        {
            return TemplateButtonKind.QuickReply;
        }

        return type.Equals("url", StringComparison.OrdinalIgnoreCase)
            ? TemplateButtonKind.Url
            : throw Template($"{where} has type '{Clip.Preview(type)}'; the template buttons that take a parameter are quick_reply and url.");
    }

    private static int ButtonIndex(JsonElement index, string where)
    {
        // A form spells the index as a string as readily as a number.
        var text = index.ValueKind switch
        {
            JsonValueKind.Number => index.GetRawText(),
            JsonValueKind.String => index.GetString(),
            _ => null,
        };
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Template($"{where}.index must be a whole number from 0, the button's position in the template.");
    }

    /// <summary>A string, or a number as it was written; null for JSON null; anything else is an error.</summary>
    private static string? TemplateString(JsonElement value, string where) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.Null => null,
        _ => throw Template($"{where} must be a string."),
    };

    /// <summary>An object's properties by name (case-insensitive), refusing unknown and repeated ones.</summary>
    private static Dictionary<string, JsonElement> Properties(JsonElement element, string where, string[] allowed, string example)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Template($"'{where}' must be a JSON object.", "For example " + example + ".");
        }

        var properties = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in element.EnumerateObject())
        {
            var known = allowed.FirstOrDefault(a => a.Equals(property.Name, StringComparison.OrdinalIgnoreCase))
                ?? throw Template($"'{where}' has an unknown property '{Clip.Preview(property.Name)}'.", $"It takes {string.Join(", ", allowed)}.");
            if (!properties.TryAdd(known, property.Value))
            {
                throw Template($"'{where}' has '{known}' twice.");
            }
        }

        return properties;
    }

    private static JsonDocument ParseTemplateJson(string json, string where, string example)
    {
        try
        {
            return StrictJson.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            throw Template($"'{where}' is not valid JSON.", "For example " + example + ".");
        }
    }

    private static int? ParamNumber(string field)
    {
        var match = NumberedParamPattern().Match(field);
        return match.Success ? int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : null;
    }

    private static ApiErrorException Template(string message, string? hint = null) => Fail(ErrorCodes.InvalidTemplateMessage, message, hint);

    [GeneratedRegex(@"^[a-z0-9_]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex TemplateNamePattern();

    [GeneratedRegex(@"^[a-z]{2,3}(_[A-Z]{2})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex TemplateLanguagePattern();

    [GeneratedRegex(@"^template_param([1-9][0-9]{0,2})\z", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex NumberedParamPattern();
}
