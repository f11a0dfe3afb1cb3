using System.Text.Json;
using WaServerless.Core.Errors;
using WaServerless.Core.Text;

namespace WaServerless.Core.Bulk;

/// <summary>
/// The three ways recipients arrive, each fed row by row into a <see cref="RecipientListBuilder"/>:
/// a JSON array, a CSV file with a header row, or a plain list of numbers in a form field.
/// </summary>
public static class RecipientSources
{
    /// <summary>The CSV column that holds the numbers, unless the request names another in recipient_column.</summary>
    public const string DefaultRecipientColumn = "recipient";

    private const string VariablesProperty = "variables";

    /// <summary>
    /// A JSON array whose items are numbers as strings ("+14155550123"), or objects
    /// {"recipient": "+14155550123", "variables": {"name": "Ada"}}; other properties of such an
    /// object are variables too ({"recipient": "...", "name": "Ada"}). Rows are numbered from 1.
    /// </summary>
    public static void ReadJsonArray(JsonElement array, RecipientListBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Invalid("'recipients' must be a JSON array of numbers or of {\"recipient\", \"variables\"} objects.");
        }

        var row = 0;
        foreach (var item in array.EnumerateArray())
        {
            row++;
            switch (item.ValueKind)
            {
                case JsonValueKind.String:
                    builder.Add(row, item.GetString(), null);
                    break;
                case JsonValueKind.Number:
                    builder.Add(row, item.GetRawText(), null);
                    break;
                case JsonValueKind.Object:
                    ReadJsonObject(row, item, builder);
                    break;
                default:
                    builder.RejectRow(row, Clip.Preview(item.GetRawText()), ErrorCodes.InvalidRow, "Each recipient is a phone number string or an object with 'recipient'.");
                    break;
            }
        }
    }

    /// <summary>
    /// CSV with a header row: the column named <paramref name="recipientColumn"/> holds the numbers,
    /// every other column is a variable of that name ({{name}} matches the column "name" or "Name").
    /// The delimiter (comma, semicolon or tab) is detected from the header.
    /// </summary>
    public static void ReadCsv(string text, string recipientColumn, RecipientListBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(recipientColumn);
        ArgumentNullException.ThrowIfNull(builder);
        try
        {
            ReadCsvOrThrow(text, recipientColumn, builder);
        }
        catch (CsvFormatException e)
        {
            throw Invalid($"The CSV cannot be read: {e.Message}", "Quote a field that holds the delimiter, a line break or a quote, and write a quote inside it as \"\".");
        }
    }

    /// <summary>Numbers in one text field, separated by commas, semicolons or line breaks.</summary>
    public static void ReadList(string text, RecipientListBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(builder);
        var row = 0;
        foreach (var part in text.Split([',', ';', '\n', '\r'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            builder.Add(++row, part, null);
        }
    }

    private static void ReadJsonObject(int row, JsonElement item, RecipientListBuilder builder)
    {
        string? recipient = null;
        var hasRecipient = false;
        var variables = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        string? problem = null;
        foreach (var property in item.EnumerateObject())
        {
            if (property.NameEquals(DefaultRecipientColumn))
            {
                hasRecipient = true;
                recipient = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number => property.Value.GetRawText(),
                    _ => null,
                };
            }
            else if (property.NameEquals(VariablesProperty))
            {
                if (property.Value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    problem = "'variables' must be an object of names and values.";
                    continue;
                }

                foreach (var variable in property.Value.EnumerateObject())
                {
                    if (!variables.TryAdd(variable.Name, variable.Value))
                    {
                        problem = $"Variable '{Clip.Preview(variable.Name)}' is given twice.";
                    }
                }
            }
            else if (!variables.TryAdd(property.Name, property.Value))
            {
                problem = $"Variable '{Clip.Preview(property.Name)}' is given twice.";
            }
        }

        var input = recipient ?? (hasRecipient ? Clip.Preview(item.GetRawText()) : string.Empty);
        if (problem is not null)
        {
            builder.RejectRow(row, input, ErrorCodes.InvalidVariables, problem);
            return;
        }

        builder.Add(row, recipient ?? (hasRecipient ? input : null), name =>
        {
            if (!variables.TryGetValue(name, out var value))
            {
                return null;
            }

            return value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => null,
                _ => throw new RowException(ErrorCodes.InvalidVariables, $"Variable '{name}' must be a string, number or boolean."),
            };
        });
    }

    private static void ReadCsvOrThrow(string text, string recipientColumn, RecipientListBuilder builder)
    {
        var reader = new CsvReader(text, CsvReader.DetectDelimiter(text.TrimStart('\uFEFF')));
        var cells = new List<string>();
        if (!reader.TryRead(cells, out _) || cells.All(string.IsNullOrWhiteSpace))
        {
            throw Invalid("The CSV is empty: its first row must be a header naming the columns.", $"For example: {DefaultRecipientColumn},name");
        }

        var header = cells.ToArray();
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Length; i++)
        {
            if (header[i].Length == 0)
            {
                continue;
            }

            if (!columns.TryAdd(header[i], i))
            {
                throw Invalid($"The CSV header names the column '{Clip.Preview(header[i])}' twice.", "Give every column its own name.");
            }
        }

        if (!columns.TryGetValue(recipientColumn, out var recipientIndex))
        {
            var found = string.Join(", ", header.Where(h => h.Length > 0).Take(10).Select(h => "'" + Clip.Preview(h) + "'"));
            var looksLikeData = header.Any(h => Core.Sending.PhoneNumberNormalizer.TryNormalize(h) is not null);
            throw Invalid(
                $"The CSV has no '{Clip.Preview(recipientColumn)}' column (its header row has {(found.Length == 0 ? "no names" : found)}).",
                looksLikeData
                    ? $"The first row must be a header naming the columns, for example: {DefaultRecipientColumn},name"
                    : $"Name the column of phone numbers '{DefaultRecipientColumn}', or give its name in the field recipient_column.");
        }

        var missing = builder.Placeholders.Where(p => !columns.ContainsKey(p) || columns[p] == recipientIndex).ToList();
        if (missing.Count > 0)
        {
            throw new ApiErrorException(ApiError.BadRequest(
                ErrorCodes.InvalidTemplate,
                $"The text uses {string.Join(", ", missing.Select(m => "{{" + m + "}}"))}, but the CSV has no such column.",
                "Add a column of that name to the CSV, or change the placeholder."));
        }

        var placeholderColumns = builder.Placeholders.ToDictionary(p => p, p => columns[p], StringComparer.Ordinal);
        while (reader.TryRead(cells, out var row))
        {
            if (cells.Count == 1 && cells[0].Length == 0)
            {
                continue; // a blank line
            }

            if (cells.Count > header.Length && cells.Skip(header.Length).Any(c => c.Length > 0))
            {
                builder.RejectRow(row, recipientIndex < cells.Count ? cells[recipientIndex] : string.Empty, ErrorCodes.InvalidRow, $"The row has {cells.Count} cells; the header has {header.Length} columns.");
                continue;
            }

            var values = cells;
            builder.Add(row, recipientIndex < values.Count ? values[recipientIndex] : null, name =>
                placeholderColumns.TryGetValue(name, out var index) && index < values.Count ? values[index] : null);
        }
    }

    private static ApiErrorException Invalid(string message, string? hint = null) =>
        new(ApiError.BadRequest(ErrorCodes.InvalidRecipients, message, hint));

}
