metadata name = 'User-assigned managed identity'
metadata description = 'One user-assigned managed identity. Its roles are granted by the modules of the resources it may use, each scoped to that resource.'

@description('Required. Name of the user-assigned managed identity.')
@minLength(3)
@maxLength(128)
param name string

@description('Optional. Location for the identity.')
param location string = resourceGroup().location

@description('Optional. Tags for the identity.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('The resource id of the identity.')
output resourceId string = identity.id

@description('The name of the identity.')
output name string = identity.name

@description('The client (application) id of the identity: what AZURE_CLIENT_ID and the *__clientId settings carry.')
output clientId string = identity.properties.clientId

@description('The object (principal) id of the identity: what role assignments name.')
output principalId string = identity.properties.principalId
