targetScope = 'resourceGroup'

metadata name = 'WaServerless'
metadata description = 'Everything WaServerless needs in one resource group: storage, Service Bus, the Functions API (Flex Consumption), the connector (Container Apps), Key Vault, Log Analytics and Application Insights, the container registry, the workbook and the alert rules. Every service-to-service connection signs in with a user-assigned managed identity; no connection string or account key is created or configured.'

import { builtInRoles, connectorEngineType } from 'modules/types.bicep'

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

@description('Optional. Short prefix of every resource name, 2-9 lowercase letters and digits; a hash of the resource group id is appended, so names are unique per resource group.')
@minLength(2)
@maxLength(9)
param namePrefix string = 'waserv'

@description('Optional. Region for every resource; it must offer Flex Consumption and Container Apps. Defaults to the resource group\'s region.')
param location string = resourceGroup().location

@description('Optional. Tags for every resource.')
param tags object = {}

@description('Optional. Service Bus tier: Standard (shared capacity) or Premium (dedicated messaging units, isolation, larger messages).')
@allowed([
  'Standard'
  'Premium'
])
param serviceBusSku string = 'Standard'

@description('Optional. Messaging units when serviceBusSku is Premium.')
@allowed([
  1
  2
  4
  8
  16
])
param serviceBusPremiumCapacity int = 1

@description('Optional. How many times a queue message is delivered before Service Bus dead-letters it.')
@minValue(1)
@maxValue(2000)
param serviceBusMaxDeliveryCount int = 10

@description('Optional. How long an OTP send may wait in its lane before it expires to the dead-letter queue (ISO 8601 duration); a late one-time password is useless.')
param otpMessageTimeToLive string = 'PT15M'

@description('Optional. How long a high, normal or bulk send may wait in its lane before it expires to the dead-letter queue (ISO 8601 duration).')
param sendMessageTimeToLive string = 'P1D'

@description('Optional. Storage account redundancy.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_LRS'

@description('Optional. Days that deleted blobs and containers can be restored.')
@minValue(1)
@maxValue(365)
param blobSoftDeleteRetentionInDays int = 7

@description('Optional. .NET version of the Functions isolated worker on Flex Consumption.')
@allowed([
  '9.0'
  '10.0'
])
param functionsRuntimeVersion string = '10.0'

@description('Optional. Memory of each Functions instance in MB.')
@allowed([
  512
  2048
  4096
])
param functionsInstanceMemoryMB int = 2048

@description('Optional. The most instances the Functions app scales out to.')
@minValue(1)
@maxValue(1000)
param functionsMaximumInstanceCount int = 100

@description('Optional. Always-ready (pre-warmed, billed while idle) instances for the HTTP API; 0 scales to zero and accepts cold starts.')
@minValue(0)
@maxValue(20)
param functionsAlwaysReadyInstances int = 0

@description('Optional. Durable Functions task hub name (3-45 letters and digits, starting with a letter).')
@minLength(3)
@maxLength(45)
param durableTaskHubName string = 'WaServerlessHub'

@description('Optional. The connector image (<registry>/<repository>:<tag>), usually in this deployment\'s registry. Empty deploys a placeholder until the first image is pushed; then deploy again with it (or let azd set it).')
param connectorImage string = ''

@description('Optional. The WhatsApp engine of the connector and what it needs: { engine: \'Sandbox\' } (simulated WhatsApp, the default: it deploys and delivers with no Meta account) or { engine: \'CloudApi\', phoneNumberId, accessToken, appSecret } (Meta\'s WhatsApp Business Cloud API; each value required) or { engine: \'Waha\', apiKey, image?, buttonsFallback?, cpu? } (a QR-linked WhatsApp account through a WAHA sidecar in each connector replica, its session folder on an Azure Files share).')
param connectorEngine connectorEngineType = { engine: 'Sandbox' }

@description('Optional. Meta Graph API version used by the CloudApi engine.')
@minLength(4)
@maxLength(8)
param cloudApiGraphApiVersion string = 'v23.0'

@description('Optional. Fewest connector replicas; at least 1 so that the sessions stay connected.')
@minValue(1)
@maxValue(10)
param connectorMinReplicas int = 1

@description('Optional. Most connector replicas KEDA scales out to on queue depth.')
@minValue(1)
@maxValue(30)
param connectorMaxReplicas int = 3

@description('Optional. Waiting messages per replica, on one send lane, before KEDA adds a connector replica.')
@minValue(1)
@maxValue(10000)
param connectorScaleMessageCount int = 100

@description('Optional. vCPU per connector replica (memory is twice that in GiB).')
@allowed([
  '0.25'
  '0.5'
  '0.75'
  '1.0'
  '1.25'
  '1.5'
  '1.75'
  '2.0'
])
param connectorCpu string = '0.5'

@description('Optional. Give the connector a public HTTPS endpoint on its port 8080. Unset: on for the CloudApi engine (Meta posts receipts and inbound messages to it), off for the Sandbox.')
param connectorExternalIngress bool?

@description('Optional. Container registry tier.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param containerRegistrySku string = 'Basic'

@description('Optional. Days that Log Analytics keeps logs and telemetry.')
@minValue(30)
@maxValue(730)
param logAnalyticsRetentionInDays int = 30

@description('Optional. Key Vault purge protection. Recommended for production; once on it cannot be turned off, and a deleted vault keeps its name for the retention period.')
param keyVaultEnablePurgeProtection bool = true

@description('Optional. Days that a deleted Key Vault or secret can be recovered.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

@description('Optional. The admin API key (header X-Admin-Key), stored in Key Vault as admin-api-key and given to the Functions app as Admin__ApiKey. Use a long random value. Empty: no secret and no admin API.')
@secure()
param adminApiKey string = ''

@description('Required. The key that encrypts WhatsApp session state at rest: base64 of 32 random bytes (openssl rand -base64 32), stored in Key Vault as session-state-encryption-key and given to the connector as Sessions__EncryptionKey. Keep it: a new key makes stored sessions unreadable (they pair again).')
@secure()
@minLength(44)
@maxLength(44)
param sessionStateEncryptionKey string

@description('Optional. The key that encrypts webhook signing secrets at rest (base64 of 32 random bytes), stored in Key Vault as webhook-encryption-key and given to the Functions app as Webhooks__EncryptionKey. Empty: not set, and webhooks cannot be registered.')
@secure()
param webhookEncryptionKey string = ''

@description('Optional. Deploy the alert rules.')
param enableAlerts bool = true

@description('Optional. E-mail addresses that receive the alerts; empty creates no action group (alerts still show in the portal).')
param alertEmailAddresses string[] = []

@description('Optional. Alert when a session has been disconnected for this many minutes.')
@allowed([
  5
  10
  15
  30
  45
  60
])
param alertSessionDisconnectedMinutes int = 10

@description('Optional. Alert when more than this percentage of sends fail.')
@minValue(1)
@maxValue(100)
param alertMessageFailureRatePercent int = 10

@description('Optional. Alert when a message waited in its lane longer than this many seconds.')
@minValue(1)
@maxValue(86400)
param alertQueueAgeSeconds int = 300

@description('Optional. Alert when more than this percentage of webhook deliveries fail.')
@minValue(1)
@maxValue(100)
param alertWebhookFailureRatePercent int = 25

// ---------------------------------------------------------------------------------------------
// Names (prefix + a hash of the resource group id, as in the Azure Verified Modules examples)
// ---------------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(resourceGroup().id))
// Storage account, registry and Key Vault names take lowercase letters and digits only: anything
// else in the prefix would fail on the first of them, mid-deployment, with a less helpful message.
var lowerPrefix = toLower(namePrefix)
var prefixStartsWithLetter = contains('abcdefghijklmnopqrstuvwxyz', substring(lowerPrefix, 0, 1))
var prefixIsAlphanumeric = reduce(range(0, length(lowerPrefix)), true, (ok, i) => ok && contains('abcdefghijklmnopqrstuvwxyz0123456789', substring(lowerPrefix, i, 1)))
var prefixIsValid = prefixStartsWithLetter && prefixIsAlphanumeric
var prefix = prefixIsValid
  ? lowerPrefix
  : fail('namePrefix must be 2-9 letters and digits, starting with a letter: storage account, registry and Key Vault names allow nothing else.')
var names = {
  functionsIdentity: 'id-${prefix}-func-${resourceToken}'
  connectorIdentity: 'id-${prefix}-conn-${resourceToken}'
  logAnalytics: 'log-${prefix}-${resourceToken}'
  appInsights: 'appi-${prefix}-${resourceToken}'
  storage: 'st${prefix}${resourceToken}'
  serviceBus: 'sb-${prefix}-${resourceToken}'
  keyVault: 'kv${prefix}${resourceToken}'
  registry: 'cr${prefix}${resourceToken}'
  functionPlan: 'asp-${prefix}-${resourceToken}'
  functionApp: 'func-${prefix}-${resourceToken}'
  containerAppsEnvironment: 'cae-${prefix}-${resourceToken}'
  connector: 'ca-${prefix}-${resourceToken}'
  alerts: '${prefix}-${resourceToken}'
  wahaSessions: 'stw${take(prefix, 8)}${resourceToken}'
}
var deploymentPrefix = uniqueString(deployment().name, location)

// The queues. The send lanes are session-enabled: the session id is the WhatsApp session that
// sends, so each session's messages are delivered in order and one connector replica owns them.
var sendLaneNames = [
  'send-otp'
  'send-high'
  'send-normal'
  'send-bulk'
]
var eventsQueueName = 'delivery-events'
var controlQueueName = 'control'
var queues = [
  { name: 'send-otp', requiresSession: true, defaultMessageTimeToLive: otpMessageTimeToLive }
  { name: 'send-high', requiresSession: true, defaultMessageTimeToLive: sendMessageTimeToLive }
  { name: 'send-normal', requiresSession: true, defaultMessageTimeToLive: sendMessageTimeToLive }
  { name: 'send-bulk', requiresSession: true, defaultMessageTimeToLive: sendMessageTimeToLive }
  { name: eventsQueueName, requiresSession: false, defaultMessageTimeToLive: 'P7D' }
  { name: controlQueueName, requiresSession: false, defaultMessageTimeToLive: 'PT1H' }
]
var deploymentContainerName = 'app-package'
// Bulk campaigns: the uploaded recipient files and the cleaned recipient lists (CampaignRecipientListStore.ContainerName).
var campaignUploadsContainerName = 'campaignuploads'

// ---------------------------------------------------------------------------------------------
// Identities: one for the Functions app, one for the connector
// ---------------------------------------------------------------------------------------------

module functionsIdentity 'modules/managed-identity.bicep' = {
  name: '${deploymentPrefix}-functions-identity'
  params: {
    name: names.functionsIdentity
    location: location
    tags: tags
  }
}

module connectorIdentity 'modules/managed-identity.bicep' = {
  name: '${deploymentPrefix}-connector-identity'
  params: {
    name: names.connectorIdentity
    location: location
    tags: tags
  }
}

// ---------------------------------------------------------------------------------------------
// Monitoring
// ---------------------------------------------------------------------------------------------

module logAnalytics 'modules/log-analytics.bicep' = {
  name: '${deploymentPrefix}-log-analytics'
  params: {
    name: names.logAnalytics
    location: location
    tags: tags
    retentionInDays: logAnalyticsRetentionInDays
  }
}

module appInsights 'modules/app-insights.bicep' = {
  name: '${deploymentPrefix}-app-insights'
  params: {
    name: names.appInsights
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    roleAssignments: [
      {
        principalId: functionsIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.monitoringMetricsPublisher
        description: 'Functions app: sends telemetry with Microsoft Entra authentication.'
      }
      {
        principalId: connectorIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.monitoringMetricsPublisher
        description: 'Connector: sends telemetry with Microsoft Entra authentication.'
      }
    ]
  }
}

// ---------------------------------------------------------------------------------------------
// Data: storage, Service Bus, Key Vault, registry
// ---------------------------------------------------------------------------------------------

module storage 'modules/storage.bicep' = {
  name: '${deploymentPrefix}-storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    skuName: storageSku
    softDeleteRetentionInDays: blobSoftDeleteRetentionInDays
    blobContainerNames: [
      deploymentContainerName
      campaignUploadsContainerName
    ]
    logAnalyticsWorkspaceResourceId: logAnalytics.outputs.resourceId
    roleAssignments: [
      {
        principalId: functionsIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.storageBlobDataOwner
        description: 'Functions app: host storage (leases), Durable Functions, the deployment package, media, session blobs, campaign recipient lists.'
      }
      {
        principalId: functionsIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.storageQueueDataContributor
        description: 'Functions app: host and Durable Functions queues.'
      }
      {
        principalId: functionsIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.storageTableDataContributor
        description: 'Functions app: API keys, messages, idempotency, counters, webhooks, campaigns; Durable Functions history.'
      }
      {
        principalId: connectorIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.storageBlobDataContributor
        description: 'Connector: session state, session ownership leases, media.'
      }
      {
        principalId: connectorIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.storageTableDataContributor
        description: 'Connector: message status, sessions, inbound messages.'
      }
    ]
  }
}

module serviceBus 'modules/service-bus.bicep' = {
  name: '${deploymentPrefix}-service-bus'
  params: {
    name: names.serviceBus
    location: location
    tags: tags
    skuName: serviceBusSku
    premiumCapacity: serviceBusPremiumCapacity
    queues: queues
    maxDeliveryCount: serviceBusMaxDeliveryCount
    logAnalyticsWorkspaceResourceId: logAnalytics.outputs.resourceId
    roleAssignments: [
      {
        principalId: functionsIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.serviceBusDataSender
        description: 'Functions app: enqueues sends on the lanes and control commands.'
      }
      {
        principalId: functionsIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.serviceBusDataReceiver
        description: 'Functions app: Service Bus triggers on delivery-events.'
      }
      {
        principalId: connectorIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.serviceBusDataSender
        description: 'Connector: publishes delivery events.'
      }
      {
        principalId: connectorIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.serviceBusDataReceiver
        description: 'Connector: receives sends (per session) and control commands.'
      }
    ]
    // The KEDA azure-servicebus scaler and the Functions Service Bus extension's target-based scaler
    // read queue runtime properties, which needs Manage rights: Data Owner, but only on the queues
    // they watch (the connector's four lanes, the Functions app's delivery-events).
    queueRoleAssignments: [
      {
        queueName: sendLaneNames[0]
        principalId: connectorIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.serviceBusDataOwner
        description: 'Connector: KEDA reads the depth of ${sendLaneNames[0]} to scale the connector.'
      }
      {
        queueName: sendLaneNames[1]
        principalId: connectorIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.serviceBusDataOwner
        description: 'Connector: KEDA reads the depth of ${sendLaneNames[1]} to scale the connector.'
      }
      {
        queueName: sendLaneNames[2]
        principalId: connectorIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.serviceBusDataOwner
        description: 'Connector: KEDA reads the depth of ${sendLaneNames[2]} to scale the connector.'
      }
      {
        queueName: sendLaneNames[3]
        principalId: connectorIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.serviceBusDataOwner
        description: 'Connector: KEDA reads the depth of ${sendLaneNames[3]} to scale the connector.'
      }
      {
        queueName: eventsQueueName
        principalId: functionsIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.serviceBusDataOwner
        description: 'Functions app: the Service Bus extension\'s target-based scaler reads the depth of ${eventsQueueName}.'
      }
    ]
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: '${deploymentPrefix}-key-vault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    enablePurgeProtection: keyVaultEnablePurgeProtection
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    logAnalyticsWorkspaceResourceId: logAnalytics.outputs.resourceId
  }
}

module adminApiKeySecret 'modules/key-vault-secret.bicep' = if (!empty(adminApiKey)) {
  name: '${deploymentPrefix}-secret-admin-api-key'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: names.keyVault
    name: 'admin-api-key'
    value: adminApiKey
    readerPrincipalIds: [
      functionsIdentity.outputs.principalId
    ]
  }
}

var isCloudApi = connectorEngine.engine == 'CloudApi'
var isWaha = connectorEngine.engine == 'Waha'
// The API refuses what the connector's WAHA engine would refuse, so both read the same setting.
var wahaButtonsFallback = connectorEngine.engine == 'Waha' ? connectorEngine.?buttonsFallback ?? 'NumberedText' : 'NumberedText'

module sessionStateEncryptionKeySecret 'modules/key-vault-secret.bicep' = {
  name: '${deploymentPrefix}-secret-session-state-key'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: names.keyVault
    name: 'session-state-encryption-key'
    value: sessionStateEncryptionKey
    readerPrincipalIds: [
      connectorIdentity.outputs.principalId
    ]
  }
}

module cloudApiAccessTokenSecret 'modules/key-vault-secret.bicep' = if (isCloudApi) {
  name: '${deploymentPrefix}-secret-cloudapi-access-token'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: names.keyVault
    name: 'cloudapi-access-token'
    value: connectorEngine.engine == 'CloudApi' ? connectorEngine.accessToken : ''
    readerPrincipalIds: [
      connectorIdentity.outputs.principalId
    ]
  }
}

module metaAppSecretSecret 'modules/key-vault-secret.bicep' = if (isCloudApi) {
  name: '${deploymentPrefix}-secret-meta-app-secret'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: names.keyVault
    name: 'meta-app-secret'
    value: connectorEngine.engine == 'CloudApi' ? connectorEngine.appSecret : ''
    readerPrincipalIds: [
      connectorIdentity.outputs.principalId
    ]
  }
}

module wahaApiKeySecret 'modules/key-vault-secret.bicep' = if (isWaha) {
  name: '${deploymentPrefix}-secret-waha-api-key'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: names.keyVault
    name: 'waha-api-key'
    value: connectorEngine.engine == 'Waha' ? connectorEngine.apiKey : ''
    readerPrincipalIds: [
      connectorIdentity.outputs.principalId
    ]
  }
}

module webhookEncryptionKeySecret 'modules/key-vault-secret.bicep' = if (!empty(webhookEncryptionKey)) {
  name: '${deploymentPrefix}-secret-webhook-key'
  dependsOn: [
    keyVault
  ]
  params: {
    keyVaultName: names.keyVault
    name: 'webhook-encryption-key'
    value: webhookEncryptionKey
    readerPrincipalIds: [
      functionsIdentity.outputs.principalId
    ]
  }
}

module registry 'modules/container-registry.bicep' = {
  name: '${deploymentPrefix}-container-registry'
  params: {
    name: names.registry
    location: location
    tags: tags
    skuName: containerRegistrySku
    logAnalyticsWorkspaceResourceId: logAnalytics.outputs.resourceId
    roleAssignments: [
      {
        principalId: connectorIdentity.outputs.principalId
        roleDefinitionId: builtInRoles.acrPull
        description: 'Connector: pulls its image.'
      }
    ]
  }
}

// ---------------------------------------------------------------------------------------------
// Compute: the Functions app and the connector
// ---------------------------------------------------------------------------------------------

module functionApp 'modules/function-app.bicep' = {
  name: '${deploymentPrefix}-function-app'
  params: {
    name: names.functionApp
    planName: names.functionPlan
    location: location
    tags: tags
    identityResourceId: functionsIdentity.outputs.resourceId
    identityClientId: functionsIdentity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    eventsQueueName: eventsQueueName
    controlQueueName: controlQueueName
    durableTaskHubName: durableTaskHubName
    appInsightsConnectionString: appInsights.outputs.connectionString
    adminApiKeySecretUri: adminApiKeySecret.?outputs.uri ?? ''
    webhookEncryptionKeySecretUri: webhookEncryptionKeySecret.?outputs.uri ?? ''
    sessionEngines: toLower(connectorEngine.engine)
    wahaButtonsFallback: wahaButtonsFallback
    runtimeVersion: functionsRuntimeVersion
    instanceMemoryMB: functionsInstanceMemoryMB
    maximumInstanceCount: functionsMaximumInstanceCount
    alwaysReadyHttpInstances: functionsAlwaysReadyInstances
    logAnalyticsWorkspaceResourceId: logAnalytics.outputs.resourceId
  }
}

module containerAppsEnvironment 'modules/container-apps-environment.bicep' = {
  name: '${deploymentPrefix}-container-apps-environment'
  params: {
    name: names.containerAppsEnvironment
    location: location
    tags: tags
    logAnalyticsWorkspaceResourceId: logAnalytics.outputs.resourceId
  }
}

module wahaSessionShare 'modules/waha-session-share.bicep' = if (isWaha) {
  name: '${deploymentPrefix}-waha-session-share'
  dependsOn: [
    containerAppsEnvironment
  ]
  params: {
    name: names.wahaSessions
    location: location
    tags: tags
    environmentName: names.containerAppsEnvironment
    logAnalyticsWorkspaceResourceId: logAnalytics.outputs.resourceId
  }
}

module connector 'modules/connector-app.bicep' = {
  name: '${deploymentPrefix}-connector'
  params: {
    name: names.connector
    location: location
    tags: tags
    environmentResourceId: containerAppsEnvironment.outputs.resourceId
    identityResourceId: connectorIdentity.outputs.resourceId
    identityClientId: connectorIdentity.outputs.clientId
    image: connectorImage
    registryLoginServer: registry.outputs.loginServer
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    serviceBusNamespaceName: serviceBus.outputs.name
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    scaleQueueNames: sendLaneNames
    scaleMessageCount: connectorScaleMessageCount
    eventsQueueName: eventsQueueName
    controlQueueName: controlQueueName
    minReplicas: connectorMinReplicas
    maxReplicas: connectorMaxReplicas
    cpu: connectorCpu
    engine: connectorEngine.engine
    cloudApiGraphApiVersion: cloudApiGraphApiVersion
    cloudApiPhoneNumberId: connectorEngine.engine == 'CloudApi' ? connectorEngine.phoneNumberId : ''
    cloudApiAccessTokenSecretUri: cloudApiAccessTokenSecret.?outputs.uri ?? ''
    sessionStateEncryptionKeySecretUri: sessionStateEncryptionKeySecret.outputs.uri
    metaAppSecretUri: metaAppSecretSecret.?outputs.uri ?? ''
    appInsightsConnectionString: appInsights.outputs.connectionString
    externalIngress: connectorExternalIngress ?? isCloudApi
    wahaImage: connectorEngine.engine == 'Waha' ? connectorEngine.?image ?? 'devlikeapro/waha:gows-2026.7.1' : 'devlikeapro/waha:gows-2026.7.1'
    wahaApiKeySecretUri: wahaApiKeySecret.?outputs.uri ?? ''
    wahaSessionsStorageName: wahaSessionShare.?outputs.storageName ?? ''
    wahaButtonsFallback: wahaButtonsFallback
    wahaCpu: connectorEngine.engine == 'Waha' ? connectorEngine.?cpu ?? '0.5' : '0.5'
  }
}

// ---------------------------------------------------------------------------------------------
// Workbook and alerts
// ---------------------------------------------------------------------------------------------

module workbook 'modules/workbook.bicep' = {
  name: '${deploymentPrefix}-workbook'
  dependsOn: [
    appInsights
  ]
  params: {
    location: location
    tags: tags
    displayName: 'WaServerless (${prefix}-${resourceToken})'
    appInsightsName: names.appInsights
  }
}

module alerts 'modules/alerts.bicep' = if (enableAlerts) {
  name: '${deploymentPrefix}-alerts'
  dependsOn: [
    appInsights
    serviceBus
  ]
  params: {
    namePrefix: names.alerts
    location: location
    tags: tags
    appInsightsName: names.appInsights
    serviceBusNamespaceName: names.serviceBus
    emailAddresses: alertEmailAddresses
    sessionDisconnectedMinutes: alertSessionDisconnectedMinutes
    messageFailureRatePercent: alertMessageFailureRatePercent
    queueAgeSeconds: alertQueueAgeSeconds
    webhookFailureRatePercent: alertWebhookFailureRatePercent
  }
}

// ---------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------

@description('Base URL of the HTTP API (POST {apiBaseUrl}/send, {apiBaseUrl}/accounts, ...).')
output apiBaseUrl string = 'https://${functionApp.outputs.defaultHostName}/api'

@description('Name of the Functions app (for func azure functionapp publish).')
output functionAppName string = functionApp.outputs.name

@description('Name of the connector Container App.')
output connectorName string = connector.outputs.name

@description('Public host name of the connector when its external ingress is on (the CloudApi engine, or connectorExternalIngress), else empty.')
output connectorFqdn string = connector.outputs.fqdn

@description('Portal link that opens the WaServerless workbook.')
output workbookUrl string = workbook.outputs.url

@description('Client id of the Functions app\'s managed identity.')
output functionsIdentityClientId string = functionsIdentity.outputs.clientId

@description('Client id of the connector\'s managed identity.')
output connectorIdentityClientId string = connectorIdentity.outputs.clientId

@description('Name of the storage account.')
output storageAccountName string = storage.outputs.name

@description('Name of the Service Bus namespace.')
output serviceBusNamespaceName string = serviceBus.outputs.name

@description('Name of the Key Vault.')
output keyVaultName string = keyVault.outputs.name

@description('Name of the container registry (for az acr build).')
output containerRegistryName string = registry.outputs.name

@description('Login server of the container registry; azd reads it under this name to push the connector image.')
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
