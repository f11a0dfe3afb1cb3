metadata name = 'Shared types'
metadata description = 'User-defined types and built-in role ids shared by the WaServerless modules.'

@export()
@description('One role granted to one principal on the resource that a module deploys. The module scopes the assignment to that resource (never to the resource group or subscription) and names it guid(resource id, principalId, role definition id).')
type roleAssignmentType = {
  @description('Required. The object (principal) id of the identity that gets the role.')
  principalId: string

  @description('Required. The GUID of the role definition, one of the builtInRoles values.')
  roleDefinitionId: string

  @description('Optional. The kind of principal. Defaults to ServicePrincipal (managed identities), which also avoids waiting for directory replication.')
  principalType: ('ServicePrincipal' | 'User' | 'Group')?

  @description('Optional. Why this principal has this role.')
  description: string?
}

@export()
@description('One diagnostic log category or category group to send to Log Analytics.')
type diagnosticLogType = {
  @description('Optional. A single log category, for resources that do not support category groups.')
  category: string?

  @description('Optional. A category group, usually allLogs.')
  categoryGroup: string?
}

@export()
@description('The connector\'s WhatsApp engine, with what that engine needs to start: nothing for the Sandbox; for the Cloud API the business number and Meta\'s credentials, each required, so a deployment can never start a connector that refuses its own settings.')
@discriminator('engine')
type connectorEngineType = sandboxEngineType | cloudApiEngineType | wahaEngineType

@description('The simulated WhatsApp: for trials and demos, needs no Meta account.')
type sandboxEngineType = {
  @description('Required. Sandbox.')
  engine: 'Sandbox'
}

@description('Meta\'s WhatsApp Business Cloud API.')
type cloudApiEngineType = {
  @description('Required. CloudApi.')
  engine: 'CloudApi'

  @description('Required. The phone number id of the business number (WhatsApp Manager > API setup), given to the connector as CloudApi__PhoneNumberId.')
  @minLength(1)
  phoneNumberId: string

  @description('Required. A system-user access token with whatsapp_business_messaging, stored in Key Vault as cloudapi-access-token and given to the connector as CloudApi__AccessToken.')
  @secure()
  @minLength(1)
  accessToken: string

  @description('Required. The Meta app secret (verifies webhook signatures), stored in Key Vault as meta-app-secret and given to the connector as CloudApi__AppSecret.')
  @secure()
  @minLength(1)
  appSecret: string
}

@description('A WhatsApp account linked by QR or pair code (WhatsApp Web), through a WAHA sidecar in each connector replica.')
type wahaEngineType = {
  @description('Required. Waha.')
  engine: 'Waha'

  @description('Required. The WAHA API key (WAHA_API_KEY), at least 16 characters, stored in Key Vault as waha-api-key and given to WAHA and to the connector (Waha__ApiKey). The per-session webhook signing keys are derived from it.')
  @secure()
  @minLength(16)
  apiKey: string

  @description('Optional. The WAHA image, pinned to a GOWS (whatsmeow) tag. Defaults to devlikeapro/waha:gows-2026.7.1.')
  image: string?

  @description('Optional. How reply and copy-code buttons are sent, since WhatsApp Web does not render them: NumberedText (default), Poll, or Refuse (422 MESSAGE_TYPE_NOT_SUPPORTED at the API).')
  buttonsFallback: ('NumberedText' | 'Poll' | 'Refuse')?

  @description('Optional. vCPU of the WAHA container (memory is twice that in GiB). WAHA sizes GOWS at about 200 MB for one session and 1 GB for ten: 0.5 (1 GiB) carries about ten sessions per replica.')
  cpu: ('0.25' | '0.5' | '0.75' | '1.0' | '1.25' | '1.5' | '1.75' | '2.0')?
}

@export()
@description('The ids of the built-in Azure roles that WaServerless grants. Only data-plane and monitoring roles: never Owner or Contributor.')
var builtInRoles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  serviceBusDataOwner: '090c5cfd-751d-490a-894a-3ce6f1109419'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
}
