using System;
using System.Threading.Tasks;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;
using Microsoft.Azure.Functions.Worker.Extensions.ServiceBus;

// The real package gets this from its build (a WebJobsExtension item): it names the host-side
// extension that the Sdk's build step puts into the generated extensions project.
[assembly: ExtensionInformation("Microsoft.Azure.WebJobs.Extensions.ServiceBus", "5.17.0")]

namespace Microsoft.Azure.Functions.Worker
{
    // As in the real package: the Sdk's generators read the converter, the fallback behaviour and the
    // IsBatched default (the Abstractions DefaultValue, which their cardinality check requires).
    [InputConverter(typeof(ServiceBusReceivedMessageConverter))]
    [ConverterFallbackBehavior(ConverterFallbackBehavior.Default)]
    public sealed class ServiceBusTriggerAttribute : TriggerBindingAttribute, ISupportCardinality
    {
        private bool _isBatched;

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

        [DefaultValue(false)]
        public bool IsBatched
        {
            get => _isBatched;
            set => _isBatched = value;
        }

        public bool AutoCompleteMessages { get; set; }

        Cardinality ISupportCardinality.Cardinality
        {
            get => _isBatched ? Cardinality.Many : Cardinality.One;
            set => _isBatched = value == Cardinality.Many;
        }
    }
}

namespace Microsoft.Azure.Functions.Worker.Extensions.ServiceBus
{
    // Declared like the real converters (deferred binding, the target types) so the generators see
    // the same binding; a stand-in never runs in a Functions host, so converting is refused.
    [SupportsDeferredBinding]
    [SupportedTargetType(typeof(ServiceBusReceivedMessage))]
    [SupportedTargetType(typeof(ServiceBusReceivedMessage[]))]
    internal sealed class ServiceBusReceivedMessageConverter : IInputConverter
    {
        public ValueTask<ConversionResult> ConvertAsync(ConverterContext context) => throw new NotSupportedException(StandIn.Message);
    }

    internal sealed class ServiceBusMessageActionsConverter : IInputConverter
    {
        public ValueTask<ConversionResult> ConvertAsync(ConverterContext context) => throw new NotSupportedException(StandIn.Message);
    }
}
