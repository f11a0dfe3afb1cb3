metadata name = 'Container Apps environment'
metadata description = 'The Container Apps environment that hosts the connector. Its logs go to Azure Monitor and from there, by a diagnostic setting, to Log Analytics, so no workspace shared key is handed to the environment.'

@description('Required. Name of the Container Apps environment.')
@minLength(2)
@maxLength(60)
param name string

@description('Optional. Location for the environment.')
param location string = resourceGroup().location

@description('Optional. Tags for the environment.')
param tags object = {}

@description('Optional. Spread replicas over availability zones (needs a virtual network, which this template does not create).')
param zoneRedundant bool = false

@description('Required. Resource id of the Log Analytics workspace that receives the diagnostic settings.')
param logAnalyticsWorkspaceResourceId string

resource environment 'Microsoft.App/managedEnvironments@2025-01-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    zoneRedundant: zoneRedundant
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
  }
}

resource environmentDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: '${name}-diagnosticSettings'
  scope: environment
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

@description('The resource id of the environment.')
output resourceId string = environment.id

@description('The name of the environment.')
output name string = environment.name

@description('The default domain of the environment.')
output defaultDomain string = environment.properties.defaultDomain
