metadata name = 'Application Insights'
metadata description = 'Workspace-based Application Insights with local (instrumentation key) authentication disabled: telemetry is accepted only with a Microsoft Entra token.'

import { roleAssignmentType } from 'types.bicep'

@description('Required. Name of the Application Insights component.')
@minLength(1)
@maxLength(260)
param name string

@description('Optional. Location for the component.')
param location string = resourceGroup().location

@description('Optional. Tags for the component.')
param tags object = {}

@description('Required. Resource id of the Log Analytics workspace that stores the telemetry.')
param workspaceResourceId string

@description('Optional. Roles to grant on this component (Monitoring Metrics Publisher for the identities that send telemetry).')
param roleAssignments roleAssignmentType[] = []

resource component 'Microsoft.Insights/components@2020-02-02' = {
  name: name
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspaceResourceId
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

resource componentRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for assignment in roleAssignments: {
    name: guid(
      component.id,
      assignment.principalId,
      subscriptionResourceId('Microsoft.Authorization/roleDefinitions', assignment.roleDefinitionId)
    )
    scope: component
    properties: {
      principalId: assignment.principalId
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', assignment.roleDefinitionId)
      principalType: assignment.?principalType ?? 'ServicePrincipal'
      description: assignment.?description
    }
  }
]

@description('The resource id of the component.')
output resourceId string = component.id

@description('The name of the component.')
output name string = component.name

@description('The connection string (instrumentation key and ingestion endpoint; not a credential, since local authentication is disabled).')
output connectionString string = component.properties.ConnectionString
