using System.Text.Json;

namespace WaServerless.Infra.Tests;

/// <summary>The security and behaviour settings of each resource in the compiled template.</summary>
public class ResourceConfigurationTests
{
    private static readonly string[] SendLanes = ["send-otp", "send-high", "send-normal", "send-bulk"];

    [Fact]
    public void The_connectors_probes_are_within_the_documented_ranges_and_scale_in_lets_it_release_its_leases()
    {
        var connector = MainTemplate.Compiled.TemplateDeclaring("Microsoft.App/containerApps");
        var probes = connector.Root.GetProperty("variables").GetProperty("probes").EnumerateArray().ToList();

        Assert.Equal(["Liveness", "Readiness", "Startup"], probes.Select(p => p.GetProperty("type").GetString()));
        foreach (var probe in probes)
        {
            // Container Apps: initialDelaySeconds 0-60, periodSeconds 1-240, timeoutSeconds 1-240, failureThreshold 1-10.
            Assert.InRange(probe.GetProperty("initialDelaySeconds").GetInt32(), 0, 60);
            Assert.InRange(probe.GetProperty("periodSeconds").GetInt32(), 1, 240);
            Assert.InRange(probe.GetProperty("timeoutSeconds").GetInt32(), 1, 240);
            Assert.InRange(probe.GetProperty("failureThreshold").GetInt32(), 1, 10);
        }

        // A replica removed by scale-in has time to close its sessions and release their leases.
        Assert.Contains("\"terminationGracePeriodSeconds\": 60", connector.Text, StringComparison.Ordinal);
        Assert.Contains("\"cooldownPeriod\": 300", connector.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_connector_listens_on_8080_from_the_first_deployment_and_is_reachable_by_Meta_with_the_cloud_api()
    {
        var main = MainTemplate.Compiled;
        var connector = main.TemplateDeclaring("Microsoft.App/containerApps");

        // The placeholder image listens on 8080 like the real one, so azd deploy (which swaps only the image) keeps a working ingress.
        Assert.Contains("createObject('external', true(), 'targetPort', variables('containerPort')", connector.Text, StringComparison.Ordinal);
        Assert.Equal("8080", connector.Root.GetProperty("variables").GetProperty("containerPort").ToString());
        Assert.Contains("mcr.microsoft.com/dotnet/samples:aspnetapp", connector.Text, StringComparison.Ordinal);
        // Ingress follows the engine unless set: Meta posts receipts and inbound messages to the connector.
        Assert.Contains("[coalesce(parameters('connectorExternalIngress'), variables('isCloudApi'))]", main.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Storage_allows_no_shared_key_no_public_blobs_and_tls_1_2()
    {
        // The state account (tables, blobs, queues); WAHA's session share has an account of its own.
        var account = MainTemplate.Compiled.TemplateDeclaring("Microsoft.Storage/storageAccounts/tableServices").OwnResources().Single(r => r.Type == "Microsoft.Storage/storageAccounts");

        Assert.Equal(JsonValueKind.False, account.Property("properties", "allowSharedKeyAccess")?.ValueKind);
        Assert.Equal(JsonValueKind.False, account.Property("properties", "allowBlobPublicAccess")?.ValueKind);
        Assert.Equal(JsonValueKind.True, account.Property("properties", "supportsHttpsTrafficOnly")?.ValueKind);
        Assert.Equal("TLS1_2", account.StringProperty("properties", "minimumTlsVersion"));
    }

    [Fact]
    public void With_waha_each_replica_runs_a_pinned_gows_sidecar_on_a_shared_session_share_probed_on_its_health_endpoints()
    {
        var main = MainTemplate.Compiled;
        var connector = main.TemplateDeclaring("Microsoft.App/containerApps");

        // The sidecar joins the connector's replica only with the Waha engine, on a share that exists only then.
        Assert.Contains("if(variables('isWaha'), createArray(variables('wahaContainer')), createArray())", connector.Text, StringComparison.Ordinal);
        var share = main.OwnResources().Single(r => r.Type == "Microsoft.Resources/deployments" && r.Property("properties", "template")?.GetRawText().Contains("Microsoft.App/managedEnvironments/storages", StringComparison.Ordinal) == true);
        Assert.Equal("[variables('isWaha')]", share.StringProperty("condition"));
        var waha = connector.Variable("wahaContainer")!.Value;
        Assert.Equal("[parameters('wahaImage')]", waha.GetProperty("image").GetString());
        Assert.Matches("^devlikeapro/waha:gows-\\d{4}\\.\\d+\\.\\d+$", connector.Root.GetProperty("parameters").GetProperty("wahaImage").GetProperty("defaultValue").GetString());
        Assert.Equal("/app/.sessions", waha.GetProperty("volumeMounts")[0].GetProperty("mountPath").GetString());
        var probes = waha.GetProperty("probes").EnumerateArray().ToDictionary(p => p.GetProperty("type").GetString()!, p => p.GetProperty("httpGet").GetProperty("path").GetString());
        Assert.Equal("/ping", probes["Liveness"]);
        Assert.Equal("/health", probes["Startup"]);
        // Probes cannot carry the API key, so exactly those paths are left outside it.
        Assert.Contains(waha.GetProperty("env").EnumerateArray(), e => e.GetProperty("name").GetString() == "WAHA_API_KEY_EXCLUDE_PATH" && e.GetProperty("value").GetString() == "health,ping");

        // The share's account is the only one with a key, holds only the share, and its key goes only to the mount.
        var shareTemplate = main.TemplateDeclaring("Microsoft.App/managedEnvironments/storages");
        var account = shareTemplate.OwnResources().Single(r => r.Type == "Microsoft.Storage/storageAccounts");
        Assert.Equal(JsonValueKind.True, account.Property("properties", "allowSharedKeyAccess")?.ValueKind);
        Assert.Equal(JsonValueKind.False, account.Property("properties", "allowBlobPublicAccess")?.ValueKind);
        Assert.Equal("TLS1_2", account.StringProperty("properties", "minimumTlsVersion"));
        Assert.DoesNotContain(shareTemplate.OwnResources(), r => r.Type is "Microsoft.Storage/storageAccounts/blobServices/containers" or "Microsoft.Storage/storageAccounts/tableServices" or "Microsoft.Storage/storageAccounts/queueServices");
        Assert.Equal("ReadWrite", shareTemplate.OwnResources().Single(r => r.Type == "Microsoft.App/managedEnvironments/storages").StringProperty("properties", "azureFile", "accessMode"));
    }

    [Fact]
    public void A_name_prefix_that_storage_registry_or_key_vault_names_would_refuse_fails_the_deployment_up_front()
    {
        var main = MainTemplate.Compiled;

        // Every character must be a lowercase letter or digit (after lowering), the first a letter; otherwise fail() with the rule.
        Assert.Contains("'abcdefghijklmnopqrstuvwxyz0123456789'", main.Variable("prefixIsAlphanumeric")!.Value.GetString(), StringComparison.Ordinal);
        Assert.Contains("'abcdefghijklmnopqrstuvwxyz'", main.Variable("prefixStartsWithLetter")!.Value.GetString(), StringComparison.Ordinal);
        var prefix = main.Variable("prefix")!.Value.GetString()!;
        Assert.StartsWith("[if(variables('prefixIsValid'), variables('lowerPrefix'), fail(", prefix, StringComparison.Ordinal);
        Assert.Equal(9, main.Root.GetProperty("parameters").GetProperty("namePrefix").GetProperty("maxLength").GetInt32());
    }

    [Fact]
    public void Blob_soft_delete_is_on()
    {
        var blobService = MainTemplate.Compiled.AllResources("Microsoft.Storage/storageAccounts/blobServices").Single();

        Assert.Equal(JsonValueKind.True, blobService.Property("properties", "deleteRetentionPolicy", "enabled")?.ValueKind);
        Assert.Equal(JsonValueKind.True, blobService.Property("properties", "containerDeleteRetentionPolicy", "enabled")?.ValueKind);
    }

    [Fact]
    public void Storage_declares_the_deployment_and_campaign_uploads_containers_none_of_them_public()
    {
        var main = MainTemplate.Compiled;
        var storageModule = main.OwnResources().Single(resource => resource.Type == "Microsoft.Resources/deployments"
            && resource.Property("properties", "template")?.GetRawText().Contains("Microsoft.Storage/storageAccounts/blobServices/containers", StringComparison.Ordinal) == true);

        var names = storageModule.Property("properties", "parameters", "blobContainerNames", "value")!.Value
            .EnumerateArray().Select(value => main.Resolve(value).GetString()).ToList();

        // campaignuploads: CampaignRecipientListStore.ContainerName, written by POST /api/bulk and read by the campaign orchestration.
        Assert.Equal(["app-package", "campaignuploads"], names);
        var containers = main.AllResources("Microsoft.Storage/storageAccounts/blobServices/containers").Single();
        Assert.Equal("None", containers.StringProperty("properties", "publicAccess"));
    }

    [Fact]
    public void Service_bus_disables_local_auth()
    {
        var ns = MainTemplate.Compiled.AllResources("Microsoft.ServiceBus/namespaces").Single();

        Assert.Equal(JsonValueKind.True, ns.Property("properties", "disableLocalAuth")?.ValueKind);
        Assert.Equal("1.2", ns.StringProperty("properties", "minimumTlsVersion"));
    }

    [Fact]
    public void Service_bus_sku_is_standard_by_default_and_premium_by_parameter()
    {
        var parameter = MainTemplate.Compiled.Root.GetProperty("parameters").GetProperty("serviceBusSku");

        Assert.Equal("Standard", parameter.GetProperty("defaultValue").GetString());
        Assert.Equal(
            new[] { "Premium", "Standard" },
            parameter.GetProperty("allowedValues").EnumerateArray().Select(value => value.GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_send_lanes_need_sessions_and_the_other_queues_do_not()
    {
        var queues = QueueDefinitions();

        Assert.Equal(
            SendLanes.Concat(["delivery-events", "control"]).Order(StringComparer.Ordinal),
            queues.Keys.Order(StringComparer.Ordinal));
        foreach (var lane in SendLanes)
        {
            Assert.Equal(JsonValueKind.True, queues[lane].GetProperty("requiresSession").ValueKind);
        }

        Assert.Equal(JsonValueKind.False, queues["delivery-events"].GetProperty("requiresSession").ValueKind);
        Assert.Equal(JsonValueKind.False, queues["control"].GetProperty("requiresSession").ValueKind);
    }

    [Fact]
    public void Queues_detect_duplicates_and_dead_letter_expired_messages()
    {
        var queue = MainTemplate.Compiled.AllResources("Microsoft.ServiceBus/namespaces/queues").Single();

        Assert.Equal(JsonValueKind.True, queue.Property("properties", "requiresDuplicateDetection")?.ValueKind);
        Assert.Equal(JsonValueKind.True, queue.Property("properties", "deadLetteringOnMessageExpiration")?.ValueKind);
        Assert.NotNull(queue.Property("properties", "maxDeliveryCount"));
        Assert.NotNull(queue.Property("properties", "duplicateDetectionHistoryTimeWindow"));
        Assert.Equal("[parameters('queues')[copyIndex()].requiresSession]", queue.StringProperty("properties", "requiresSession"));
    }

    [Fact]
    public void Key_vault_uses_rbac_and_soft_delete_with_a_purge_protection_parameter()
    {
        var main = MainTemplate.Compiled;
        var vault = main.AllResources("Microsoft.KeyVault/vaults").Single();

        Assert.Equal(JsonValueKind.True, vault.Property("properties", "enableRbacAuthorization")?.ValueKind);
        Assert.Equal(JsonValueKind.True, vault.Property("properties", "enableSoftDelete")?.ValueKind);
        Assert.Contains("enablePurgeProtection", vault.StringProperty("properties", "enablePurgeProtection") ?? "", StringComparison.Ordinal);
        Assert.Equal("bool", main.Root.GetProperty("parameters").GetProperty("keyVaultEnablePurgeProtection").GetProperty("type").GetString());
    }

    [Fact]
    public void Application_insights_is_workspace_based_with_local_auth_disabled()
    {
        var component = MainTemplate.Compiled.AllResources("Microsoft.Insights/components").Single();

        Assert.Equal(JsonValueKind.True, component.Property("properties", "DisableLocalAuth")?.ValueKind);
        Assert.NotNull(component.StringProperty("properties", "WorkspaceResourceId"));
    }

    [Fact]
    public void Function_app_runs_dotnet_isolated_on_flex_consumption_with_identity_deployment_storage()
    {
        var main = MainTemplate.Compiled;
        var plan = main.AllResources("Microsoft.Web/serverfarms").Single();
        var site = main.AllResources("Microsoft.Web/sites").Single();

        Assert.Equal("FC1", plan.StringProperty("sku", "name"));
        Assert.Equal("FlexConsumption", plan.StringProperty("sku", "tier"));
        Assert.Equal("dotnet-isolated", site.StringProperty("properties", "functionAppConfig", "runtime", "name"));
        Assert.Equal("[parameters('runtimeVersion')]", site.StringProperty("properties", "functionAppConfig", "runtime", "version"));
        Assert.Equal("blobContainer", site.StringProperty("properties", "functionAppConfig", "deployment", "storage", "type"));
        Assert.Equal(
            "UserAssignedIdentity",
            site.StringProperty("properties", "functionAppConfig", "deployment", "storage", "authentication", "type"));
        Assert.NotNull(site.Property("properties", "functionAppConfig", "scaleAndConcurrency", "alwaysReady"));
        Assert.Equal(JsonValueKind.True, site.Property("properties", "httpsOnly")?.ValueKind);

        var runtime = main.Root.GetProperty("parameters").GetProperty("functionsRuntimeVersion");
        Assert.Equal("10.0", runtime.GetProperty("defaultValue").GetString());
        Assert.Contains("9.0", runtime.GetProperty("allowedValues").EnumerateArray().Select(value => value.GetString()));
    }

    [Fact]
    public void Connector_keeps_one_replica_probes_health_and_scales_on_queue_depth_with_its_identity()
    {
        var main = MainTemplate.Compiled;
        var app = main.AllResources("Microsoft.App/containerApps").Single();
        var text = app.Owner.Text;

        Assert.Equal(1, main.Root.GetProperty("parameters").GetProperty("connectorMinReplicas").GetProperty("defaultValue").GetInt32());
        Assert.Equal(1, main.Root.GetProperty("parameters").GetProperty("connectorMinReplicas").GetProperty("minValue").GetInt32());
        Assert.Contains("\"path\": \"/healthz\"", text, StringComparison.Ordinal);
        Assert.Contains("\"path\": \"/readyz\"", text, StringComparison.Ordinal);
        Assert.Contains("\"type\": \"Liveness\"", text, StringComparison.Ordinal);
        Assert.Contains("\"type\": \"Readiness\"", text, StringComparison.Ordinal);
        Assert.Equal(8080, app.Owner.Variable("containerPort")?.GetInt32());

        // The for-expression over the lanes compiles to a copy loop named "rules".
        var loop = app.Property("properties", "template", "scale", "copy")?.EnumerateArray()
            .Single(candidate => candidate.GetProperty("name").GetString() == "rules")
            ?? throw new InvalidOperationException("no scale rules loop");
        var rule = loop.GetProperty("input");
        Assert.Equal("azure-servicebus", rule.GetProperty("custom").GetProperty("type").GetString());
        Assert.Equal("[parameters('identityResourceId')]", rule.GetProperty("custom").GetProperty("identity").GetString());
        Assert.True(rule.GetProperty("custom").GetProperty("metadata").TryGetProperty("queueName", out _));
        Assert.True(rule.GetProperty("custom").GetProperty("metadata").TryGetProperty("messageCount", out _));

        // The four send lanes are the scale queues.
        var connectorModule = main.OwnResources().Single(resource => resource.Type == "Microsoft.Resources/deployments"
            && resource.Property("properties", "template")?.GetRawText().Contains("Microsoft.App/containerApps", StringComparison.Ordinal) == true);
        var scaleQueues = main.Resolve(connectorModule.Property("properties", "parameters", "scaleQueueNames", "value")!.Value);
        Assert.Equal(SendLanes, scaleQueues.EnumerateArray().Select(value => value.GetString()));

        // Images are pulled with the identity, never with a registry password.
        Assert.Contains("\"identity\": \"[parameters('identityResourceId')]\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("passwordSecretRef", text, StringComparison.Ordinal);
    }

    public static readonly TheoryData<string> MonitoredTypes =
    [
        "Microsoft.Storage/storageAccounts",
        "Microsoft.ServiceBus/namespaces",
        "Microsoft.KeyVault/vaults",
        "Microsoft.Web/sites",
        "Microsoft.App/managedEnvironments",
    ];

    [Theory]
    [MemberData(nameof(MonitoredTypes))]
    public void Resource_sends_diagnostics_to_log_analytics(string type)
    {
        var templates = MainTemplate.Compiled.AllResources(type).Select(resource => resource.Owner).Distinct().ToList();
        Assert.NotEmpty(templates);
        foreach (var template in templates)
        {
            var settings = template.OwnResources().Where(resource => resource.Type == "Microsoft.Insights/diagnosticSettings").ToList();
            var forResource = settings.Where(setting => (setting.StringProperty("scope") ?? "").Contains($"'{type}'", StringComparison.Ordinal)).ToList();
            Assert.True(forResource.Count == 1, $"{type} in {template.Path} has {forResource.Count} diagnostic settings scoped to it");
            Assert.Contains("logAnalyticsWorkspaceResourceId", forResource[0].StringProperty("properties", "workspaceId") ?? "", StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Function_logs_take_one_path_without_the_hosts_unfiltered_stream_or_durables_polling()
    {
        var functions = MainTemplate.Compiled.TemplateDeclaring("Microsoft.Web/sites");
        var diagnostics = functions.OwnResources().Single(r => r.Type == "Microsoft.Insights/diagnosticSettings");

        Assert.DoesNotContain("FunctionAppLogs", diagnostics.Property("properties")!.Value.GetRawText(), StringComparison.Ordinal);
        using var host = JsonDocument.Parse(File.ReadAllText(RepoPaths.Combine("host.json")));
        Assert.Equal("OpenTelemetry", host.RootElement.GetProperty("telemetryMode").GetString());
        Assert.False(host.RootElement.GetProperty("logging").TryGetProperty("applicationInsights", out _));
        var levels = host.RootElement.GetProperty("logging").GetProperty("logLevel");
        foreach (var category in new[] { "DurableTask.AzureStorage", "DurableTask.Core", "Host.Triggers.DurableTask" })
        {
            Assert.Equal("Warning", levels.GetProperty(category).GetString());
        }
    }

    [Fact]
    public void Main_has_the_outputs_deployers_need()
    {
        var outputs = MainTemplate.Compiled.Root.GetProperty("outputs");

        foreach (var name in new[] { "apiBaseUrl", "connectorName", "workbookUrl", "functionsIdentityClientId", "connectorIdentityClientId" })
        {
            Assert.True(outputs.TryGetProperty(name, out _), $"output {name} is missing");
        }

        var apiBaseUrl = outputs.GetProperty("apiBaseUrl").GetProperty("value").GetString() ?? "";
        Assert.StartsWith("[format('https://{0}/api'", apiBaseUrl, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_come_from_the_prefix_and_a_hash_of_the_resource_group()
    {
        var main = MainTemplate.Compiled;

        Assert.Equal("[toLower(uniqueString(resourceGroup().id))]", main.Variable("resourceToken")?.GetString());
        var names = main.Variable("names") ?? throw new InvalidOperationException("no names variable");
        foreach (var name in names.EnumerateObject())
        {
            var expression = name.Value.GetString() ?? "";
            Assert.Contains("variables('prefix')", expression, StringComparison.Ordinal);
            Assert.Contains("variables('resourceToken')", expression, StringComparison.Ordinal);
        }

        var prefix = main.Root.GetProperty("parameters").GetProperty("namePrefix");
        Assert.Equal(9, prefix.GetProperty("maxLength").GetInt32());
    }

    private static Dictionary<string, JsonElement> QueueDefinitions()
    {
        var main = MainTemplate.Compiled;
        var module = main.OwnResources().Single(resource => resource.Type == "Microsoft.Resources/deployments"
            && resource.Property("properties", "template")?.GetRawText().Contains("Microsoft.ServiceBus/namespaces/queues", StringComparison.Ordinal) == true);
        var queues = main.Resolve(module.Property("properties", "parameters", "queues", "value")!.Value);
        return queues.EnumerateArray().ToDictionary(
            queue => main.Resolve(queue.GetProperty("name")).GetString() ?? "",
            queue => queue,
            StringComparer.Ordinal);
    }
}
