metadata name = 'WAHA session share'
metadata description = 'An Azure Files share for WAHA\'s session folder, mounted by every connector replica\'s WAHA sidecar, so a WhatsApp Web session moves with its lease to another replica without a new QR scan. It lives in a storage account of its own: Container Apps mounts SMB shares with the account key, which the main account (keyless, Entra ID only) never allows.'

@description('Required. Name of the storage account for the share: 3-24 lowercase letters and digits, globally unique.')
@minLength(3)
@maxLength(24)
param name string

@description('Optional. Location for the storage account.')
param location string = resourceGroup().location

@description('Optional. Tags for the storage account.')
param tags object = {}

@description('Required. Name of the Container Apps environment that mounts the share.')
param environmentName string

@description('Optional. Name of the file share and of the environment storage that mounts it.')
param shareName string = 'waha-sessions'

@description('Optional. Size of the share in GiB. A GOWS session\'s folder is a few MB.')
@minValue(1)
@maxValue(5120)
param shareQuotaGiB int = 5

@description('Optional. How many days a deleted share can be restored (share soft delete).')
@minValue(1)
@maxValue(365)
param softDeleteRetentionInDays int = 7

@description('Required. Resource id of the Log Analytics workspace that receives the diagnostic settings.')
param logAnalyticsWorkspaceResourceId string

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    // SMB mounts in Container Apps authenticate with the account key; nothing else in this account exists.
    allowSharedKeyAccess: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

resource fileService 'Microsoft.Storage/storageAccounts/fileServices@2025-06-01' = {
  parent: account
  name: 'default'
  properties: {
    shareDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionInDays
    }
  }
}

resource share 'Microsoft.Storage/storageAccounts/fileServices/shares@2025-06-01' = {
  parent: fileService
  name: shareName
  properties: {
    shareQuota: shareQuotaGiB
    enabledProtocols: 'SMB'
  }
}

resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: '${name}-diagnosticSettings'
  scope: account
  properties: {
    workspaceId: logAnalyticsWorkspaceResourceId
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource fileDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: '${name}-file-diagnosticSettings'
  scope: fileService
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
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource environment 'Microsoft.App/managedEnvironments@2025-01-01' existing = {
  name: environmentName
}

// The one place a storage key is used: the platform's own mount definition, never an app setting.
resource environmentStorage 'Microsoft.App/managedEnvironments/storages@2025-01-01' = {
  parent: environment
  name: shareName
  properties: {
    azureFile: {
      accountName: account.name
      accountKey: account.listKeys().keys[0].value
      shareName: share.name
      accessMode: 'ReadWrite'
    }
  }
}

@description('The name of the environment storage the connector\'s WAHA sidecar mounts.')
output storageName string = environmentStorage.name

@description('The name of the storage account holding the share.')
output accountName string = account.name
