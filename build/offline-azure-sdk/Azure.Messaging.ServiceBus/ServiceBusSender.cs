using System;
using System.Threading;
using System.Threading.Tasks;

namespace Azure.Messaging.ServiceBus
{
    public class ServiceBusSender : IAsyncDisposable
    {
        protected ServiceBusSender()
        {
        }

        protected ServiceBusSender(ServiceBusClient client, string queueOrTopicName)
        {
        }

        protected ServiceBusSender(ServiceBusClient client, string queueOrTopicName, ServiceBusSenderOptions options)
        {
        }

        public virtual string EntityPath => throw new NotSupportedException(OfflineSurface.Message);

        public virtual string FullyQualifiedNamespace => throw new NotSupportedException(OfflineSurface.Message);

        public virtual string Identifier => throw new NotSupportedException(OfflineSurface.Message);

        public virtual bool IsClosed => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task<long> ScheduleMessageAsync(
            ServiceBusMessage message,
            DateTimeOffset scheduledEnqueueTime,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task CancelScheduledMessageAsync(long sequenceNumber, CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task CloseAsync(CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual ValueTask DisposeAsync() => throw new NotSupportedException(OfflineSurface.Message);
    }
}
