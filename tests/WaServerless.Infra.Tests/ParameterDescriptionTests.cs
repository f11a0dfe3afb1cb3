namespace WaServerless.Infra.Tests;

public class ParameterDescriptionTests
{
    [Fact]
    public void Every_parameter_of_main_and_of_every_module_has_a_description()
    {
        var missing = new List<string>();
        var count = 0;
        foreach (var template in MainTemplate.Compiled.SelfAndDescendants())
        {
            if (!template.Root.TryGetProperty("parameters", out var parameters))
            {
                continue;
            }

            foreach (var parameter in parameters.EnumerateObject())
            {
                count++;
                var description = parameter.Value.TryGetProperty("metadata", out var metadata)
                    && metadata.TryGetProperty("description", out var text)
                        ? text.GetString()
                        : null;
                if (string.IsNullOrWhiteSpace(description))
                {
                    missing.Add($"{template.Path}: {parameter.Name}");
                }
            }
        }

        Assert.True(count > 100, $"expected the parameters of main and its modules, found {count}");
        Assert.True(missing.Count == 0, "parameters without a description:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void Every_output_of_main_has_a_description()
    {
        var outputs = MainTemplate.Compiled.Root.GetProperty("outputs");

        foreach (var output in outputs.EnumerateObject())
        {
            Assert.True(
                output.Value.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("description", out _),
                $"output {output.Name} has no description");
        }
    }
}
