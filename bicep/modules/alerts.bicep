metadata name = 'Alert rules'
metadata description = 'WaServerless alert rules: sessions disconnected too long, message failure rate, dead-lettered messages, queue age and webhook failure rate; and, when e-mail addresses are given, the action group that mails them.'

@description('Required. Prefix of the alert rule names.')
@minLength(2)
@maxLength(40)
param namePrefix string

@description('Optional. Location for the log alert rules (metric alerts and action groups are global).')
param location string = resourceGroup().location

@description('Optional. Tags for the rules and the action group.')
param tags object = {}

@description('Required. Name of the Application Insights component (in this resource group) whose customMetrics the log alerts query.')
param appInsightsName string

@description('Required. Name of the Service Bus namespace (in this resource group) whose DeadletteredMessages metric is watched.')
param serviceBusNamespaceName string

@description('Optional. E-mail addresses that receive the alerts. Empty: no action group; the alerts still fire in the portal.')
param emailAddresses string[] = []

@description('Optional. Alert when a session has been disconnected for this many minutes.')
@allowed([
  5
  10
  15
  30
  45
  60
])
param sessionDisconnectedMinutes int = 10

@description('Optional. Alert when more than this percentage of sends fail (failed / (sent + failed)) in 15 minutes.')
@minValue(1)
@maxValue(100)
param messageFailureRatePercent int = 10

@description('Optional. Alert when a message waited in a lane longer than this many seconds.')
@minValue(1)
@maxValue(86400)
param queueAgeSeconds int = 300

@description('Optional. Alert when more than this percentage of webhook deliveries fail in 15 minutes.')
@minValue(1)
@maxValue(100)
param webhookFailureRatePercent int = 25

@description('Optional. Fewest sends (or webhook deliveries) in a 5-minute bin before a failure rate counts, so one failure of one message does not page anyone.')
@minValue(1)
@maxValue(10000)
param minimumVolume int = 10

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(emailAddresses)) {
  name: '${namePrefix}-alerts'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'waserverless'
    enabled: true
    emailReceivers: [
      for (address, index) in emailAddresses: {
        name: 'email-${index}'
        emailAddress: address
        useCommonAlertSchema: true
      }
    ]
  }
}

var actionGroupIds = empty(emailAddresses) ? [] : [actionGroup.id]

// Log alerts over the OpenTelemetry instruments (meter "WaServerless") in customMetrics.
// Counters arrive as delta sums (valueSum per export interval); histograms add valueMax.
var logAlerts = [
  {
    name: '${namePrefix}-sessions-disconnected'
    displayName: 'WaServerless: session disconnected for ${sessionDisconnectedMinutes} minutes'
    description: 'A WhatsApp session has reported state "disconnected" in every minute of the last ${sessionDisconnectedMinutes} minutes (waserverless.sessions gauge). Sends on it wait in their lane or retry.'
    severity: 1
    windowSize: 'PT${sessionDisconnectedMinutes}M'
    query: join(
      [
        'customMetrics'
        '| where name == "waserverless.sessions"'
        '| summarize disconnected = maxif(value, tostring(customDimensions.state) == "disconnected") by bin(timestamp, 1m)'
        '| extend disconnected = iff(isnull(disconnected), 0.0, todouble(disconnected))'
      ],
      '\n'
    )
    timeAggregation: 'Minimum'
    metricMeasureColumn: 'disconnected'
    threshold: 0
    dimensions: []
  }
  {
    name: '${namePrefix}-message-failure-rate'
    displayName: 'WaServerless: message failure rate above ${messageFailureRatePercent}%'
    description: 'More than ${messageFailureRatePercent}% of sends failed (waserverless.messages.failed against waserverless.messages.sent) in a 5-minute bin with at least ${minimumVolume} sends.'
    severity: 2
    windowSize: 'PT15M'
    query: join(
      [
        'customMetrics'
        '| where name in ("waserverless.messages.sent", "waserverless.messages.failed")'
        '| summarize failed = sumif(valueSum, name == "waserverless.messages.failed"), sent = sumif(valueSum, name == "waserverless.messages.sent") by bin(timestamp, 5m)'
        '| where failed + sent >= ${minimumVolume}'
        '| extend failureRatePercent = 100.0 * failed / (failed + sent)'
      ],
      '\n'
    )
    timeAggregation: 'Maximum'
    metricMeasureColumn: 'failureRatePercent'
    threshold: messageFailureRatePercent
    dimensions: []
  }
  {
    name: '${namePrefix}-queue-age'
    displayName: 'WaServerless: queue age above ${queueAgeSeconds} s'
    description: 'A message waited more than ${queueAgeSeconds} seconds in its lane before the connector took it (waserverless.queue.age, by lane).'
    severity: 2
    windowSize: 'PT15M'
    query: join(
      [
        'customMetrics'
        '| where name == "waserverless.queue.age"'
        '| extend lane = tostring(customDimensions.lane)'
        '| project timestamp, lane, maxAgeSeconds = valueMax'
      ],
      '\n'
    )
    timeAggregation: 'Maximum'
    metricMeasureColumn: 'maxAgeSeconds'
    threshold: queueAgeSeconds
    dimensions: [
      {
        name: 'lane'
        operator: 'Include'
        values: [
          '*'
        ]
      }
    ]
  }
  {
    name: '${namePrefix}-webhook-failure-rate'
    displayName: 'WaServerless: webhook failure rate above ${webhookFailureRatePercent}%'
    description: 'More than ${webhookFailureRatePercent}% of webhook deliveries failed (waserverless.webhooks.failures against waserverless.webhooks.deliveries) in a 5-minute bin with at least ${minimumVolume} deliveries.'
    severity: 3
    windowSize: 'PT15M'
    query: join(
      [
        'customMetrics'
        '| where name in ("waserverless.webhooks.deliveries", "waserverless.webhooks.failures")'
        '| summarize deliveries = sumif(valueSum, name == "waserverless.webhooks.deliveries"), failures = sumif(valueSum, name == "waserverless.webhooks.failures") by bin(timestamp, 5m)'
        '| where max_of(deliveries, failures) >= ${minimumVolume}'
        '| extend failureRatePercent = 100.0 * failures / max_of(deliveries, failures)'
      ],
      '\n'
    )
    timeAggregation: 'Maximum'
    metricMeasureColumn: 'failureRatePercent'
    threshold: webhookFailureRatePercent
    dimensions: []
  }
]

resource logAlertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for rule in logAlerts: {
    name: rule.name
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        appInsights.id
      ]
      evaluationFrequency: 'PT5M'
      windowSize: rule.windowSize
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: rule.timeAggregation
            metricMeasureColumn: rule.metricMeasureColumn
            operator: 'GreaterThan'
            threshold: rule.threshold
            dimensions: rule.dimensions
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      // The component is created in the same deployment; its tables may not answer a validation
      // query yet. The queries only use the standard customMetrics schema.
      skipQueryValidation: true
      actions: {
        actionGroups: actionGroupIds
      }
    }
  }
]

resource deadLetterAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-dead-letters'
  location: 'global'
  tags: tags
  properties: {
    description: 'A Service Bus queue holds dead-lettered messages (expired, or delivered more than maxDeliveryCount times). Inspect them in the portal\'s Service Bus Explorer.'
    severity: 2
    enabled: true
    scopes: [
      serviceBus.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadletteredMessages'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    autoMitigate: true
    actions: [
      for actionGroupId in actionGroupIds: {
        actionGroupId: actionGroupId
      }
    ]
  }
}

@description('The names of the alert rules.')
output alertRuleNames string[] = concat(map(logAlerts, rule => rule.name), [deadLetterAlert.name])
