metadata name = 'Key Vault'
metadata description = 'The Key Vault (Azure RBAC authorization, soft delete, optional purge protection) that holds the WaServerless secrets. The secrets and their readers are deployed by key-vault-secret.bicep, each reader scoped to the one secret it needs.'

@description('Required. Name of the Key Vault: 3-24 letters, digits and hyphens, globally unique.')
@minLength(3)
@maxLength(24)
param name string

@description('Optional. Location for the Key Vault.')
param location string = resourceGroup().location

@description('Optional. Tags for the Key Vault.')
param tags object = {}

@description('Optional. Purge protection: a deleted vault and its secrets cannot be purged before the retention period ends. It cannot be turned off again once on.')
param enablePurgeProtection bool = true

@description('Optional. How many days a deleted vault or secret can be recovered.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

@description('Required. Resource id of the Log Analytics workspace that receives the diagnostic settings.')
param logAnalyticsWorkspaceResourceId string

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // Key Vault accepts only true or an absent property here.
    enablePurgeProtection: enablePurgeProtection ? true : null
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: '${name}-diagnosticSettings'
  scope: vault
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

@description('The resource id of the Key Vault.')
output resourceId string = vault.id

@description('The name of the Key Vault.')
output name string = vault.name

@description('The vault URI (https://<name>.vault.azure.net/).')
output uri string = vault.properties.vaultUri
