using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Azure.Functions.Worker.Extensions.ServiceBus;

namespace Microsoft.Azure.Functions.Worker
{
    // Subclassable for tests exactly like the real type (protected constructor, virtual members).
    [InputConverter(typeof(ServiceBusMessageActionsConverter))]
    public class ServiceBusMessageActions
    {
        protected ServiceBusMessageActions()
        {
        }

        public virtual Task CompleteMessageAsync(
            ServiceBusReceivedMessage message,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(StandIn.Message);

        public virtual Task AbandonMessageAsync(
            ServiceBusReceivedMessage message,
            IDictionary<string, object>? propertiesToModify = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(StandIn.Message);

        public virtual Task DeadLetterMessageAsync(
            ServiceBusReceivedMessage message,
            Dictionary<string, object>? propertiesToModify = default,
            string? deadLetterReason = default,
            string? deadLetterErrorDescription = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(StandIn.Message);

        public virtual Task DeferMessageAsync(
            ServiceBusReceivedMessage message,
            IDictionary<string, object>? propertiesToModify = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(StandIn.Message);

        public virtual Task RenewMessageLockAsync(
            ServiceBusReceivedMessage message,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(StandIn.Message);
    }
}
