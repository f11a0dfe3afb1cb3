using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Azure.Messaging.ServiceBus
{
    public enum ServiceBusMessageState
    {
        Active = 0,
        Deferred = 1,
        Scheduled = 2,
    }

    // The real type can only be created by the library or by ServiceBusModelFactory; this
    // surface keeps that shape and lets the factory fill in plain values.
    public class ServiceBusReceivedMessage
    {
        private static readonly IReadOnlyDictionary<string, object> EmptyProperties =
            new ReadOnlyDictionary<string, object>(new Dictionary<string, object>());

        internal ServiceBusReceivedMessage()
        {
        }

        public BinaryData Body { get; internal set; } = new BinaryData(Array.Empty<byte>());

        public string MessageId { get; internal set; }

        public string SessionId { get; internal set; }

        public string ContentType { get; internal set; }

        public string Subject { get; internal set; }

        public string CorrelationId { get; internal set; }

        public int DeliveryCount { get; internal set; }

        public DateTimeOffset EnqueuedTime { get; internal set; }

        public long SequenceNumber { get; internal set; } = -1;

        public string LockToken { get; internal set; }

        public IReadOnlyDictionary<string, object> ApplicationProperties { get; internal set; } = EmptyProperties;

        public string DeadLetterReason
            => ApplicationProperties.TryGetValue("DeadLetterReason", out object reason) ? reason as string : null;
    }

    public static class ServiceBusModelFactory
    {
        public static ServiceBusReceivedMessage ServiceBusReceivedMessage(
            BinaryData body,
            string messageId,
            string partitionKey,
            string viaPartitionKey,
            string sessionId,
            string replyToSessionId,
            TimeSpan timeToLive,
            string correlationId,
            string subject,
            string to,
            string contentType,
            string replyTo,
            DateTimeOffset scheduledEnqueueTime,
            IDictionary<string, object> properties,
            Guid lockTokenGuid,
            int deliveryCount,
            DateTimeOffset lockedUntil,
            long sequenceNumber,
            string deadLetterSource,
            long enqueuedSequenceNumber,
            DateTimeOffset enqueuedTime)
            => ServiceBusReceivedMessage(
                body, messageId, partitionKey, viaPartitionKey, sessionId, replyToSessionId, timeToLive,
                correlationId, subject, to, contentType, replyTo, scheduledEnqueueTime, properties, lockTokenGuid,
                deliveryCount, lockedUntil, sequenceNumber, deadLetterSource, enqueuedSequenceNumber, enqueuedTime,
                ServiceBusMessageState.Active);

        public static ServiceBusReceivedMessage ServiceBusReceivedMessage(
            BinaryData body = default,
            string messageId = default,
            string partitionKey = default,
            string viaPartitionKey = default,
            string sessionId = default,
            string replyToSessionId = default,
            TimeSpan timeToLive = default,
            string correlationId = default,
            string subject = default,
            string to = default,
            string contentType = default,
            string replyTo = default,
            DateTimeOffset scheduledEnqueueTime = default,
            IDictionary<string, object> properties = default,
            Guid lockTokenGuid = default,
            int deliveryCount = default,
            DateTimeOffset lockedUntil = default,
            long sequenceNumber = -1,
            string deadLetterSource = default,
            long enqueuedSequenceNumber = default,
            DateTimeOffset enqueuedTime = default,
            ServiceBusMessageState serviceBusMessageState = ServiceBusMessageState.Active)
        {
            var message = new ServiceBusReceivedMessage
            {
                Body = body ?? new BinaryData(Array.Empty<byte>()),
                MessageId = messageId,
                SessionId = sessionId,
                ContentType = contentType,
                Subject = subject,
                CorrelationId = correlationId,
                DeliveryCount = deliveryCount,
                EnqueuedTime = enqueuedTime,
                SequenceNumber = sequenceNumber,
                LockToken = lockTokenGuid.ToString(),
            };

            if (properties != null)
            {
                message.ApplicationProperties =
                    new ReadOnlyDictionary<string, object>(new Dictionary<string, object>(properties));
            }

            return message;
        }
    }
}
