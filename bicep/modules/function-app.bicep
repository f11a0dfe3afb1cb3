metadata name = 'Function App (Flex Consumption)'
metadata description = 'The WaServerless HTTP API, Service Bus triggers and Durable orchestrations: a .NET isolated Function App on the Flex Consumption plan. Every connection (host storage, Durable, tables and blobs, Service Bus, Application Insights, the deployment package) signs in with one user-assigned managed identity; no connection string or account key is configured.'

@description('Required. Name of the Function App (its default host name is <name>.azurewebsites.net).')
@minLength(2)
@maxLength(60)
param name string

@description('Required. Name of the Flex Consumption plan.')
@minLength(1)
@maxLength(60)
param planName string

@description('Optional. Location for the plan and the app; the region must offer Flex Consumption.')
param location string = resourceGroup().location

@description('Optional. Tags for the plan and the app.')
param tags object = {}

@description('Required. Resource id of the user-assigned identity the app runs as.')
param identityResourceId string

@description('Required. Client id of that identity.')
param identityClientId string

@description('Required. Name of the storage account (host storage, Durable Functions, the app\'s tables and blobs).')
param storageAccountName string

@description('Required. Blob endpoint of the storage account, with a trailing slash.')
param storageBlobEndpoint string

@description('Required. Queue endpoint of the storage account, with a trailing slash.')
param storageQueueEndpoint string

@description('Required. Table endpoint of the storage account, with a trailing slash.')
param storageTableEndpoint string

@description('Required. Blob container that holds the deployment package.')
param deploymentContainerName string

@description('Required. Fully qualified Service Bus namespace (<name>.servicebus.windows.net).')
param serviceBusFullyQualifiedNamespace string

@description('Required. Name of the queue that carries delivery events.')
param eventsQueueName string

@description('Required. Name of the queue that carries control commands.')
param controlQueueName string

@description('Required. Durable Functions task hub name.')
@minLength(3)
@maxLength(45)
param durableTaskHubName string

@description('Required. Application Insights connection string.')
param appInsightsConnectionString string

@description('Optional. Versionless Key Vault URI of the admin API key secret; empty leaves Admin__ApiKey unset.')
param adminApiKeySecretUri string = ''

@description('Optional. Versionless Key Vault URI of the key that encrypts webhook signing secrets at rest; empty leaves Webhooks__EncryptionKey unset (webhooks cannot be registered).')
param webhookEncryptionKeySecretUri string = ''

@description('Optional. The engines new sessions may use, comma-separated (Sessions__AllowedEngines): the connector\'s engine, so nobody creates a simulated session in production.')
param sessionEngines string = 'cloudapi'

@description('Optional. How the API treats reply and copy-code buttons for waha sessions (Waha__ButtonsFallback, the connector reads the same): NumberedText, Poll, or Refuse (422 up front).')
@allowed([
  'NumberedText'
  'Poll'
  'Refuse'
])
param wahaButtonsFallback string = 'NumberedText'

@description('Optional. The .NET version of the isolated worker.')
@allowed([
  '9.0'
  '10.0'
])
param runtimeVersion string = '10.0'

@description('Optional. Memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Optional. The most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Optional. Always-ready instances for the HTTP functions (0 = scale to zero, cold starts possible).')
@minValue(0)
@maxValue(20)
param alwaysReadyHttpInstances int = 0

@description('Optional. Always-ready instances for the Durable Functions group.')
@minValue(0)
@maxValue(20)
param alwaysReadyDurableInstances int = 0

@description('Required. Resource id of the Log Analytics workspace that receives the diagnostic settings.')
param logAnalyticsWorkspaceResourceId string

var alwaysReady = concat(
  alwaysReadyHttpInstances > 0 ? [{ name: 'http', instanceCount: alwaysReadyHttpInstances }] : [],
  alwaysReadyDurableInstances > 0 ? [{ name: 'durable', instanceCount: alwaysReadyDurableInstances }] : []
)

// Identity-based connections only. Names follow the Azure SDK / Functions conventions
// (<connection>__accountName, __serviceUri, __credential, __clientId).
var baseAppSettings = [
  // Functions host storage and the Durable Functions Azure Storage provider.
  { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
  // The app's own tables and blobs (and storage queues when Queues__Transport is Storage).
  { name: 'Storage__tableServiceUri', value: storageTableEndpoint }
  { name: 'Storage__blobServiceUri', value: storageBlobEndpoint }
  { name: 'Storage__queueServiceUri', value: storageQueueEndpoint }
  { name: 'Storage__credential', value: 'managedidentity' }
  { name: 'Storage__clientId', value: identityClientId }
  // Service Bus: the send lanes (out) and the delivery-events and control queues.
  { name: 'ServiceBus__fullyQualifiedNamespace', value: serviceBusFullyQualifiedNamespace }
  { name: 'ServiceBus__credential', value: 'managedidentity' }
  { name: 'ServiceBus__clientId', value: identityClientId }
  { name: 'Queues__Transport', value: 'ServiceBus' }
  { name: 'EventsQueueName', value: eventsQueueName }
  { name: 'ControlQueueName', value: controlQueueName }
  { name: 'DurableTaskHub', value: durableTaskHubName }
  { name: 'Sessions__AllowedEngines', value: sessionEngines }
  { name: 'Waha__ButtonsFallback', value: wahaButtonsFallback }
  // Timer schedules (six-field NCRONTAB): the triggers read them as %Section:Name%, the options of both hosts from the same names.
  { name: 'Messages__OutboxSweepSchedule', value: '0 */1 * * * *' }
  { name: 'Webhooks__SweepSchedule', value: '*/30 * * * * *' }
  // Telemetry with Microsoft Entra authentication (the component has local auth disabled).
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD;ClientId=${identityClientId}' }
  // DefaultAzureCredential / ManagedIdentityCredential pick the user-assigned identity.
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
]

// A Key Vault reference, resolved by the platform with keyVaultReferenceIdentity.
var adminAppSettings = empty(adminApiKeySecretUri)
  ? []
  : [
      { name: 'Admin__ApiKey', value: '@Microsoft.KeyVault(SecretUri=${adminApiKeySecretUri})' }
    ]

var webhookAppSettings = empty(webhookEncryptionKeySecretUri)
  ? []
  : [
      { name: 'Webhooks__EncryptionKey', value: '@Microsoft.KeyVault(SecretUri=${webhookEncryptionKeySecretUri})' }
    ]

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityResourceId
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: concat(baseAppSettings, adminAppSettings, webhookAppSettings)
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReady
      }
      runtime: {
        name: 'dotnet-isolated'
        version: runtimeVersion
      }
    }
  }
}

resource siteDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: '${name}-diagnosticSettings'
  scope: site
  properties: {
    workspaceId: logAnalyticsWorkspaceResourceId
    // No FunctionAppLogs: on Flex it is the host's unfiltered stream (the Durable extension's constant
    // polling included). Logs take one path, OpenTelemetry (host.json telemetryMode, the worker's
    // exporter) into Application Insights, which keeps them in the same workspace at host.json's levels.
    logs: []
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('The resource id of the Function App.')
output resourceId string = site.id

@description('The name of the Function App.')
output name string = site.name

@description('The default host name of the Function App.')
output defaultHostName string = site.properties.defaultHostName
