using System.Text.Json;

namespace WaServerless.Infra.Tests;

public class MonitoringTests
{
    // The OpenTelemetry instruments of the meter "WaServerless".
    public static readonly TheoryData<string> Instruments =
    [
        "waserverless.messages.accepted",
        "waserverless.messages.sent",
        "waserverless.messages.delivered",
        "waserverless.messages.read",
        "waserverless.messages.failed",
        "waserverless.queue.age",
        "waserverless.send.latency",
        "waserverless.sessions",
        "waserverless.sessions.reconnects",
        "waserverless.webhooks.deliveries",
        "waserverless.webhooks.failures",
        "waserverless.ratelimit.rejections",
    ];

    private static readonly Lazy<JsonDocument> Workbook = new(() => JsonDocument.Parse(
        File.ReadAllText(RepoPaths.Combine("infra", "monitor", "workbook.json"))));

    [Fact]
    public void Workbook_is_a_workbook_document()
    {
        var root = Workbook.Value.RootElement;

        Assert.Equal("Notebook/1.0", root.GetProperty("version").GetString());
        Assert.True(root.GetProperty("items").GetArrayLength() > 3);
    }

    [Theory]
    [MemberData(nameof(Instruments))]
    public void Workbook_charts_each_instrument(string instrument)
    {
        var queries = Queries().ToList();

        Assert.Contains(queries, query => query.Contains($"'{instrument}'", StringComparison.Ordinal));
    }

    [Fact]
    public void Workbook_charts_requests_and_failures()
    {
        var queries = Queries().ToList();

        Assert.Contains(queries, query => query.TrimStart().StartsWith("requests", StringComparison.Ordinal) && query.Contains("success == false", StringComparison.Ordinal));
    }

    [Fact]
    public void Workbook_queries_target_application_insights()
    {
        foreach (var item in QueryItems())
        {
            Assert.Equal("microsoft.insights/components", item.GetProperty("resourceType").GetString());
            Assert.Equal("TimeRange", item.GetProperty("timeContextFromParameter").GetString());
        }
    }

    [Fact]
    public void Workbook_is_deployed_by_the_bicep()
    {
        var main = MainTemplate.Compiled;
        var workbook = main.AllResources("Microsoft.Insights/workbooks").Single();

        Assert.Equal("shared", workbook.StringProperty("kind"));
        Assert.StartsWith("[guid(", workbook.StringProperty("name"), StringComparison.Ordinal);
        // loadJsonContent inlines the JSON into the compiled template.
        foreach (var instrument in Instruments)
        {
            Assert.Contains(instrument, workbook.Owner.Text, StringComparison.Ordinal);
        }

        var url = main.Root.GetProperty("outputs").GetProperty("workbookUrl").GetProperty("value").GetString();
        Assert.Contains("workbook", url, StringComparison.Ordinal);
        Assert.Contains("/workbook'", workbook.Owner.Root.GetProperty("outputs").GetProperty("url").GetProperty("value").GetString(), StringComparison.Ordinal);
    }

    public static readonly TheoryData<string, string> LogAlerts = new()
    {
        { "sessions-disconnected", "waserverless.sessions" },
        { "message-failure-rate", "waserverless.messages.failed" },
        { "queue-age", "waserverless.queue.age" },
        { "webhook-failure-rate", "waserverless.webhooks.failures" },
    };

    [Theory]
    [MemberData(nameof(LogAlerts))]
    public void Log_alert_rule_exists(string nameSuffix, string instrument)
    {
        var alerts = MainTemplate.Compiled.TemplateDeclaring("Microsoft.Insights/scheduledQueryRules");
        var rules = alerts.Variable("logAlerts") ?? throw new InvalidOperationException("no logAlerts variable");

        var rule = rules.EnumerateArray().Single(candidate =>
            (candidate.GetProperty("name").GetString() ?? "").Contains($"-{nameSuffix}'", StringComparison.Ordinal));
        var query = rule.GetProperty("query").ToString();
        Assert.Contains(instrument, query, StringComparison.Ordinal);
        Assert.Contains("customMetrics", query, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(rule.GetProperty("metricMeasureColumn").GetString()));
        Assert.Contains(rule.GetProperty("metricMeasureColumn").GetString()!, query, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_alert_rules_are_deployed_for_every_definition()
    {
        var alerts = MainTemplate.Compiled.TemplateDeclaring("Microsoft.Insights/scheduledQueryRules");
        var rule = alerts.OwnResources().Single(resource => resource.Type == "Microsoft.Insights/scheduledQueryRules");

        Assert.Equal("[length(variables('logAlerts'))]", rule.Property("copy", "count")?.GetString());
        Assert.Equal("LogAlert", rule.StringProperty("kind"));
        Assert.Equal("[variables('actionGroupIds')]", rule.StringProperty("properties", "actions", "actionGroups"));
    }

    [Fact]
    public void Dead_letter_alert_watches_the_service_bus_metric()
    {
        var alert = MainTemplate.Compiled.AllResources("Microsoft.Insights/metricAlerts").Single();
        var criterion = alert.Property("properties", "criteria", "allOf")!.Value[0];

        Assert.Equal("DeadletteredMessages", criterion.GetProperty("metricName").GetString());
        Assert.Equal("Microsoft.ServiceBus/namespaces", criterion.GetProperty("metricNamespace").GetString());
        Assert.Equal("GreaterThan", criterion.GetProperty("operator").GetString());
        Assert.Equal(0, criterion.GetProperty("threshold").GetInt32());
    }

    [Fact]
    public void Action_group_mails_the_given_addresses_and_is_optional()
    {
        var main = MainTemplate.Compiled;
        var group = main.AllResources("Microsoft.Insights/actionGroups").Single();

        Assert.Equal("[not(empty(parameters('emailAddresses')))]", group.StringProperty("condition"));
        Assert.Equal(0, main.Root.GetProperty("parameters").GetProperty("alertEmailAddresses").GetProperty("defaultValue").GetArrayLength());
    }

    private static IEnumerable<JsonElement> QueryItems()
    {
        var stack = new Stack<JsonElement>([Workbook.Value.RootElement.GetProperty("items")]);
        while (stack.Count > 0)
        {
            foreach (var item in stack.Pop().EnumerateArray())
            {
                var content = item.GetProperty("content");
                if (item.GetProperty("type").GetInt32() == 3)
                {
                    yield return content;
                }
                else if (content.TryGetProperty("items", out var nested))
                {
                    stack.Push(nested);
                }
            }
        }
    }

    private static IEnumerable<string> Queries() => QueryItems().Select(item => item.GetProperty("query").GetString() ?? "");
}
