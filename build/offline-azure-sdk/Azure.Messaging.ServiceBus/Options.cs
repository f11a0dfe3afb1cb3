namespace Azure.Messaging.ServiceBus
{
    public enum ServiceBusTransportType
    {
        AmqpTcp = 0,
        AmqpWebSockets = 1,
    }

    public enum ServiceBusReceiveMode
    {
        PeekLock = 0,
        ReceiveAndDelete = 1,
    }

    public class ServiceBusClientOptions
    {
        public ServiceBusTransportType TransportType { get; set; } = ServiceBusTransportType.AmqpTcp;

        public string Identifier { get; set; }
    }

    public class ServiceBusSenderOptions
    {
        public string Identifier { get; set; }
    }

    public class ServiceBusReceiverOptions
    {
        public string Identifier { get; set; }

        public int PrefetchCount { get; set; }

        public ServiceBusReceiveMode ReceiveMode { get; set; } = ServiceBusReceiveMode.PeekLock;
    }

    public class ServiceBusSessionReceiverOptions
    {
        public string Identifier { get; set; }

        public int PrefetchCount { get; set; }

        public ServiceBusReceiveMode ReceiveMode { get; set; } = ServiceBusReceiveMode.PeekLock;
    }
}
