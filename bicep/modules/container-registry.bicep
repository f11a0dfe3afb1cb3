metadata name = 'Container registry'
metadata description = 'The Azure Container Registry for the connector image. The admin user and anonymous pull are off: the connector pulls with its managed identity (AcrPull on this registry).'

import { roleAssignmentType } from 'types.bicep'

@description('Required. Name of the registry: 5-50 letters and digits, globally unique.')
@minLength(5)
@maxLength(50)
param name string

@description('Optional. Location for the registry.')
param location string = resourceGroup().location

@description('Optional. Tags for the registry.')
param tags object = {}

@description('Optional. The registry tier.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param skuName string = 'Basic'

@description('Required. Resource id of the Log Analytics workspace that receives the diagnostic settings.')
param logAnalyticsWorkspaceResourceId string

@description('Optional. Roles to grant on this registry (AcrPull for the connector identity).')
param roleAssignments roleAssignmentType[] = []

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

resource registryRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for assignment in roleAssignments: {
    name: guid(
      registry.id,
      assignment.principalId,
      subscriptionResourceId('Microsoft.Authorization/roleDefinitions', assignment.roleDefinitionId)
    )
    scope: registry
    properties: {
      principalId: assignment.principalId
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', assignment.roleDefinitionId)
      principalType: assignment.?principalType ?? 'ServicePrincipal'
      description: assignment.?description
    }
  }
]

resource registryDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: '${name}-diagnosticSettings'
  scope: registry
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

@description('The resource id of the registry.')
output resourceId string = registry.id

@description('The name of the registry.')
output name string = registry.name

@description('The login server (<name>.azurecr.io).')
output loginServer string = registry.properties.loginServer
