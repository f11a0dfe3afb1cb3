using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Engines;

namespace WaServerless.Engines.CloudApi.Tests;

/// <summary>AddCloudApiEngine: what it registers, and the options it refuses at start.</summary>
public sealed class RegistrationTests
{
    private static Dictionary<string, string?> Valid() => new()
    {
        ["CloudApi:PhoneNumberId"] = MockGraphApi.PhoneNumberId,
        ["CloudApi:AccessToken"] = MockGraphApi.AccessToken,
        ["CloudApi:AppSecret"] = MockGraphApi.AppSecret,
    };

    [Fact]
    public void Registers_the_engine_health_check_and_webhook_with_defaults()
    {
        using var services = MockGraphApi.BuildServices(Valid(), new FakeTimeProvider());

        services.GetRequiredService<IStartupValidator>().Validate();
        Assert.IsType<CloudApiEngine>(services.GetRequiredService<IWhatsAppEngine>());
        Assert.NotNull(services.GetRequiredService<CloudApiHealthCheck>());
        Assert.NotNull(services.GetRequiredService<CloudApiWebhook>());
        var o = services.GetRequiredService<IOptions<CloudApiOptions>>().Value;
        Assert.Equal(new Uri("https://graph.facebook.com"), o.BaseUrl);
        Assert.Equal("v23.0", o.GraphApiVersion);
        Assert.Equal("en_US", o.CopyCodeTemplateLanguage);
        Assert.Null(o.CopyCodeTemplateName);
    }

    [Theory]
    [InlineData("CloudApi:GraphApiVersion", "23.0", "GraphApiVersion")]
    [InlineData("CloudApi:GraphApiVersion", "v23", "GraphApiVersion")]
    [InlineData("CloudApi:GraphApiVersion", "v23.0/evil", "GraphApiVersion")]
    [InlineData("CloudApi:PhoneNumberId", "", "PhoneNumberId")]
    [InlineData("CloudApi:PhoneNumberId", "+15550783881", "PhoneNumberId")]
    [InlineData("CloudApi:AccessToken", "", "AccessToken")]
    [InlineData("CloudApi:AppSecret", "", "AppSecret")]
    [InlineData("CloudApi:BaseUrl", "ftp://graph.example.com", "BaseUrl")]
    [InlineData("CloudApi:RequestTimeout", "00:00:00", "RequestTimeout")]
    [InlineData("CloudApi:HealthCheckInterval", "00:00:01", "HealthCheckInterval")]
    public void Invalid_options_fail_at_start(string key, string value, string member)
    {
        var values = Valid();
        values[key] = value;
        using var services = MockGraphApi.BuildServices(values, new FakeTimeProvider());

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(member, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_errors_never_echo_the_secrets()
    {
        var values = Valid();
        values["CloudApi:GraphApiVersion"] = "latest";
        values["CloudApi:AccessToken"] = "EAAsecret-token-value";
        values["CloudApi:AppSecret"] = "app-secret-value";
        using var services = MockGraphApi.BuildServices(values, new FakeTimeProvider());

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.DoesNotContain("EAAsecret-token-value", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("app-secret-value", error.Message, StringComparison.Ordinal);
    }
}
