using System;
using System.Collections.Generic;

namespace Azure.Messaging.ServiceBus
{
    public class ServiceBusMessage
    {
        public ServiceBusMessage()
            : this(new BinaryData(Array.Empty<byte>()))
        {
        }

        public ServiceBusMessage(string body)
            : this(BinaryData.FromString(body))
        {
        }

        public ServiceBusMessage(ReadOnlyMemory<byte> body)
            : this(BinaryData.FromBytes(body))
        {
        }

        public ServiceBusMessage(BinaryData body)
        {
            Body = body;
        }

        public BinaryData Body { get; set; }

        public string MessageId { get; set; }

        public string SessionId { get; set; }

        public string ContentType { get; set; }

        public string Subject { get; set; }

        public string CorrelationId { get; set; }

        public DateTimeOffset ScheduledEnqueueTime { get; set; }

        public TimeSpan TimeToLive { get; set; }

        public IDictionary<string, object> ApplicationProperties { get; } = new Dictionary<string, object>();
    }
}
