using System;

namespace Azure.Messaging.ServiceBus
{
    public enum ServiceBusFailureReason
    {
        GeneralError = 0,
        MessagingEntityNotFound = 1,
        MessageLockLost = 2,
        MessageNotFound = 3,
        MessageSizeExceeded = 4,
        MessagingEntityDisabled = 5,
        QuotaExceeded = 6,
        ServiceBusy = 7,
        ServiceTimeout = 8,
        ServiceCommunicationProblem = 9,
        SessionCannotBeLocked = 10,
        SessionLockLost = 11,
        MessagingEntityAlreadyExists = 12,
    }

    public class ServiceBusException : Exception
    {
        public ServiceBusException()
        {
        }

        public ServiceBusException(
            bool isTransient,
            string message,
            string entityName = default,
            ServiceBusFailureReason reason = ServiceBusFailureReason.GeneralError,
            Exception innerException = default)
            : base(message, innerException)
        {
            IsTransient = isTransient;
            EntityPath = entityName;
            Reason = reason;
        }

        public ServiceBusException(
            string message,
            ServiceBusFailureReason reason,
            string entityPath = default,
            Exception innerException = default)
            : base(message, innerException)
        {
            Reason = reason;
            EntityPath = entityPath;
            IsTransient = reason == ServiceBusFailureReason.ServiceBusy
                || reason == ServiceBusFailureReason.ServiceTimeout
                || reason == ServiceBusFailureReason.ServiceCommunicationProblem;
        }

        public bool IsTransient { get; }

        public ServiceBusFailureReason Reason { get; }

        public string EntityPath { get; }
    }
}
