using 'main.bicep'

// Example parameters for bicep/main.bicep:
//   az deployment group create -g <resource group> -f bicep/main.bicep -p bicep/main.bicepparam
// azd reads this file too (azure.yaml: infra.path bicep, module main).
//
// Secrets never live in this file: they are read from environment variables when the file is
// compiled (by az, azd or `bicep build-params`). Set them first, for example:
//   export WASERVERLESS_ADMIN_API_KEY="$(openssl rand -base64 48)"
//   export WASERVERLESS_SESSION_STATE_KEY="$(openssl rand -base64 32)"
//   export WASERVERLESS_WEBHOOK_KEY="$(openssl rand -base64 32)"
// The session-state key is required (compiling fails without it); keep it for the deployment's life.
// An empty (unset) optional secret is skipped: no Key Vault secret and no app setting for it.
// For Meta's Cloud API instead of the Sandbox, also:
//   export WASERVERLESS_ENGINE=CloudApi
//   export WASERVERLESS_CLOUDAPI_PHONE_NUMBER_ID='<phone number id from WhatsApp Manager>'
//   export WASERVERLESS_CLOUDAPI_ACCESS_TOKEN='<system-user access token>'
//   export WASERVERLESS_META_APP_SECRET='<app secret from the Meta app dashboard>'
// and each of the three is then required. For a QR-linked WhatsApp account through WAHA:
//   export WASERVERLESS_ENGINE=Waha
//   export WASERVERLESS_WAHA_API_KEY="$(openssl rand -hex 32)"
// and optionally WASERVERLESS_WAHA_IMAGE (a pinned GOWS tag) and WASERVERLESS_WAHA_BUTTONS_FALLBACK
// (NumberedText, Poll or Refuse).

param namePrefix = readEnvironmentVariable('WASERVERLESS_NAME_PREFIX', 'waserv')

param tags = {
  application: 'waserverless'
}

// Sandbox simulates WhatsApp (no Meta account needed); CloudApi talks to Meta's Cloud API; Waha links
// an ordinary WhatsApp account by QR code through a WAHA sidecar.
param connectorEngine = readEnvironmentVariable('WASERVERLESS_ENGINE', 'Sandbox') == 'CloudApi'
  ? {
      engine: 'CloudApi'
      phoneNumberId: readEnvironmentVariable('WASERVERLESS_CLOUDAPI_PHONE_NUMBER_ID', '')
      accessToken: readEnvironmentVariable('WASERVERLESS_CLOUDAPI_ACCESS_TOKEN', '')
      appSecret: readEnvironmentVariable('WASERVERLESS_META_APP_SECRET', '')
    }
  : readEnvironmentVariable('WASERVERLESS_ENGINE', 'Sandbox') == 'Waha'
      ? {
          engine: 'Waha'
          apiKey: readEnvironmentVariable('WASERVERLESS_WAHA_API_KEY', '')
          image: readEnvironmentVariable('WASERVERLESS_WAHA_IMAGE', 'devlikeapro/waha:gows-2026.7.1')
          buttonsFallback: readEnvironmentVariable('WASERVERLESS_WAHA_BUTTONS_FALLBACK', 'NumberedText')
        }
      : { engine: 'Sandbox' }

// Empty until the first image is pushed; azd sets SERVICE_CONNECTOR_IMAGE_NAME after it deploys.
param connectorImage = readEnvironmentVariable('SERVICE_CONNECTOR_IMAGE_NAME', '')

param serviceBusSku = 'Standard'
param functionsRuntimeVersion = '10.0'
param functionsAlwaysReadyInstances = 0
param connectorMinReplicas = 1
param connectorMaxReplicas = 3

param adminApiKey = readEnvironmentVariable('WASERVERLESS_ADMIN_API_KEY', '')
param sessionStateEncryptionKey = readEnvironmentVariable('WASERVERLESS_SESSION_STATE_KEY')
param webhookEncryptionKey = readEnvironmentVariable('WASERVERLESS_WEBHOOK_KEY', '')

// Purge protection keeps a deleted vault's name for 90 days; turn it off for throwaway trials.
param keyVaultEnablePurgeProtection = bool(readEnvironmentVariable('WASERVERLESS_KEYVAULT_PURGE_PROTECTION', 'true'))

// One address, or none; edit into a list for more.
param alertEmailAddresses = empty(readEnvironmentVariable('WASERVERLESS_ALERT_EMAIL', ''))
  ? []
  : [
      readEnvironmentVariable('WASERVERLESS_ALERT_EMAIL', '')
    ]
