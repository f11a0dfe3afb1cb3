metadata name = 'Connector (Container App)'
metadata description = 'The WaServerless connector on Azure Container Apps: at least one replica always running (it holds the WhatsApp sessions), scaled out by KEDA on the depth of the send lanes, probed on /healthz and /readyz, with its secrets read from Key Vault by its managed identity.'

@description('Required. Name of the Container App: 2-32 lowercase letters, digits and hyphens.')
@minLength(2)
@maxLength(32)
param name string

@description('Optional. Location for the Container App.')
param location string = resourceGroup().location

@description('Optional. Tags for the Container App.')
param tags object = {}

@description('Required. Resource id of the Container Apps environment.')
param environmentResourceId string

@description('Required. Resource id of the user-assigned identity the connector runs as (and pulls images, reads secrets and scales with).')
param identityResourceId string

@description('Required. Client id of that identity.')
param identityClientId string

@description('Optional. The connector image (<registry>/<repository>:<tag>). Empty deploys a public placeholder image without probes, so that the infrastructure can be created before the first image is pushed.')
param image string = ''

@description('Required. Login server of the container registry the image is pulled from with the identity.')
param registryLoginServer string

@description('Required. Blob endpoint of the storage account, with a trailing slash.')
param storageBlobEndpoint string

@description('Required. Queue endpoint of the storage account, with a trailing slash.')
param storageQueueEndpoint string

@description('Required. Table endpoint of the storage account, with a trailing slash.')
param storageTableEndpoint string

@description('Required. Name of the Service Bus namespace (the KEDA scaler wants the bare name).')
param serviceBusNamespaceName string

@description('Required. Fully qualified Service Bus namespace (<name>.servicebus.windows.net).')
param serviceBusFullyQualifiedNamespace string

@description('Required. The send-lane queues whose depth scales the connector out, one KEDA rule each.')
param scaleQueueNames string[]

@description('Optional. Waiting messages per replica on one lane before KEDA adds a replica.')
@minValue(1)
@maxValue(10000)
param scaleMessageCount int = 100

@description('Required. Name of the queue that carries delivery events.')
param eventsQueueName string

@description('Required. Name of the queue that carries control commands.')
param controlQueueName string

@description('Optional. Fewest replicas; at least 1, since the connector keeps the sessions connected.')
@minValue(1)
@maxValue(10)
param minReplicas int = 1

@description('Optional. Most replicas.')
@minValue(1)
@maxValue(30)
param maxReplicas int = 3

@description('Optional. vCPU of the container; memory is twice that in GiB.')
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
param cpu string = '0.5'

@description('Optional. The WhatsApp engine: CloudApi (Meta\'s WhatsApp Business Cloud API), Waha (a QR-linked WhatsApp account through a WAHA sidecar in each replica) or Sandbox (simulated, for trials).')
@allowed([
  'CloudApi'
  'Waha'
  'Sandbox'
])
param engine string = 'Sandbox'

@description('Optional. The Meta Graph API version the CloudApi engine calls.')
param cloudApiGraphApiVersion string = 'v23.0'

@description('Required. Versionless Key Vault URI of the session-state encryption key (Sessions__EncryptionKey): the connector refuses to start against Azure storage without it.')
@minLength(1)
param sessionStateEncryptionKeySecretUri string

@description('Optional. The phone number id of the CloudApi engine\'s business number (CloudApi__PhoneNumberId); required with that engine.')
param cloudApiPhoneNumberId string = ''

@description('Optional. Versionless Key Vault URI of the Cloud API access token (CloudApi__AccessToken); required with the CloudApi engine.')
param cloudApiAccessTokenSecretUri string = ''

@description('Optional. Versionless Key Vault URI of the Meta app secret (CloudApi__AppSecret); required with the CloudApi engine.')
param metaAppSecretUri string = ''

@description('Optional. The WAHA sidecar image, pinned to a GOWS tag; used with the Waha engine.')
param wahaImage string = 'devlikeapro/waha:gows-2026.7.1'

@description('Optional. Versionless Key Vault URI of the WAHA API key (WAHA_API_KEY, Waha__ApiKey); required with the Waha engine.')
param wahaApiKeySecretUri string = ''

@description('Optional. Name of the Container Apps environment storage holding WAHA\'s session folder (an Azure Files share); required with the Waha engine.')
param wahaSessionsStorageName string = ''

@description('Optional. How reply and copy-code buttons are sent on WhatsApp Web: NumberedText, Poll or Refuse.')
@allowed([
  'NumberedText'
  'Poll'
  'Refuse'
])
param wahaButtonsFallback string = 'NumberedText'

@description('Optional. vCPU of the WAHA sidecar; memory is twice that in GiB. About ten GOWS sessions per GiB.')
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
param wahaCpu string = '0.5'

@description('Required. Application Insights connection string.')
param appInsightsConnectionString string

@description('Optional. Give the connector a public HTTPS endpoint (port 8080), e.g. for Meta webhooks.')
param externalIngress bool = false

// Container Apps pairs each vCPU size with twice that memory in GiB.
var memoryByCpu = {
  '0.25': '0.5Gi'
  '0.5': '1Gi'
  '0.75': '1.5Gi'
  '1.0': '2Gi'
  '1.25': '2.5Gi'
  '1.5': '3Gi'
  '1.75': '3.5Gi'
  '2.0': '4Gi'
}
// A public placeholder that listens on 8080 like the real image, so the ingress set up on the first
// deployment still fits when `azd deploy` swaps in the real image.
var placeholderImage = 'mcr.microsoft.com/dotnet/samples:aspnetapp'
var usePlaceholder = empty(image)
var containerPort = 8080

var isCloudApi = engine == 'CloudApi'
var isWaha = engine == 'Waha'
// WAHA listens on 3000 inside the replica; the connector and WAHA reach each other on localhost.
var wahaPort = 3000

// Container Apps secrets that point at Key Vault; the platform reads them with the identity.
var sessionKeySecrets = [
  {
    name: 'session-state-encryption-key'
    keyVaultUrl: sessionStateEncryptionKeySecretUri
    identity: identityResourceId
  }
]
var cloudApiSecrets = isCloudApi
  ? [
      {
        name: 'cloudapi-access-token'
        keyVaultUrl: cloudApiAccessTokenSecretUri
        identity: identityResourceId
      }
      {
        name: 'meta-app-secret'
        keyVaultUrl: metaAppSecretUri
        identity: identityResourceId
      }
    ]
  : []
var wahaSecrets = isWaha
  ? [
      {
        name: 'waha-api-key'
        keyVaultUrl: wahaApiKeySecretUri
        identity: identityResourceId
      }
    ]
  : []
var sessionKeyEnv = [
  { name: 'Sessions__EncryptionKey', secretRef: 'session-state-encryption-key' }
]
// Every setting CloudApiOptions validates as required at start.
var cloudApiEnv = isCloudApi
  ? [
      { name: 'CloudApi__PhoneNumberId', value: cloudApiPhoneNumberId }
      { name: 'CloudApi__AccessToken', secretRef: 'cloudapi-access-token' }
      { name: 'CloudApi__AppSecret', secretRef: 'meta-app-secret' }
    ]
  : []

// Every setting WahaOptions needs: the sidecar on localhost, its key, and where it calls back.
var wahaConnectorEnv = isWaha
  ? [
      { name: 'Waha__BaseUrl', value: 'http://localhost:${wahaPort}/' }
      { name: 'Waha__ApiKey', secretRef: 'waha-api-key' }
      { name: 'Waha__WebhookBaseUrl', value: 'http://localhost:${containerPort}/' }
      { name: 'Waha__ButtonsFallback', value: wahaButtonsFallback }
    ]
  : []

var baseEnv = [
  { name: 'Storage__tableServiceUri', value: storageTableEndpoint }
  { name: 'Storage__blobServiceUri', value: storageBlobEndpoint }
  { name: 'Storage__queueServiceUri', value: storageQueueEndpoint }
  { name: 'Storage__credential', value: 'managedidentity' }
  { name: 'Storage__clientId', value: identityClientId }
  { name: 'ServiceBus__fullyQualifiedNamespace', value: serviceBusFullyQualifiedNamespace }
  { name: 'ServiceBus__credential', value: 'managedidentity' }
  { name: 'ServiceBus__clientId', value: identityClientId }
  { name: 'Queues__Transport', value: 'ServiceBus' }
  { name: 'EventsQueueName', value: eventsQueueName }
  { name: 'ControlQueueName', value: controlQueueName }
  { name: 'Connector__Engine', value: engine }
  { name: 'CloudApi__GraphApiVersion', value: cloudApiGraphApiVersion }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD;ClientId=${identityClientId}' }
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
  { name: 'OTEL_SERVICE_NAME', value: 'waserverless-connector' }
]

var probes = [
  {
    type: 'Liveness'
    httpGet: {
      path: '/healthz'
      port: containerPort
      scheme: 'HTTP'
    }
    initialDelaySeconds: 10
    periodSeconds: 15
    timeoutSeconds: 5
    failureThreshold: 3
  }
  {
    type: 'Readiness'
    httpGet: {
      path: '/readyz'
      port: containerPort
      scheme: 'HTTP'
    }
    initialDelaySeconds: 5
    periodSeconds: 10
    timeoutSeconds: 5
    failureThreshold: 3
  }
  {
    // Container Apps allows a failureThreshold of 1 to 10: up to 3 + 10 x 10 s for the first start.
    type: 'Startup'
    httpGet: {
      path: '/healthz'
      port: containerPort
      scheme: 'HTTP'
    }
    initialDelaySeconds: 3
    periodSeconds: 10
    timeoutSeconds: 5
    failureThreshold: 10
  }
]

// The WAHA sidecar: GOWS (whatsmeow), API key from Key Vault, no dashboard or Swagger, no global
// webhook (each session gets its own, signed), and no session restarted by WAHA itself at start: only
// the replica holding a session's lease runs it, so the connector starts it. Health and ping are left
// outside the API key so the platform's probes (which cannot hold a secret) can call them.
var wahaContainer = {
  name: 'waha'
  image: wahaImage
  resources: {
    cpu: json(wahaCpu)
    memory: memoryByCpu[wahaCpu]
  }
  env: [
    { name: 'WHATSAPP_DEFAULT_ENGINE', value: 'GOWS' }
    { name: 'WAHA_API_KEY', secretRef: 'waha-api-key' }
    { name: 'WAHA_API_KEY_EXCLUDE_PATH', value: 'health,ping' }
    { name: 'WHATSAPP_API_PORT', value: string(wahaPort) }
    { name: 'WAHA_DASHBOARD_ENABLED', value: 'false' }
    { name: 'WHATSAPP_SWAGGER_ENABLED', value: 'false' }
    { name: 'WAHA_WORKER_RESTART_SESSIONS', value: 'false' }
    { name: 'WHATSAPP_RESTART_ALL_SESSIONS', value: 'false' }
    { name: 'WAHA_LOG_FORMAT', value: 'JSON' }
  ]
  volumeMounts: [
    {
      volumeName: 'waha-sessions'
      mountPath: '/app/.sessions'
    }
  ]
  probes: [
    {
      type: 'Liveness'
      httpGet: {
        path: '/ping'
        port: wahaPort
        scheme: 'HTTP'
      }
      initialDelaySeconds: 10
      periodSeconds: 15
      timeoutSeconds: 5
      failureThreshold: 3
    }
    {
      type: 'Startup'
      httpGet: {
        path: '/health'
        port: wahaPort
        scheme: 'HTTP'
      }
      initialDelaySeconds: 5
      periodSeconds: 10
      timeoutSeconds: 5
      failureThreshold: 10
    }
  ]
}

// WAHA keeps session credentials in files: on the shared share a session resumes on whichever replica
// takes its lease. nobrl: SQLite's byte-range locks are not forwarded over SMB (one writer per session anyway).
var wahaVolumes = isWaha
  ? [
      {
        name: 'waha-sessions'
        storageType: 'AzureFile'
        storageName: wahaSessionsStorageName
        mountOptions: 'dir_mode=0700,file_mode=0600,uid=0,gid=0,mfsymlinks,nobrl'
      }
    ]
  : []

resource connector 'Microsoft.App/containerApps@2025-01-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'connector' })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    environmentId: environmentResourceId
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: externalIngress
        ? {
            external: true
            targetPort: containerPort
            transport: 'auto'
            allowInsecure: false
          }
        : null
      registries: [
        {
          server: registryLoginServer
          identity: identityResourceId
        }
      ]
      secrets: concat(sessionKeySecrets, cloudApiSecrets, wahaSecrets)
    }
    template: {
      containers: concat(
        [
          {
            name: 'connector'
            image: usePlaceholder ? placeholderImage : image
            resources: {
              cpu: json(cpu)
              memory: memoryByCpu[cpu]
            }
            env: concat(baseEnv, sessionKeyEnv, cloudApiEnv, wahaConnectorEnv)
            probes: usePlaceholder ? [] : probes
          }
        ],
        isWaha ? [wahaContainer] : []
      )
      volumes: wahaVolumes
      // Scale-in stops a replica: on SIGTERM it closes its sessions and releases their leases (60 s
      // leases by default), within the grace period below, so another replica takes them over at its
      // next scan instead of waiting for a lease to lapse. The cooldown (300 s, five lease periods)
      // keeps a replica that just took sessions over from being removed again at once.
      terminationGracePeriodSeconds: 60
      scale: {
        minReplicas: minReplicas
        maxReplicas: max(minReplicas, maxReplicas)
        cooldownPeriod: 300
        pollingInterval: 30
        rules: [
          for queueName in scaleQueueNames: {
            name: '${queueName}-depth'
            custom: {
              type: 'azure-servicebus'
              metadata: {
                namespace: serviceBusNamespaceName
                queueName: queueName
                messageCount: string(scaleMessageCount)
              }
              identity: identityResourceId
            }
          }
        ]
      }
    }
  }
}

@description('The resource id of the Container App.')
output resourceId string = connector.id

@description('The name of the Container App.')
output name string = connector.name

@description('The public host name of the connector when external ingress is on, else empty.')
output fqdn string = connector.properties.configuration.?ingress.?fqdn ?? ''
