using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Azure.Messaging.ServiceBus
{
    public class ServiceBusReceiver : IAsyncDisposable
    {
        protected ServiceBusReceiver()
        {
        }

        protected ServiceBusReceiver(ServiceBusClient client, string queueName, ServiceBusReceiverOptions options)
        {
        }

        protected ServiceBusReceiver(ServiceBusClient client, string topicName, string subscriptionName, ServiceBusReceiverOptions options)
        {
        }

        public virtual string EntityPath => throw new NotSupportedException(OfflineSurface.Message);

        public virtual string FullyQualifiedNamespace => throw new NotSupportedException(OfflineSurface.Message);

        public virtual string Identifier => throw new NotSupportedException(OfflineSurface.Message);

        public virtual bool IsClosed => throw new NotSupportedException(OfflineSurface.Message);

        public virtual int PrefetchCount => throw new NotSupportedException(OfflineSurface.Message);

        public virtual ServiceBusReceiveMode ReceiveMode => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task<IReadOnlyList<ServiceBusReceivedMessage>> ReceiveMessagesAsync(
            int maxMessages,
            TimeSpan? maxWaitTime = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task<ServiceBusReceivedMessage> ReceiveMessageAsync(
            TimeSpan? maxWaitTime = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task<ServiceBusReceivedMessage> PeekMessageAsync(
            long? fromSequenceNumber = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task<IReadOnlyList<ServiceBusReceivedMessage>> PeekMessagesAsync(
            int maxMessages,
            long? fromSequenceNumber = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task AbandonMessageAsync(
            ServiceBusReceivedMessage message,
            IDictionary<string, object> propertiesToModify = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task DeadLetterMessageAsync(
            ServiceBusReceivedMessage message,
            IDictionary<string, object> propertiesToModify,
            string deadLetterReason,
            string deadLetterErrorDescription = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task DeadLetterMessageAsync(
            ServiceBusReceivedMessage message,
            IDictionary<string, object> propertiesToModify = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task DeadLetterMessageAsync(
            ServiceBusReceivedMessage message,
            string deadLetterReason,
            string deadLetterErrorDescription = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task DeferMessageAsync(
            ServiceBusReceivedMessage message,
            IDictionary<string, object> propertiesToModify = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task RenewMessageLockAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task CloseAsync(CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual ValueTask DisposeAsync() => throw new NotSupportedException(OfflineSurface.Message);
    }

    public class ServiceBusSessionReceiver : ServiceBusReceiver
    {
        protected ServiceBusSessionReceiver()
        {
        }

        public override bool IsClosed => throw new NotSupportedException(OfflineSurface.Message);

        public virtual string SessionId => throw new NotSupportedException(OfflineSurface.Message);

        public virtual DateTimeOffset SessionLockedUntil => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task RenewSessionLockAsync(CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task<BinaryData> GetSessionStateAsync(CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task SetSessionStateAsync(BinaryData sessionState, CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);
    }
}
