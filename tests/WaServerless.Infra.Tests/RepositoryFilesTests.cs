namespace WaServerless.Infra.Tests;

/// <summary>azure.yaml and docs/deploy.md, checked as text (no YAML parser in the package set).</summary>
public class RepositoryFilesTests
{
    [Fact]
    public void Azure_yaml_points_azd_at_the_bicep_and_both_services()
    {
        var lines = File.ReadAllLines(RepoPaths.Combine("azure.yaml")).Select(line => line.TrimEnd()).ToList();

        Assert.Contains("  provider: bicep", lines);
        Assert.Contains("  path: bicep", lines);
        Assert.Contains("  module: main", lines);
        Assert.Contains("  api:", lines);
        Assert.Contains("    project: functions/WaServerless.Functions", lines);
        Assert.Contains("    host: function", lines);
        Assert.Contains("  connector:", lines);
        Assert.Contains("    project: connector/WaServerless.Connector", lines);
        Assert.Contains("    host: containerapp", lines);
        Assert.Equal(2, lines.Count(line => line == "    language: dotnet"));
    }

    [Fact]
    public void Azure_yaml_docker_paths_resolve_to_the_dockerfile_and_the_repository_root()
    {
        var lines = File.ReadAllLines(RepoPaths.Combine("azure.yaml")).Select(line => line.Trim()).ToList();
        // azd resolves docker.path and docker.context from the service's project folder.
        var projectFolder = RepoPaths.Combine("connector", "WaServerless.Connector");

        var dockerPath = lines.Single(line => line.StartsWith("path: ", StringComparison.Ordinal) && line.Contains("Dockerfile", StringComparison.Ordinal))["path: ".Length..];
        var context = lines.Single(line => line.StartsWith("context: ", StringComparison.Ordinal))["context: ".Length..];

        Assert.Equal(
            Path.GetFullPath(RepoPaths.Combine("infra", "docker", "Dockerfile")),
            Path.GetFullPath(Path.Combine(projectFolder, dockerPath)));
        Assert.Equal(
            Path.TrimEndingDirectorySeparator(Path.GetFullPath(RepoPaths.Root)),
            Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(projectFolder, context))));
    }

    [Fact]
    public void Bicep_tags_the_resources_azd_deploys_to()
    {
        var main = MainTemplate.Compiled;

        Assert.Contains("'azd-service-name', 'api'", main.TemplateDeclaring("Microsoft.Web/sites").Text, StringComparison.Ordinal);
        Assert.Contains("'azd-service-name', 'connector'", main.TemplateDeclaring("Microsoft.App/containerApps").Text, StringComparison.Ordinal);
        Assert.True(main.Root.GetProperty("outputs").TryGetProperty("AZURE_CONTAINER_REGISTRY_ENDPOINT", out _));
    }

    [Fact]
    public void Deploy_guide_walks_from_an_empty_subscription_to_a_delivered_message_and_back()
    {
        var text = File.ReadAllText(RepoPaths.Combine("docs", "deploy.md"));

        string[] steps =
        [
            "az login", "az group create", "az deployment group create", "-f bicep/main.bicep", "-p bicep/main.bicepparam", "azd up",
            "func azure functionapp publish", "az acr build", "POST", "/api/accounts", "X-Admin-Key", "/keys",
            "/api/sessions", "/qr", "/api/send", "X-API-Key", "recipient", "text", "workbookUrl", "az group delete", "purge",
        ];
        Assert.All(steps, step => Assert.Contains(step, text, StringComparison.Ordinal));
    }
}
