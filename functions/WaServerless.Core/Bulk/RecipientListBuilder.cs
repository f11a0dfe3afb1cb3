using WaServerless.Core.Errors;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;

namespace WaServerless.Core.Bulk;

/// <summary>One row that is not in the campaign, and why: its row number, what it held, the error code.</summary>
public sealed record RecipientRowError(int Row, string Input, string ErrorCode, string Error);

/// <summary>
/// Collects a campaign's recipients row by row, whatever they came as: each is validated and
/// normalised to E.164, de-duplicated (the first row wins), its variables checked and, when the
/// content is a template, the message it makes checked against WhatsApp's limits. Rows that fail are
/// reported and left out; only the first <c>maxReported</c> errors are kept, the rest counted. Only
/// the variables the template uses are kept, under the placeholder's own spelling.
/// </summary>
public sealed class RecipientListBuilder
{
    /// <summary>Longest value of one variable, and of all of one recipient's variables together.</summary>
    public const int MaxVariableLength = 1024;

    public const int MaxVariablesLength = 8192;

    private const int MaxInputEcho = 64;

    private readonly Dictionary<string, int> _rowOf = new(StringComparer.Ordinal);
    private readonly List<CampaignRecipient> _recipients = [];
    private readonly List<RecipientRowError> _errors = [];
    private readonly HashSet<string> _provided = new(StringComparer.Ordinal);
    private readonly MessageContent _content;
    private readonly int _maxRows;
    private readonly int _maxReported;

    public RecipientListBuilder(MessageContent content, int maxRows, int maxReported)
    {
        ArgumentNullException.ThrowIfNull(content);
        _content = content;
        _maxRows = maxRows;
        _maxReported = maxReported;
        Placeholders = [.. CampaignTemplate.Placeholders(content).Order(StringComparer.Ordinal)];
    }

    /// <summary>The template's placeholder names; empty when the content is not a template.</summary>
    public IReadOnlyList<string> Placeholders { get; }

    public IReadOnlyList<CampaignRecipient> Recipients => _recipients;

    /// <summary>The first errors, in row order.</summary>
    public IReadOnlyList<RecipientRowError> Errors => _errors;

    /// <summary>Rows seen (blank CSV lines are not rows).</summary>
    public int Rows { get; private set; }

    /// <summary>Rows left out for an error other than being a duplicate.</summary>
    public int Invalid { get; private set; }

    public int Duplicates { get; private set; }

    public int ErrorCount => Invalid + Duplicates;

    /// <summary>Placeholders that at least one recipient gave a value for.</summary>
    public IReadOnlySet<string> Provided => _provided;

    /// <summary>
    /// One row. <paramref name="variable"/> looks up a variable by placeholder name (case-insensitively
    /// where the source allows) and returns null when the row has none; it may throw
    /// <see cref="RowException"/> to reject the row.
    /// </summary>
    public void Add(int row, string? recipient, Func<string, string?>? variable)
    {
        CountRow();
        var input = recipient?.Trim() ?? string.Empty;
        if (input.Length == 0)
        {
            Reject(row, input, ErrorCodes.MissingRecipient, "The row has no recipient.");
            return;
        }

        var normalized = PhoneNumberNormalizer.TryNormalize(input);
        if (normalized is null)
        {
            Reject(row, input, ErrorCodes.InvalidRecipient, "Not a valid phone number; use international format with the country code, for example +14155550123.");
            return;
        }

        Dictionary<string, string>? variables = null;
        if (Placeholders.Count > 0)
        {
            variables = new Dictionary<string, string>(StringComparer.Ordinal);
            var total = 0;
            try
            {
                foreach (var name in Placeholders)
                {
                    var value = variable?.Invoke(name);
                    if (value is null)
                    {
                        continue;
                    }

                    if (value.Length > MaxVariableLength)
                    {
                        throw new RowException(ErrorCodes.InvalidVariables, $"Variable '{name}' is {value.Length} characters; at most {MaxVariableLength}.");
                    }

                    total += value.Length;
                    variables[name] = value;
                }
            }
            catch (RowException e)
            {
                Reject(row, input, e.Code, e.Message);
                return;
            }

            if (total > MaxVariablesLength)
            {
                Reject(row, input, ErrorCodes.InvalidVariables, $"The row's variables are {total} characters together; at most {MaxVariablesLength}.");
                return;
            }

            var rendered = CampaignTemplate.Render(_content, variables);
            if (TooLong(rendered) is { } tooLong)
            {
                Reject(row, input, ErrorCodes.TextTooLong, tooLong);
                return;
            }

            // A template's filled parameters must still be ones WhatsApp takes: not empty, one line.
            if (rendered is TemplateContent template && TemplateRules.Check(template) is { } problem)
            {
                Reject(row, input, problem.Code, $"With this row's variables: {problem.Message}");
                return;
            }
        }

        if (_rowOf.TryGetValue(normalized, out var first))
        {
            Duplicates++;
            Report(new RecipientRowError(row, Echo(input), ErrorCodes.DuplicateRecipient, $"{normalized} is already in the campaign (row {first})."));
            return;
        }

        _rowOf.Add(normalized, row);
        if (variables is not null)
        {
            _provided.UnionWith(variables.Keys);
        }

        _recipients.Add(new CampaignRecipient(normalized, variables is { Count: > 0 } ? variables : null));
    }

    /// <summary>A row that cannot be read at all (not a recipient, or its shape is wrong).</summary>
    public void RejectRow(int row, string input, string code, string error)
    {
        ArgumentNullException.ThrowIfNull(input);
        CountRow();
        Reject(row, input, code, error);
    }

    private void CountRow()
    {
        Rows++;
        if (Rows > _maxRows)
        {
            throw new ApiErrorException(ApiError.BadRequest(
                ErrorCodes.InvalidRecipients,
                $"A campaign has at most {_maxRows} recipient rows; this one has more.",
                "Split the recipients over several campaigns."));
        }
    }

    private void Reject(int row, string input, string code, string error)
    {
        Invalid++;
        Report(new RecipientRowError(row, Echo(input), code, error));
    }

    private void Report(RecipientRowError error)
    {
        if (_errors.Count < _maxReported)
        {
            _errors.Add(error);
        }
    }

    private static string Echo(string input) =>
        input.Length <= MaxInputEcho ? input : string.Concat(input.AsSpan(0, MaxInputEcho), "...");

    private static string? TooLong(MessageContent rendered)
    {
        static string? Check(string? text, int max, string field) =>
            text is not null && text.Length > max ? $"With this row's variables '{field}' is {text.Length} characters; the limit is {max}." : null;

        return rendered switch
        {
            TextContent t => Check(t.Text, WhatsAppLimits.TextMaxLength, "text"),
            ImageContent i => Check(i.Caption, WhatsAppLimits.CaptionMaxLength, "text"),
            VideoContent v => Check(v.Caption, WhatsAppLimits.CaptionMaxLength, "text"),
            DocumentContent d => Check(d.Caption, WhatsAppLimits.CaptionMaxLength, "text"),
            ButtonsContent b => Check(b.Body, WhatsAppLimits.InteractiveBodyMaxLength, "text"),
            CopyCodeContent c => Check(c.Text, WhatsAppLimits.InteractiveBodyMaxLength, "copytext"),
            ListContent l => Check(l.Body, WhatsAppLimits.InteractiveBodyMaxLength, "text"),
            PollContent p => Check(p.Question, WhatsAppLimits.PollQuestionMaxLength, "poll_question"),
            CallToActionContent a => Check(a.Text, WhatsAppLimits.InteractiveBodyMaxLength, "text"),
            AlbumContent al => Check(al.Caption, WhatsAppLimits.CaptionMaxLength, "caption"),
            CarouselContent cr => Check(cr.Text, WhatsAppLimits.InteractiveBodyMaxLength, "text"),
            _ => null,
        };
    }
}

/// <summary>Rejects the row being read, with an error code for the report.</summary>
public sealed class RowException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
