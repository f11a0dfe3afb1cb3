metadata name = 'Monitoring workbook'
metadata description = 'The WaServerless Azure Monitor workbook (infra/monitor/workbook.json) over the Application Insights component: messages, queues, sessions, webhooks, rate limits and API requests.'

@description('Optional. Location for the workbook.')
param location string = resourceGroup().location

@description('Optional. Tags for the workbook.')
param tags object = {}

@description('Optional. The name shown in the portal.')
@minLength(1)
@maxLength(100)
param displayName string = 'WaServerless'

@description('Required. Name of the Application Insights component (in this resource group) that the workbook queries.')
param appInsightsName string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// The workbook JSON keeps no resource ids; the component it queries is set here.
var workbookContent = union(loadJsonContent('../../infra/monitor/workbook.json'), {
  fallbackResourceIds: [
    appInsights.id
  ]
})

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; this one is stable for the resource group and component.
  name: guid(resourceGroup().id, appInsights.id, 'waserverless-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    version: 'Notebook/1.0'
    sourceId: appInsights.id
    serializedData: string(workbookContent)
  }
}

@description('The resource id of the workbook.')
output resourceId string = workbook.id

@description('A portal link that opens the workbook.')
output url string = '${environment().portal}/#@${tenant().tenantId}/resource${workbook.id}/workbook'
