namespace WaServerless.Storage.Infrastructure;

/// <summary>Logical table names; <see cref="StorageClients.Name"/> adds the deployment's prefix.</summary>
public static class TableNames
{
    public const string Accounts = "accounts";
    public const string ApiKeys = "apikeys";
    public const string ApiKeyLookup = "apikeylookup";
    public const string Messages = "messages";
    public const string EngineMessageIds = "enginemessageids";
    public const string Sessions = "sessions";
    public const string SessionEvents = "sessionevents";
    public const string SessionStateContainer = "sessionstate";
    public const string Webhooks = "webhooks";
    public const string WebhookDeliveries = "webhookdeliveries";
    public const string Inbound = "inbound";
    public const string RecipientSends = "recipientsends";
    public const string EngineAddresses = "engineaddresses";
    public const string OAuthClients = "oauthclients";
    public const string OAuthClientLookup = "oauthclientlookup";
    public const string OAuthTokens = "oauthtokens";
    public const string SessionGroups = "sessiongroups";
    public const string NumberChecks = "numberchecks";
    public const string MacCredentials = "maccredentials";
    public const string NumericIds = "numericids";

    /// <summary>Nonces seen in MAC-signed requests go to one table per day of their signed timestamp, dropped two days on.</summary>
    public const string MacNoncesOfDay = "macnonces";

    public static readonly string[] All = [Accounts, ApiKeys, ApiKeyLookup, Messages, EngineMessageIds, Sessions, SessionEvents, Inbound, RecipientSends, EngineAddresses, Webhooks, WebhookDeliveries, OAuthClients, OAuthClientLookup, OAuthTokens, SessionGroups, NumberChecks, MacCredentials, NumericIds];
}
