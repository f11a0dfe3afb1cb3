using System;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;

namespace Azure.Messaging.ServiceBus
{
    public class ServiceBusClient : IAsyncDisposable
    {
        protected ServiceBusClient()
        {
        }

        public ServiceBusClient(string connectionString)
        {
            throw new NotSupportedException(OfflineSurface.Message);
        }

        public ServiceBusClient(string connectionString, ServiceBusClientOptions options)
        {
            throw new NotSupportedException(OfflineSurface.Message);
        }

        public ServiceBusClient(string fullyQualifiedNamespace, TokenCredential credential)
        {
            throw new NotSupportedException(OfflineSurface.Message);
        }

        public ServiceBusClient(string fullyQualifiedNamespace, TokenCredential credential, ServiceBusClientOptions options)
        {
            throw new NotSupportedException(OfflineSurface.Message);
        }

        public ServiceBusClient(string fullyQualifiedNamespace, AzureNamedKeyCredential credential, ServiceBusClientOptions options = null)
        {
            throw new NotSupportedException(OfflineSurface.Message);
        }

        public ServiceBusClient(string fullyQualifiedNamespace, AzureSasCredential credential, ServiceBusClientOptions options = null)
        {
            throw new NotSupportedException(OfflineSurface.Message);
        }

        public virtual string FullyQualifiedNamespace => throw new NotSupportedException(OfflineSurface.Message);

        public virtual string Identifier => throw new NotSupportedException(OfflineSurface.Message);

        public virtual bool IsClosed => throw new NotSupportedException(OfflineSurface.Message);

        public ServiceBusTransportType TransportType => throw new NotSupportedException(OfflineSurface.Message);

        public virtual ServiceBusSender CreateSender(string queueOrTopicName)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual ServiceBusSender CreateSender(string queueOrTopicName, ServiceBusSenderOptions options)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual ServiceBusReceiver CreateReceiver(string queueName)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual ServiceBusReceiver CreateReceiver(string queueName, ServiceBusReceiverOptions options)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual ServiceBusReceiver CreateReceiver(string topicName, string subscriptionName)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual ServiceBusReceiver CreateReceiver(string topicName, string subscriptionName, ServiceBusReceiverOptions options)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task<ServiceBusSessionReceiver> AcceptNextSessionAsync(
            string queueName,
            ServiceBusSessionReceiverOptions options = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task<ServiceBusSessionReceiver> AcceptNextSessionAsync(
            string topicName,
            string subscriptionName,
            ServiceBusSessionReceiverOptions options = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task<ServiceBusSessionReceiver> AcceptSessionAsync(
            string queueName,
            string sessionId,
            ServiceBusSessionReceiverOptions options = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task<ServiceBusSessionReceiver> AcceptSessionAsync(
            string topicName,
            string subscriptionName,
            string sessionId,
            ServiceBusSessionReceiverOptions options = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual ValueTask DisposeAsync() => throw new NotSupportedException(OfflineSurface.Message);
    }
}
