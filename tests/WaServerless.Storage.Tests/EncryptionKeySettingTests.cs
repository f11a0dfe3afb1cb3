using System.ComponentModel.DataAnnotations;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Sessions;
using WaServerless.Storage.Webhooks;

namespace WaServerless.Storage.Tests;

/// <summary>The keys' settings refuse to start with a message that says what is wrong, an unresolved Key Vault reference above all.</summary>
public sealed class EncryptionKeySettingTests
{
    private const string Unresolved = "@Microsoft.KeyVault(SecretUri=https://kvwaserv.vault.azure.net/secrets/webhook-encryption-key/)";

    [Fact]
    public void An_unresolved_key_vault_reference_says_so_and_what_to_do_for_both_keys()
    {
        var webhooks = Errors(new WebhookOptions { EncryptionKey = Unresolved });
        var sessions = Errors(new SessionOptions { EncryptionKey = Unresolved });

        Assert.Contains(webhooks, m => m.Contains("Webhooks:EncryptionKey is an unresolved Key Vault reference", StringComparison.Ordinal) && m.Contains("Key Vault Secrets User", StringComparison.Ordinal));
        Assert.Contains(sessions, m => m.Contains("Sessions:EncryptionKey is an unresolved Key Vault reference", StringComparison.Ordinal));
        Assert.DoesNotContain(webhooks, m => m.Contains("base64", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void A_value_that_is_not_32_bytes_of_base64_is_named_as_such(string value) =>
        Assert.Equal("Sessions:EncryptionKey must be base64 of exactly 32 bytes.", EncryptionKeySetting.Problem("Sessions:EncryptionKey", value));

    [Fact]
    public void A_good_key_passes_and_reads_back()
    {
        var value = Convert.ToBase64String(new byte[32]);

        Assert.Null(EncryptionKeySetting.Problem("Webhooks:EncryptionKey", value));
        Assert.Equal(32, EncryptionKeySetting.TryRead(value)!.Length);
        Assert.DoesNotContain(Errors(new WebhookOptions { EncryptionKey = value }), m => m.Contains("EncryptionKey", StringComparison.Ordinal));
    }

    private static List<string> Errors(IValidatableObject options) =>
        [.. options.Validate(new ValidationContext(options)).Select(r => r.ErrorMessage ?? "")];
}
