metadata name = 'Log Analytics workspace'
metadata description = 'The Log Analytics workspace that holds Application Insights data and every diagnostic setting.'

@description('Required. Name of the Log Analytics workspace.')
@minLength(4)
@maxLength(63)
param name string

@description('Optional. Location for the workspace.')
param location string = resourceGroup().location

@description('Optional. Tags for the workspace.')
param tags object = {}

@description('Optional. How many days the workspace keeps data.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

@description('The resource id of the workspace.')
output resourceId string = workspace.id

@description('The name of the workspace.')
output name string = workspace.name
