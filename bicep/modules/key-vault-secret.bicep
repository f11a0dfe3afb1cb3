metadata name = 'Key Vault secret'
metadata description = 'One secret in the WaServerless Key Vault, and the Key Vault Secrets User role on that one secret (not the whole vault) for each identity that reads it.'

@description('Required. Name of the existing Key Vault.')
param keyVaultName string

@description('Required. Name of the secret.')
@minLength(1)
@maxLength(127)
param name string

@description('Required. The secret value.')
@secure()
param value string

@description('Optional. What the secret is, shown in the portal (not secret).')
param contentType string = 'text/plain'

@description('Optional. Object (principal) ids of the identities that may read this secret.')
param readerPrincipalIds string[] = []

var keyVaultSecretsUserRoleId = subscriptionResourceId(
  'Microsoft.Authorization/roleDefinitions',
  '4633458b-17de-408a-b874-0445c86b69e6'
)

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: name
  properties: {
    value: value
    contentType: contentType
    attributes: {
      enabled: true
    }
  }
}

resource readerRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in readerPrincipalIds: {
    name: guid(secret.id, principalId, keyVaultSecretsUserRoleId)
    scope: secret
    properties: {
      principalId: principalId
      roleDefinitionId: keyVaultSecretsUserRoleId
      principalType: 'ServicePrincipal'
      description: 'Reads the ${name} secret.'
    }
  }
]

@description('The versionless URI of the secret: Key Vault references and Container Apps secrets follow its latest version.')
output uri string = secret.properties.secretUri

@description('The name of the secret.')
output name string = secret.name
