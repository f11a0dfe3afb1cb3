using System.Text.Json;
using System.Text.RegularExpressions;

namespace WaServerless.Infra.Tests;

/// <summary>One resource of the compiled ARM template, with the (nested) template that declares it.</summary>
internal sealed record TemplateResource(string Type, JsonElement Element, CompiledTemplate Owner)
{
    public JsonElement? Property(params string[] path)
    {
        var current = Element;
        foreach (var name in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current;
    }

    public string? StringProperty(params string[] path)
    {
        var value = Property(path);
        return value is { ValueKind: JsonValueKind.String } ? value.Value.GetString() : null;
    }
}

/// <summary>A compiled template (main or a module's nested template).</summary>
internal sealed partial class CompiledTemplate
{
    public CompiledTemplate(JsonElement root, string path, CompiledTemplate? parent)
    {
        Root = root;
        Path = path;
        Parent = parent;
    }

    public JsonElement Root { get; }

    public string Path { get; }

    public CompiledTemplate? Parent { get; }

    public string Text => Root.GetRawText();

    /// <summary>This template and every nested module template under it.</summary>
    public IEnumerable<CompiledTemplate> SelfAndDescendants()
    {
        yield return this;
        foreach (var resource in OwnResources())
        {
            if (resource.Type == "Microsoft.Resources/deployments"
                && resource.Property("properties", "template") is { ValueKind: JsonValueKind.Object } nested)
            {
                var name = resource.StringProperty("name") ?? "?";
                foreach (var descendant in new CompiledTemplate(nested, $"{Path} > {name}", this).SelfAndDescendants())
                {
                    yield return descendant;
                }
            }
        }
    }

    /// <summary>The resources declared directly in this template (array form, or the symbolic-name object of languageVersion 2.0).</summary>
    public IEnumerable<TemplateResource> OwnResources()
    {
        if (!Root.TryGetProperty("resources", out var resources))
        {
            yield break;
        }

        var elements = resources.ValueKind switch
        {
            JsonValueKind.Array => resources.EnumerateArray().ToList(),
            JsonValueKind.Object => resources.EnumerateObject().Select(property => property.Value).ToList(),
            _ => [],
        };
        foreach (var element in elements)
        {
            if (element.TryGetProperty("existing", out var existing) && existing.ValueKind == JsonValueKind.True)
            {
                continue;
            }

            yield return new TemplateResource(element.GetProperty("type").GetString() ?? "", element, this);
        }
    }

    /// <summary>Every resource of this template and its nested templates.</summary>
    public IEnumerable<TemplateResource> AllResources()
        => SelfAndDescendants().SelectMany(template => template.OwnResources());

    public IEnumerable<TemplateResource> AllResources(string type)
        => AllResources().Where(resource => string.Equals(resource.Type, type, StringComparison.OrdinalIgnoreCase));

    /// <summary>The nested template that declares a resource of the given type (exactly one expected).</summary>
    public CompiledTemplate TemplateDeclaring(string type)
        => AllResources(type).Select(resource => resource.Owner).Distinct().Single();

    public JsonElement? Variable(string name)
        => Root.TryGetProperty("variables", out var variables) && variables.TryGetProperty(name, out var value)
            ? value
            : null;

    /// <summary>Resolves "[variables('x')]" to the variable's JSON (one level); returns other values as they are.</summary>
    public JsonElement Resolve(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String
            && VariableReference().Match(value.GetString() ?? "") is { Success: true } match
            && Variable(match.Groups[1].Value) is { } resolved)
        {
            return resolved;
        }

        return value;
    }

    /// <summary>Objects shaped like app settings or container env entries: {name, value} or {name, secretRef}.</summary>
    public static IEnumerable<JsonElement> SettingLikeObjects(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = element.EnumerateObject().Select(property => property.Name).ToHashSet(StringComparer.Ordinal);
                if (names.Contains("name") && names.Count == 2 && (names.Contains("value") || names.Contains("secretRef")))
                {
                    yield return element;
                }

                foreach (var property in element.EnumerateObject())
                {
                    foreach (var found in SettingLikeObjects(property.Value))
                    {
                        yield return found;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var found in SettingLikeObjects(item))
                    {
                        yield return found;
                    }
                }

                break;
            default:
                break;
        }
    }

    /// <summary>Every string in the JSON (property values and array items).</summary>
    public static IEnumerable<string> Strings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                yield return element.GetString() ?? "";
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    foreach (var text in Strings(property.Value))
                    {
                        yield return text;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var text in Strings(item))
                    {
                        yield return text;
                    }
                }

                break;
            default:
                break;
        }
    }

    [GeneratedRegex(@"^\[variables\('([^']+)'\)\]$")]
    private static partial Regex VariableReference();
}

/// <summary>bicep/main.bicep compiled once per test run.</summary>
internal static class MainTemplate
{
    private static readonly Lazy<ProcessResult> LazyBuild = new(
        () => BicepCli.Run(["build", RepoPaths.Combine("bicep", "main.bicep"), "--stdout"]));

    private static readonly Lazy<JsonDocument> LazyDocument = new(() =>
    {
        var build = Build;
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException("bicep build failed:\n" + build.Output);
        }

        return JsonDocument.Parse(build.StdOut);
    });

    public static ProcessResult Build => LazyBuild.Value;

    public static CompiledTemplate Compiled => new(LazyDocument.Value.RootElement, "main", null);
}
