using System.Text.Json;
using WaServerless.Core.Bulk;
using WaServerless.Core.Errors;
using WaServerless.Core.Messages;

namespace WaServerless.Core.Tests;

/// <summary>The pure parts of POST /api/bulk: CSV, recipient sources, the recipient list and the campaign's fields.</summary>
public sealed class BulkParsersTests
{
    private static readonly CampaignIntervalLimits Limits = new(TimeSpan.FromSeconds(2), TimeSpan.FromDays(1));

    [Theory]
    [InlineData("recipient,name\n+14155550100,Ada", ',')]
    [InlineData("recipient;name\n+14155550100;Ada", ';')]
    [InlineData("recipient\tname\n+14155550100\tAda", '\t')]
    public void The_csv_delimiter_is_detected_from_the_header(string text, char delimiter) =>
        Assert.Equal(delimiter, CsvReader.DetectDelimiter(text));

    [Fact]
    public void Quoted_csv_fields_keep_delimiters_line_breaks_and_doubled_quotes()
    {
        var reader = new CsvReader("a,b\n\"x, y\",\"say \"\"hi\"\"\nthere\"\n", ',');
        var fields = new List<string>();

        Assert.True(reader.TryRead(fields, out _));
        Assert.Equal(["a", "b"], fields);
        Assert.True(reader.TryRead(fields, out _));
        Assert.Equal(["x, y", "say \"hi\"\nthere"], fields);
    }

    [Theory]
    [InlineData("recipient,name\n+14155550100,Ada\n+14155550101,Bob\n+1 415 555 0100,Ada again", 2, 0, 1)]
    [InlineData("Recipient,name\n+14155550100,Ada\nnot a number,Bob\n,Eve", 1, 2, 0)]
    public void Csv_rows_become_recipients_with_bad_and_repeated_rows_counted(string csv, int recipients, int invalid, int duplicates)
    {
        var builder = new RecipientListBuilder(new TextContent("Hi {{name}}"), 100, 10);

        RecipientSources.ReadCsv(csv, RecipientSources.DefaultRecipientColumn, builder);

        Assert.Equal((recipients, invalid, duplicates), (builder.Recipients.Count, builder.Invalid, builder.Duplicates));
        Assert.Equal("Ada", builder.Recipients[0].Variables!["name"]);
    }

    [Fact]
    public void Json_recipients_take_strings_numbers_and_objects_with_variables_and_reject_the_rest_by_row()
    {
        var builder = new RecipientListBuilder(new TextContent("Hi {{name}}"), 100, 10);
        using var json = JsonDocument.Parse("""["+14155550100", 14155550101, {"recipient": "+14155550102", "variables": {"name": "Ada"}}, {"recipient": "+14155550103", "name": "Bob"}, true]""");

        RecipientSources.ReadJsonArray(json.RootElement, builder);

        Assert.Equal(["+14155550100", "+14155550101", "+14155550102", "+14155550103"], builder.Recipients.Select(r => r.Recipient));
        Assert.Equal("Ada", builder.Recipients[2].Variables!["name"]);
        Assert.Equal("Bob", builder.Recipients[3].Variables!["name"]);
        var error = Assert.Single(builder.Errors);
        Assert.Equal((5, ErrorCodes.InvalidRow), (error.Row, error.ErrorCode));
    }

    [Fact]
    public void A_list_field_splits_on_commas_semicolons_and_lines()
    {
        var builder = new RecipientListBuilder(new TextContent("Hi"), 100, 10);

        RecipientSources.ReadList("+14155550100, +14155550101;\n+14155550102", builder);

        Assert.Equal(3, builder.Recipients.Count);
    }

    [Theory]
    [InlineData("interval_seconds", "-1")]
    [InlineData("interval_seconds", "86401")]
    [InlineData("interval_seconds", "soon")]
    [InlineData("window_start", "09:00")]
    [InlineData("time_zone", "Mars/Olympus_Mons")]
    public void Campaign_spacing_out_of_bounds_is_refused_as_invalid_schedule(string field, string value)
    {
        var fields = new Dictionary<string, string> { ["text"] = "Hi", [field] = value };

        var e = Assert.Throws<ApiErrorException>(() => BulkCampaignRequestParser.Parse(fields, Limits));

        Assert.Equal(ErrorCodes.InvalidSchedule, e.Error.Code);
    }

    [Fact]
    public void Campaign_spacing_defaults_to_the_hosts_interval_and_takes_a_window_in_a_time_zone()
    {
        var plain = BulkCampaignRequestParser.Parse(new Dictionary<string, string> { ["text"] = "Hi" }, Limits);
        var windowed = BulkCampaignRequestParser.Parse(new Dictionary<string, string> { ["text"] = "Hi", ["interval_seconds"] = "0.5", ["window_start"] = "09:00", ["window_end"] = "20:00", ["time_zone"] = "Europe/Berlin" }, Limits);

        Assert.Equal(TimeSpan.FromSeconds(2), plain.Spacing.Interval);
        Assert.Equal(new CampaignSpacing(TimeSpan.FromSeconds(0.5), windowed.Spacing.Jitter, new TimeOnly(9, 0), new TimeOnly(20, 0), "Europe/Berlin"), windowed.Spacing);
    }

    [Fact]
    public void A_single_recipient_field_is_refused_with_a_pointer_to_recipients()
    {
        var e = Assert.Throws<ApiErrorException>(() => BulkCampaignRequestParser.Parse(new Dictionary<string, string> { ["text"] = "Hi", ["recipient"] = "+14155550100" }, Limits));

        Assert.Equal(ErrorCodes.UnknownField, e.Error.Code);
        Assert.Contains("recipients", e.Error.Message, StringComparison.Ordinal);
    }
}
