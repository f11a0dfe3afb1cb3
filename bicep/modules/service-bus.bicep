metadata name = 'Service Bus namespace'
metadata description = 'The Service Bus namespace and its queues: four session-enabled send lanes (one session per WhatsApp session keeps each session\'s sends in order), the delivery-events queue and the control queue. Local (SAS) authentication is disabled.'

import { roleAssignmentType } from 'types.bicep'

@description('One queue of the namespace.')
type queueType = {
  @description('Required. The queue name.')
  name: string

  @description('Required. Whether the queue needs sessions (every message carries a session id and is delivered in order per session).')
  requiresSession: bool

  @description('Required. How long a message lives before it expires (ISO 8601 duration); expired messages go to the dead-letter queue.')
  defaultMessageTimeToLive: string

  @description('Optional. How long a receiver holds a message (or session) lock (ISO 8601 duration, at most PT5M).')
  lockDuration: string?
}

@description('A role on one queue of this namespace.')
type queueRoleAssignmentType = {
  @description('Required. The name of the queue, one of the queues parameter.')
  queueName: string

  @description('Required. The object (principal) id of the identity that gets the role.')
  principalId: string

  @description('Required. The GUID of the role definition.')
  roleDefinitionId: string

  @description('Optional. Why this principal has this role on this queue.')
  description: string?
}

@description('Required. Name of the Service Bus namespace: 6-50 letters, digits and hyphens, starting with a letter.')
@minLength(6)
@maxLength(50)
param name string

@description('Optional. Location for the namespace.')
param location string = resourceGroup().location

@description('Optional. Tags for the namespace.')
param tags object = {}

@description('Optional. The tier: Standard (shared capacity, pay per operation) or Premium (dedicated messaging units).')
@allowed([
  'Standard'
  'Premium'
])
param skuName string = 'Standard'

@description('Optional. Messaging units for the Premium tier; ignored for Standard.')
@allowed([
  1
  2
  4
  8
  16
])
param premiumCapacity int = 1

@description('Required. The queues to create.')
param queues queueType[]

@description('Optional. How many times a message is delivered before it is dead-lettered.')
@minValue(1)
@maxValue(2000)
param maxDeliveryCount int = 10

@description('Optional. How long the namespace remembers message ids to drop duplicates (ISO 8601 duration, PT20S to P7D).')
param duplicateDetectionHistoryTimeWindow string = 'PT10M'

@description('Required. Resource id of the Log Analytics workspace that receives the diagnostic settings.')
param logAnalyticsWorkspaceResourceId string

@description('Optional. Roles to grant on the whole namespace.')
param roleAssignments roleAssignmentType[] = []

@description('Optional. Roles to grant on single queues (the narrowest scope).')
param queueRoleAssignments queueRoleAssignmentType[] = []

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuName
    capacity: skuName == 'Premium' ? premiumCapacity : null
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    premiumMessagingPartitions: skuName == 'Premium' ? 1 : null
  }
}

resource namespaceQueues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [
  for queue in queues: {
    parent: namespace
    name: queue.name
    properties: {
      requiresSession: queue.requiresSession
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: duplicateDetectionHistoryTimeWindow
      maxDeliveryCount: maxDeliveryCount
      deadLetteringOnMessageExpiration: true
      defaultMessageTimeToLive: queue.defaultMessageTimeToLive
      lockDuration: queue.?lockDuration ?? 'PT1M'
      enableBatchedOperations: true
      enablePartitioning: false
      maxSizeInMegabytes: 1024
    }
  }
]

resource namespaceRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for assignment in roleAssignments: {
    name: guid(
      namespace.id,
      assignment.principalId,
      subscriptionResourceId('Microsoft.Authorization/roleDefinitions', assignment.roleDefinitionId)
    )
    scope: namespace
    properties: {
      principalId: assignment.principalId
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', assignment.roleDefinitionId)
      principalType: assignment.?principalType ?? 'ServicePrincipal'
      description: assignment.?description
    }
  }
]

resource queueRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for assignment in queueRoleAssignments: {
    name: guid(
      namespaceQueues[indexOf(map(queues, queue => queue.name), assignment.queueName)].id,
      assignment.principalId,
      subscriptionResourceId('Microsoft.Authorization/roleDefinitions', assignment.roleDefinitionId)
    )
    scope: namespaceQueues[indexOf(map(queues, queue => queue.name), assignment.queueName)]
    properties: {
      principalId: assignment.principalId
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', assignment.roleDefinitionId)
      principalType: 'ServicePrincipal'
      description: assignment.?description
    }
  }
]

resource namespaceDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: '${name}-diagnosticSettings'
  scope: namespace
  properties: {
    workspaceId: logAnalyticsWorkspaceResourceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('The resource id of the namespace.')
output resourceId string = namespace.id

@description('The name of the namespace.')
output name string = namespace.name

@description('The fully qualified namespace host name (<name>.servicebus.windows.net), what ServiceBus__fullyQualifiedNamespace carries.')
output fullyQualifiedNamespace string = replace(
  first(split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')),
  '/',
  ''
)
