using System.Text.RegularExpressions;
using WaServerless.Core.Messages;

namespace WaServerless.Core.Bulk;

/// <summary>
/// Per-recipient variables in a campaign's text: "Hi {{name}}, your code is {{ code }}." Fills the
/// text of a text message, the caption or body of the others, and the parameters of a WhatsApp
/// template message (body, text header, buttons); a variable the recipient lacks becomes empty.
/// Placeholder names are letters, digits, '_', '-' and '.'.
/// </summary>
public static partial class CampaignTemplate
{
    public static IReadOnlySet<string> Placeholders(MessageContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in Texts(content))
        {
            foreach (Match m in Placeholder().Matches(text))
            {
                names.Add(m.Groups[1].Value);
            }
        }

        return names;
    }

    public static MessageContent Render(MessageContent content, IReadOnlyDictionary<string, string>? variables)
    {
        ArgumentNullException.ThrowIfNull(content);
        string Fill(string text) => Placeholder().Replace(text, m => variables is not null && variables.TryGetValue(m.Groups[1].Value, out var v) ? v : string.Empty);
        string? FillOptional(string? text) => text is null ? null : Fill(text);

        return content switch
        {
            TextContent t => t with { Text = Fill(t.Text) },
            ImageContent i => i with { Caption = FillOptional(i.Caption) },
            VideoContent v => v with { Caption = FillOptional(v.Caption) },
            DocumentContent d => d with { Caption = FillOptional(d.Caption) },
            ButtonsContent b => b with { Body = Fill(b.Body) },
            CopyCodeContent c => c with { Text = FillOptional(c.Text) },
            ListContent l => l with { Body = Fill(l.Body) },
            PollContent p => p with { Question = Fill(p.Question) },
            CallToActionContent a => a with { Text = Fill(a.Text) },
            AlbumContent al => al with { Caption = FillOptional(al.Caption) },
            CarouselContent cr => cr with { Text = FillOptional(cr.Text) },
            TemplateContent w => w with
            {
                BodyParameters = [.. w.BodyParameters.Select(Fill)],
                Header = w.Header is { Kind: TemplateHeaderKind.Text } h ? h with { Text = FillOptional(h.Text) } : w.Header,
                Buttons = [.. w.Buttons.Select(b => b with { Value = Fill(b.Value) })],
            },
            _ => content,
        };
    }

    private static IEnumerable<string> Texts(MessageContent content) => content switch
    {
        TextContent t => [t.Text],
        ImageContent { Caption: { } c } => [c],
        VideoContent { Caption: { } c } => [c],
        DocumentContent { Caption: { } c } => [c],
        ButtonsContent b => [b.Body],
        CopyCodeContent { Text: { } c } => [c],
        ListContent l => [l.Body],
        PollContent p => [p.Question],
        CallToActionContent a => [a.Text],
        AlbumContent { Caption: { } caption } => [caption],
        CarouselContent { Text: { } text } => [text],
        TemplateContent w => TemplateTexts(w),
        _ => [],
    };

    private static IEnumerable<string> TemplateTexts(TemplateContent template)
    {
        foreach (var value in template.BodyParameters)
        {
            yield return value;
        }

        if (template.Header is { Kind: TemplateHeaderKind.Text, Text: { } header })
        {
            yield return header;
        }

        foreach (var button in template.Buttons)
        {
            yield return button.Value;
        }
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Placeholder();
}
