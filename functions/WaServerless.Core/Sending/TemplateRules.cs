using WaServerless.Core.Errors;
using WaServerless.Core.Messages;

namespace WaServerless.Core.Sending;

/// <summary>What is wrong with a template message's parameters, as an error code, a message and a hint.</summary>
public sealed record TemplateProblem(string Code, string Message, string? Hint = null);

/// <summary>
/// What WhatsApp accepts in a template message's parameters. SendRequestParser checks a request with
/// it, and a bulk campaign checks each recipient's message again once its {{variables}} are filled.
/// </summary>
public static class TemplateRules
{
    private const string OneLineHint = "Put line breaks and layout in the template's own text; a parameter is one line.";

    /// <summary>The first problem found, or null when WhatsApp should take every parameter.</summary>
    public static TemplateProblem? Check(TemplateContent template)
    {
        ArgumentNullException.ThrowIfNull(template);

        // Meta allows longer body parameters only when the body is the one component the message fills.
        var bodyOnly = template.Header is null && template.Buttons.Count == 0;
        var bodyMax = bodyOnly ? WhatsAppLimits.TemplateBodyOnlyParameterMaxLength : WhatsAppLimits.TemplateBodyParameterMaxLength;
        var total = 0;
        for (var i = 0; i < template.BodyParameters.Count; i++)
        {
            var value = template.BodyParameters[i];
            if (CheckText(value, $"body parameter {i + 1}", bodyMax, bodyOnly ? null : " when the message also fills a header or buttons") is { } problem)
            {
                return problem;
            }

            total += value.Length;
        }

        if (template.Header is { Kind: TemplateHeaderKind.Text } header)
        {
            if (CheckText(header.Text, "the header parameter", WhatsAppLimits.TemplateHeaderTextMaxLength, null) is { } problem)
            {
                return problem;
            }

            total += header.Text!.Length;
        }

        foreach (var button in template.Buttons)
        {
            var where = $"the parameter of button {button.Index}";
            var max = button.Kind == TemplateButtonKind.Url ? WhatsAppLimits.TemplateUrlSuffixMaxLength : WhatsAppLimits.TemplateButtonPayloadMaxLength;
            if (string.IsNullOrWhiteSpace(button.Value))
            {
                return Empty(where);
            }

            if (button.Value.Length > max)
            {
                return new(ErrorCodes.TextTooLong, $"{Capital(where)} is {button.Value.Length} characters; the limit is {max}.");
            }

            if (button.Value.Any(char.IsControl))
            {
                return new(ErrorCodes.InvalidTemplateMessage, $"{Capital(where)} has a control character (a newline or a tab).");
            }

            total += button.Value.Length;
        }

        return total > WhatsAppLimits.TemplateParametersMaxTotalLength
            ? new(ErrorCodes.TextTooLong, $"The template's parameters are {total} characters in all; the limit is {WhatsAppLimits.TemplateParametersMaxTotalLength}.")
            : null;
    }

    private static TemplateProblem? CheckText(string? value, string where, int max, string? condition)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Empty(where);
        }

        if (value.Length > max)
        {
            return new(ErrorCodes.TextTooLong, $"{Capital(where)} is {value.Length} characters; the limit is {max}{condition}.");
        }

        return value.IndexOfAny(['\n', '\r', '\t']) >= 0 || value.Contains(new string(' ', WhatsAppLimits.TemplateMaxConsecutiveSpaces + 1), StringComparison.Ordinal)
            ? new(ErrorCodes.InvalidTemplateMessage, $"{Capital(where)} has a newline, a tab or more than {WhatsAppLimits.TemplateMaxConsecutiveSpaces} spaces in a row, which WhatsApp refuses in a parameter.", OneLineHint)
            : null;
    }

    private static TemplateProblem Empty(string where) =>
        new(ErrorCodes.InvalidTemplateMessage, $"{Capital(where)} is empty; WhatsApp needs a value for every parameter.", "Every placeholder the template has needs a value of at least one visible character.");

    private static string Capital(string text) => string.Concat(text[..1].ToUpperInvariant(), text.AsSpan(1));
}
