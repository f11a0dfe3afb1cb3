using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker
{
    public enum ServiceBusEntityType
    {
        Queue,
        Topic,
    }

    public sealed class ServiceBusTriggerAttribute : TriggerBindingAttribute, ISupportCardinality
    {
        public ServiceBusTriggerAttribute(string queueName)
        {
            QueueName = queueName;
        }

        public ServiceBusTriggerAttribute(string topicName, string subscriptionName)
        {
            TopicName = topicName;
            SubscriptionName = subscriptionName;
        }

        public string? Connection { get; set; }

        public string? QueueName { get; }

        public string? TopicName { get; }

        public string? SubscriptionName { get; }

        public bool IsSessionsEnabled { get; set; }

        public bool IsBatched { get; set; }

        public bool AutoCompleteMessages { get; set; }

        Cardinality ISupportCardinality.Cardinality
        {
            get => IsBatched ? Cardinality.Many : Cardinality.One;
            set => IsBatched = value == Cardinality.Many;
        }
    }

    public sealed class ServiceBusOutputAttribute : OutputBindingAttribute
    {
        public ServiceBusOutputAttribute(string queueOrTopicName, ServiceBusEntityType entityType = ServiceBusEntityType.Queue)
        {
            QueueOrTopicName = queueOrTopicName;
            EntityType = entityType;
        }

        public string QueueOrTopicName { get; private set; }

        public string? Connection { get; set; }

        public ServiceBusEntityType EntityType { get; set; }
    }
}
