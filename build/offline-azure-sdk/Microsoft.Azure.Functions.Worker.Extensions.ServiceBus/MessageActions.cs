using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker.Extensions.ServiceBus;

namespace Microsoft.Azure.Functions.Worker
{
    // Subclassable for tests exactly like the real type (protected constructor, virtual members).
    public class ServiceBusMessageActions
    {
        protected ServiceBusMessageActions()
        {
        }

        public virtual Task CompleteMessageAsync(
            ServiceBusReceivedMessage message,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task AbandonMessageAsync(
            ServiceBusReceivedMessage message,
            IDictionary<string, object>? propertiesToModify = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task DeadLetterMessageAsync(
            ServiceBusReceivedMessage message,
            Dictionary<string, object>? propertiesToModify = default,
            string? deadLetterReason = default,
            string? deadLetterErrorDescription = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task DeferMessageAsync(
            ServiceBusReceivedMessage message,
            IDictionary<string, object>? propertiesToModify = default,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task RenewMessageLockAsync(
            ServiceBusReceivedMessage message,
            CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);
    }

    // Subclassable for tests exactly like the real type (protected constructor, virtual members).
    public class ServiceBusSessionMessageActions
    {
        protected ServiceBusSessionMessageActions()
        {
        }

        public virtual DateTimeOffset SessionLockedUntil { get; protected set; }

        public virtual Task<BinaryData> GetSessionStateAsync(CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task SetSessionStateAsync(BinaryData sessionState, CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task ReleaseSession(CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);

        public virtual Task RenewSessionLockAsync(CancellationToken cancellationToken = default)
            => throw new NotSupportedException(OfflineSurface.Message);
    }
}
