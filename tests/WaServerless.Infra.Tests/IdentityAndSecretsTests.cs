using System.Text.Json;
using System.Text.RegularExpressions;

namespace WaServerless.Infra.Tests;

/// <summary>No keys or connection strings anywhere; least-privilege, resource-scoped role assignments.</summary>
public partial class IdentityAndSecretsTests
{
    // Owner, Contributor and User Access Administrator: the real ids, and the ids the issue quoted.
    private static readonly string[] ForbiddenRoleIds =
    [
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "8e3af657-a8ff-401b-a9c4-d7eb4b3ae9cd",
        "b24988ac-6180-462b-a5cd-c7b1c7f8e7b6",
    ];

    private static readonly Dictionary<string, string> AllowedRoleIds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner",
        ["ba92f5b4-2d11-453d-a403-e96b0029c9fe"] = "Storage Blob Data Contributor",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["69a216fc-b8fb-44d8-bc22-1f3c2cd27a39"] = "Azure Service Bus Data Sender",
        ["4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0"] = "Azure Service Bus Data Receiver",
        ["090c5cfd-751d-490a-894a-3ce6f1109419"] = "Azure Service Bus Data Owner",
        ["4633458b-17de-408a-b874-0445c86b69e6"] = "Key Vault Secrets User",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher",
        ["7f951dda-4ed3-4680-a7ca-43fe172d538d"] = "AcrPull",
    };

    public static readonly TheoryData<string> ForbiddenFragments =
    [
        "AccountKey=",
        "SharedAccessKey",
        "DefaultEndpointsProtocol",
        "listKeys(",
        "listkeys(",
        "listConnectionStrings(",
        "listSecrets(",
        "listCredentials(",
    ];

    [Theory]
    [MemberData(nameof(ForbiddenFragments))]
    public void No_setting_env_value_or_expression_carries_a_key(string fragment)
    {
        var main = MainTemplate.Compiled;

        foreach (var setting in CompiledTemplate.SettingLikeObjects(main.Root))
        {
            var value = setting.TryGetProperty("value", out var v) ? v.ToString() : "";
            Assert.DoesNotContain(fragment, value, StringComparison.OrdinalIgnoreCase);
        }

        // One exception, by design: Container Apps mounts an SMB share (WAHA's session folder) with its
        // account's key, given to the platform's own mount definition and nowhere else.
        var mountKeys = main.AllResources("Microsoft.App/managedEnvironments/storages")
            .Select(storage => storage.StringProperty("properties", "azureFile", "accountKey"))
            .ToHashSet();
        var offending = CompiledTemplate.Strings(main.Root)
            .Where(text => text.Contains(fragment, StringComparison.OrdinalIgnoreCase) && !mountKeys.Contains(text))
            .ToList();
        Assert.True(offending.Count == 0, $"'{fragment}' found in: {string.Join(" | ", offending)}");
    }

    [Fact]
    public void No_connection_string_settings_other_than_application_insights()
    {
        var names = SettingNames(MainTemplate.Compiled);

        Assert.DoesNotContain("AzureWebJobsStorage", names);
        Assert.DoesNotContain("ServiceBus", names);
        Assert.DoesNotContain("Storage", names);
        var connectionStrings = names
            .Where(name => name.Replace("_", "", StringComparison.Ordinal).Contains("ConnectionString", StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.Equal(new[] { "APPLICATIONINSIGHTS_CONNECTION_STRING" }, connectionStrings.Distinct());
    }

    [Fact]
    public void Function_app_has_the_identity_based_settings_the_code_reads()
    {
        var functions = MainTemplate.Compiled.TemplateDeclaring("Microsoft.Web/sites");
        var names = SettingNames(functions);

        string[] expected =
        [
            "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId",
            "Storage__tableServiceUri", "Storage__blobServiceUri", "Storage__queueServiceUri", "Storage__credential", "Storage__clientId",
            "ServiceBus__fullyQualifiedNamespace", "ServiceBus__credential", "ServiceBus__clientId",
            "Queues__Transport", "EventsQueueName", "ControlQueueName", "DurableTaskHub", "Admin__ApiKey", "Webhooks__EncryptionKey", "Sessions__AllowedEngines",
            "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "AZURE_CLIENT_ID",
        ];
        Assert.All(expected, name => Assert.Contains(name, names));

        // Flex Consumption rejects these: the runtime lives in functionAppConfig instead.
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", names);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", names);
        Assert.DoesNotContain("WEBSITE_RUN_FROM_PACKAGE", names);

        Assert.Contains("@Microsoft.KeyVault(SecretUri=", functions.Text, StringComparison.Ordinal);
        // The webhook secrets' key, like the admin key, is a Key Vault reference, never a value.
        Assert.Contains("'Webhooks__EncryptionKey', 'value', format('@Microsoft.KeyVault(SecretUri={0})', parameters('webhookEncryptionKeySecretUri'))", functions.Text, StringComparison.Ordinal);
        Assert.Contains("Authorization=AAD;ClientId=", functions.Text, StringComparison.Ordinal);
        Assert.Equal("managedidentity", SettingValue(functions, "AzureWebJobsStorage__credential"));
        Assert.Equal("managedidentity", SettingValue(functions, "Storage__credential"));
        Assert.Equal("managedidentity", SettingValue(functions, "ServiceBus__credential"));
        Assert.Equal("ServiceBus", SettingValue(functions, "Queues__Transport"));

        var site = functions.OwnResources().Single(resource => resource.Type == "Microsoft.Web/sites");
        Assert.False(string.IsNullOrEmpty(site.StringProperty("properties", "keyVaultReferenceIdentity")));
        Assert.Equal("UserAssigned", site.StringProperty("identity", "type"));
    }

    [Fact]
    public void Connector_has_the_identity_based_settings_and_key_vault_secrets()
    {
        var connector = MainTemplate.Compiled.TemplateDeclaring("Microsoft.App/containerApps");
        var names = SettingNames(connector);

        string[] expected =
        [
            "Storage__tableServiceUri", "Storage__blobServiceUri", "Storage__queueServiceUri", "Storage__credential", "Storage__clientId",
            "ServiceBus__fullyQualifiedNamespace", "ServiceBus__credential", "ServiceBus__clientId",
            "Queues__Transport", "Connector__Engine", "CloudApi__GraphApiVersion",
            "Sessions__EncryptionKey", "CloudApi__PhoneNumberId", "CloudApi__AccessToken", "CloudApi__AppSecret",
            "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "AZURE_CLIENT_ID",
        ];
        Assert.All(expected, name => Assert.Contains(name, names));

        // The secrets come from Key Vault by reference: a secretRef in env, keyVaultUrl + identity in secrets.
        // The session-state key always (a literal env entry); the Cloud API's only with that engine (an expression).
        Assert.Contains(CompiledTemplate.SettingLikeObjects(connector.Root), s => s.GetProperty("name").GetString() == "Sessions__EncryptionKey" && s.TryGetProperty("secretRef", out var r) && r.GetString() == "session-state-encryption-key");
        Assert.Contains("\"keyVaultUrl\": \"[parameters('sessionStateEncryptionKeySecretUri')]\"", connector.Text, StringComparison.Ordinal);
        Assert.Contains("if(variables('isCloudApi'), createArray(createObject('name', 'CloudApi__PhoneNumberId', 'value', parameters('cloudApiPhoneNumberId')), createObject('name', 'CloudApi__AccessToken', 'secretRef', 'cloudapi-access-token'), createObject('name', 'CloudApi__AppSecret', 'secretRef', 'meta-app-secret'))", connector.Text, StringComparison.Ordinal);
        Assert.Contains("createObject('name', 'cloudapi-access-token', 'keyVaultUrl', parameters('cloudApiAccessTokenSecretUri'), 'identity'", connector.Text, StringComparison.Ordinal);
        Assert.Contains("createObject('name', 'meta-app-secret', 'keyVaultUrl', parameters('metaAppSecretUri'), 'identity'", connector.Text, StringComparison.Ordinal);

        Assert.DoesNotMatch(SecretWithValue(), connector.Text);
    }

    [Fact]
    public void Role_assignments_are_scoped_to_a_resource_and_named_with_guid()
    {
        var assignments = MainTemplate.Compiled.AllResources("Microsoft.Authorization/roleAssignments").ToList();

        Assert.True(assignments.Count >= 8, $"expected the role assignments of every module, found {assignments.Count}");
        foreach (var assignment in assignments)
        {
            var where = assignment.Owner.Path;
            var name = assignment.StringProperty("name") ?? "";
            Assert.StartsWith("[guid(", name, StringComparison.Ordinal);

            var scope = assignment.StringProperty("scope");
            Assert.False(string.IsNullOrWhiteSpace(scope), $"role assignment in {where} has no scope");
            Assert.Matches(ResourceScope(), scope);
            Assert.DoesNotContain("resourceGroup()", scope, StringComparison.Ordinal);
            Assert.DoesNotContain("subscription()", scope, StringComparison.Ordinal);

            var roleDefinition = assignment.Owner.Resolve(assignment.Property("properties", "roleDefinitionId")!.Value).GetString() ?? "";
            Assert.Contains("Microsoft.Authorization/roleDefinitions", roleDefinition, StringComparison.Ordinal);
            Assert.Equal("ServicePrincipal", ResolvedPrincipalType(assignment));
        }
    }

    [Fact]
    public void No_role_is_owner_contributor_or_user_access_administrator()
    {
        var main = MainTemplate.Compiled;

        foreach (var forbidden in ForbiddenRoleIds)
        {
            Assert.DoesNotContain(forbidden, main.Text, StringComparison.OrdinalIgnoreCase);
        }

        // Every role id the templates name is one of the data-plane and monitoring roles: the
        // builtInRoles table, and any id written next to roleDefinitions.
        var roles = main.Variable("builtInRoles") ?? throw new InvalidOperationException("no builtInRoles variable");
        var roleIds = roles.EnumerateObject().Select(property => property.Value.GetString() ?? "")
            .Concat(InlineRoleId().Matches(main.Text).Select(match => match.Groups[1].Value))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        Assert.NotEmpty(roleIds);
        Assert.All(roleIds, id => Assert.True(AllowedRoleIds.ContainsKey(id), $"unexpected role definition id {id}"));
    }

    [Fact]
    public void Each_identity_gets_the_roles_it_needs()
    {
        var main = MainTemplate.Compiled;
        var roles = main.Variable("builtInRoles") ?? throw new InvalidOperationException("no builtInRoles variable");
        var roleNames = roles.EnumerateObject().Select(property => property.Name).ToHashSet(StringComparer.Ordinal);

        // Which role goes to which identity: read from the module parameters in main.
        var grants = new List<(string Parameter, string Identity, string Role)>();
        foreach (var module in main.OwnResources().Where(resource => resource.Type == "Microsoft.Resources/deployments"))
        {
            if (module.Property("properties", "parameters") is not { } parameters)
            {
                continue;
            }

            foreach (var parameterName in new[] { "roleAssignments", "queueRoleAssignments" })
            {
                if (!parameters.TryGetProperty(parameterName, out var parameter))
                {
                    continue;
                }

                if (parameter.TryGetProperty("value", out var value))
                {
                    foreach (var item in value.EnumerateArray())
                    {
                        grants.Add((parameterName, IdentityOf(item.GetRawText()), RoleOf(item.GetRawText(), roleNames)));
                    }
                }
                else
                {
                    // A for-expression compiles to a copy loop: one input, repeated.
                    var input = parameter.GetProperty("copy")[0].GetProperty("input").GetRawText();
                    grants.Add((parameterName, IdentityOf(input), RoleOf(input, roleNames)));
                }
            }
        }

        Assert.DoesNotContain(grants, g => g.Identity == "unknown" || g.Role == "unknown");
        Assert.Contains(grants, g => g.Identity == "functions" && g.Role == "storageBlobDataOwner");
        Assert.Contains(grants, g => g.Identity == "functions" && g.Role == "storageQueueDataContributor");
        Assert.Contains(grants, g => g.Identity == "functions" && g.Role == "storageTableDataContributor");
        Assert.Contains(grants, g => g.Identity == "functions" && g.Role == "serviceBusDataSender");
        Assert.Contains(grants, g => g.Identity == "functions" && g.Role == "serviceBusDataReceiver");
        Assert.Contains(grants, g => g.Identity == "functions" && g.Role == "monitoringMetricsPublisher");
        Assert.Contains(grants, g => g.Identity == "connector" && g.Role == "storageBlobDataContributor");
        Assert.Contains(grants, g => g.Identity == "connector" && g.Role == "storageTableDataContributor");
        Assert.Contains(grants, g => g.Identity == "connector" && g.Role == "serviceBusDataSender");
        Assert.Contains(grants, g => g.Identity == "connector" && g.Role == "serviceBusDataReceiver");
        Assert.Contains(grants, g => g.Identity == "connector" && g.Role == "monitoringMetricsPublisher");
        Assert.Contains(grants, g => g.Identity == "connector" && g.Role == "acrPull");

        // The connector never owns blobs. Service Bus Data Owner is granted only per queue, for the
        // scalers that read queue runtime properties (which need Manage): KEDA's for the connector on
        // the four lanes, the Service Bus extension's target-based scaler for the Functions app on
        // delivery-events (without it Flex falls back and logs "does not have Manage claim").
        Assert.DoesNotContain(grants, g => g.Identity == "connector" && g.Role == "storageBlobDataOwner");
        Assert.All(grants.Where(g => g.Role == "serviceBusDataOwner"), g => Assert.Equal("queueRoleAssignments", g.Parameter));
        Assert.Equal(4, grants.Count(g => g.Role == "serviceBusDataOwner" && g.Identity == "connector"));
        Assert.Single(grants, g => g.Role == "serviceBusDataOwner" && g.Identity == "functions");
    }

    [Fact]
    public void Secrets_are_read_per_secret_by_the_identity_that_needs_them()
    {
        var main = MainTemplate.Compiled;
        var secretModules = main.OwnResources()
            .Where(resource => resource.Type == "Microsoft.Resources/deployments"
                && resource.Property("properties", "template")?.GetRawText().Contains("Microsoft.KeyVault/vaults/secrets", StringComparison.Ordinal) == true)
            .ToList();

        Assert.Equal(6, secretModules.Count);
        foreach (var module in secretModules)
        {
            var parameters = module.Property("properties", "parameters")!.Value;
            var secretName = parameters.GetProperty("name").GetProperty("value").GetString();
            // The optional ones are skipped when empty, the Cloud API's when the engine is another;
            // the session-state key is required, so always there.
            var condition = module.StringProperty("condition") ?? "";
            switch (secretName)
            {
                case "session-state-encryption-key":
                    Assert.Equal("", condition);
                    break;
                case "cloudapi-access-token" or "meta-app-secret":
                    Assert.Contains("isCloudApi", condition, StringComparison.Ordinal);
                    break;
                case "waha-api-key":
                    Assert.Contains("isWaha", condition, StringComparison.Ordinal);
                    break;
                default:
                    Assert.Contains("empty(parameters(", condition, StringComparison.Ordinal);
                    break;
            }

            var readers = parameters.GetProperty("readerPrincipalIds").GetProperty("value").GetRawText();
            var expectedReader = secretName is "admin-api-key" or "webhook-encryption-key" ? "functions" : "connector";
            Assert.Equal(expectedReader, IdentityOf(readers));
            var value = parameters.GetProperty("value");
            Assert.True(value.ValueKind == JsonValueKind.Object ? value.TryGetProperty("value", out _) : value.GetString()!.Contains("createObject('value'", StringComparison.Ordinal), "the secret value is passed as a parameter");
        }

        var secretTemplate = main.AllResources("Microsoft.KeyVault/vaults/secrets").First().Owner;
        var roleScope = secretTemplate.OwnResources().Single(r => r.Type == "Microsoft.Authorization/roleAssignments").StringProperty("scope");
        Assert.Contains("Microsoft.KeyVault/vaults/secrets", roleScope, StringComparison.Ordinal);
        var valueParameter = secretTemplate.Root.GetProperty("parameters").GetProperty("value");
        Assert.Equal("securestring", valueParameter.GetProperty("type").GetString(), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void Secret_parameters_of_main_are_secure_with_empty_defaults()
    {
        var parameters = MainTemplate.Compiled.Root.GetProperty("parameters");

        foreach (var name in new[] { "adminApiKey", "webhookEncryptionKey" })
        {
            var parameter = parameters.GetProperty(name);
            Assert.Equal("securestring", parameter.GetProperty("type").GetString(), StringComparer.OrdinalIgnoreCase);
            Assert.Equal("", parameter.GetProperty("defaultValue").GetString());
        }

        // Required: the connector refuses to start against Azure storage without it (base64 of 32 bytes).
        var sessionKey = parameters.GetProperty("sessionStateEncryptionKey");
        Assert.Equal("securestring", sessionKey.GetProperty("type").GetString(), StringComparer.OrdinalIgnoreCase);
        Assert.False(sessionKey.TryGetProperty("defaultValue", out _));
        Assert.Equal((44, 44), (sessionKey.GetProperty("minLength").GetInt32(), sessionKey.GetProperty("maxLength").GetInt32()));

        // The Cloud API's credentials are part of its engine choice, each secure and required there.
        var cloudApi = MainTemplate.Compiled.Root.GetProperty("definitions").EnumerateObject().Single(d => d.Name.EndsWith("cloudApiEngineType", StringComparison.Ordinal)).Value.GetProperty("properties");
        foreach (var name in new[] { "accessToken", "appSecret" })
        {
            Assert.Equal("securestring", cloudApi.GetProperty(name).GetProperty("type").GetString(), StringComparer.OrdinalIgnoreCase);
            Assert.Equal(1, cloudApi.GetProperty(name).GetProperty("minLength").GetInt32());
        }

        Assert.Equal(1, cloudApi.GetProperty("phoneNumberId").GetProperty("minLength").GetInt32());
    }

    [Fact]
    public void Outputs_carry_no_secret()
    {
        foreach (var template in MainTemplate.Compiled.SelfAndDescendants())
        {
            if (!template.Root.TryGetProperty("outputs", out var outputs))
            {
                continue;
            }

            foreach (var output in outputs.EnumerateObject())
            {
                var value = output.Value.TryGetProperty("value", out var v) ? v.ToString() : "";
                Assert.DoesNotContain("adminApiKey')", value, StringComparison.Ordinal);
                Assert.DoesNotContain("sessionStateEncryptionKey')", value, StringComparison.Ordinal);
                Assert.DoesNotContain("metaAppSecret')", value, StringComparison.Ordinal);
                Assert.DoesNotContain("webhookEncryptionKey')", value, StringComparison.Ordinal);
                Assert.DoesNotContain("parameters('value')", value, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Every_setting_a_function_binding_names_as_a_percent_expression_is_an_app_setting_of_the_function_app()
    {
        // functions.metadata as the Worker.Sdk generated it for the Functions app, in this build's configuration.
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        var metadata = RepoPaths.Combine("functions", "WaServerless.Functions", "bin", output.Parent!.Name, output.Name, "functions.metadata");
        Assert.True(File.Exists(metadata), metadata + " was not generated");
        var referenced = System.Text.Json.JsonDocument.Parse(File.ReadAllText(metadata)).RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .SelectMany(b => b.EnumerateObject())
            .Where(p => p.Value.ValueKind == System.Text.Json.JsonValueKind.String)
            .SelectMany(p => PercentSetting().Matches(p.Value.GetString()!).Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();
        var names = SettingNames(MainTemplate.Compiled.TemplateDeclaring("Microsoft.Web/sites"));

        Assert.Contains("Webhooks:SweepSchedule", referenced);
        Assert.Contains("EventsQueueName", referenced);
        Assert.All(referenced, setting => Assert.Contains(setting.Replace(":", "__", StringComparison.Ordinal), names));
    }

    [Fact]
    public void Every_cloud_api_option_required_at_start_without_a_default_is_set_for_the_connector_by_the_template()
    {
        // What CloudApiOptions refuses to start without: [Required] and empty by default.
        var defaults = new WaServerless.Engines.CloudApi.CloudApiOptions();
        var required = typeof(WaServerless.Engines.CloudApi.CloudApiOptions).GetProperties()
            .Where(p => p.GetCustomAttributes(typeof(System.ComponentModel.DataAnnotations.RequiredAttribute), true).Length > 0)
            .Where(p => p.GetValue(defaults) is null or "")
            .Select(p => $"{WaServerless.Engines.CloudApi.CloudApiOptions.Section}__{p.Name}")
            .ToList();
        var connector = SettingNames(MainTemplate.Compiled.TemplateDeclaring("Microsoft.App/containerApps"));

        Assert.Equal(["CloudApi__PhoneNumberId", "CloudApi__AccessToken", "CloudApi__AppSecret"], required);
        Assert.All(required, name => Assert.Contains(name, connector));
        // The connector refuses to start against Azure storage without its session-state key: always set.
        Assert.Contains("Sessions__EncryptionKey", connector);
    }

    [Fact]
    public void Every_waha_option_required_at_start_without_a_default_is_set_for_the_connector_and_the_sidecar_gets_its_key_from_key_vault()
    {
        // What WahaOptions refuses to start without: [Required] and empty by default.
        var defaults = new WaServerless.Engines.Waha.WahaOptions();
        var required = typeof(WaServerless.Engines.Waha.WahaOptions).GetProperties()
            .Where(p => p.GetCustomAttributes(typeof(System.ComponentModel.DataAnnotations.RequiredAttribute), true).Length > 0)
            .Where(p => p.GetValue(defaults) is null or "")
            .Select(p => $"{WaServerless.Engines.Waha.WahaOptions.Section}__{p.Name}")
            .ToList();
        var template = MainTemplate.Compiled.TemplateDeclaring("Microsoft.App/containerApps");
        var connector = SettingNames(template);

        Assert.Equal(["Waha__ApiKey"], required);
        Assert.All(required, name => Assert.Contains(name, connector));
        // In Azure the sidecar is on localhost, so the defaults of BaseUrl and WebhookBaseUrl are not relied on: both are set.
        Assert.Contains("Waha__BaseUrl", connector);
        Assert.Contains("Waha__WebhookBaseUrl", connector);
        Assert.Contains("createObject('name', 'Waha__ApiKey', 'secretRef', 'waha-api-key')", template.Text, StringComparison.Ordinal);
        Assert.Contains("createObject('name', 'waha-api-key', 'keyVaultUrl', parameters('wahaApiKeySecretUri'), 'identity'", template.Text, StringComparison.Ordinal);

        // The sidecar: WAHA_API_KEY by the same secret, GOWS, no WAHA-started sessions (the lease decides).
        var waha = template.Variable("wahaContainer")!.Value;
        var env = waha.GetProperty("env").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e);
        Assert.Equal("waha-api-key", env["WAHA_API_KEY"].GetProperty("secretRef").GetString());
        Assert.Equal("GOWS", env["WHATSAPP_DEFAULT_ENGINE"].GetProperty("value").GetString());
        Assert.Equal("false", env["WAHA_WORKER_RESTART_SESSIONS"].GetProperty("value").GetString());
        Assert.DoesNotContain("WHATSAPP_HOOK_URL", env.Keys); // no global webhook beside the per-session ones: doubles
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex PercentSetting();

    private static HashSet<string> SettingNames(CompiledTemplate template)
    {
        var names = CompiledTemplate.SettingLikeObjects(template.Root)
            .Select(setting => setting.GetProperty("name").GetString() ?? "")
            .ToHashSet(StringComparer.Ordinal);
        foreach (var text in CompiledTemplate.Strings(template.Root))
        {
            foreach (Match match in CreateObjectSetting().Matches(text))
            {
                names.Add(match.Groups[1].Value);
            }
        }

        return names;
    }

    private static string? SettingValue(CompiledTemplate template, string name)
        => CompiledTemplate.SettingLikeObjects(template.Root)
            .Where(setting => setting.GetProperty("name").GetString() == name && setting.TryGetProperty("value", out _))
            .Select(setting => setting.GetProperty("value").GetString())
            .FirstOrDefault();

    private static string ResolvedPrincipalType(TemplateResource assignment)
    {
        var principalType = assignment.StringProperty("properties", "principalType") ?? "";
        // Either the literal, or "coalesce(<item>.principalType, 'ServicePrincipal')" from an optional property.
        return principalType == "ServicePrincipal" || principalType.Contains("'ServicePrincipal'", StringComparison.Ordinal)
            ? "ServicePrincipal"
            : principalType;
    }

    private static string IdentityOf(string json)
    {
        var functions = json.Contains("reference('functionsIdentity')", StringComparison.Ordinal);
        var connector = json.Contains("reference('connectorIdentity')", StringComparison.Ordinal);
        return (functions, connector) switch
        {
            (true, false) => "functions",
            (false, true) => "connector",
            _ => "unknown",
        };
    }

    private static string RoleOf(string json, HashSet<string> roleNames)
    {
        var match = BuiltInRoleReference().Match(json);
        return match.Success && roleNames.Contains(match.Groups[1].Value) ? match.Groups[1].Value : "unknown";
    }

    [GeneratedRegex(@"createObject\('name', '([^']+)', '(?:value|secretRef)'")]
    private static partial Regex CreateObjectSetting();

    [GeneratedRegex(@"'keyVaultUrl'[^)]*'value'")]
    private static partial Regex SecretWithValue();

    [GeneratedRegex(@"resourceId\('Microsoft\.[A-Za-z]+/[A-Za-z]+|Microsoft\.[A-Za-z]+/[A-Za-z]+/\{0\}")]
    private static partial Regex ResourceScope();

    [GeneratedRegex(@"builtInRoles'\)\.(\w+)")]
    private static partial Regex BuiltInRoleReference();

    [GeneratedRegex(@"roleDefinitions', '([0-9a-fA-F-]{36})'")]
    private static partial Regex InlineRoleId();
}
