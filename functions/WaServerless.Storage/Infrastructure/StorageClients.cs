using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace WaServerless.Storage.Infrastructure;

/// <summary>The service clients, made once per process, and the prefixed names of everything in the account.</summary>
public sealed class StorageClients
{
    private readonly StorageOptions _options;
    private readonly Lazy<TokenCredential> _credential;
    private readonly StorageRequestCounter _tableRequests = new("table");
    private readonly StorageRequestCounter _blobRequests = new("blob");
    private readonly StorageRequestCounter _queueRequests = new("queue");

    public StorageClients(IOptions<StorageOptions> options)
    {
        _options = options.Value;
        _credential = new Lazy<TokenCredential>(() => AzureCredentials.Create(_options.Credential, _options.ClientId));

        var tableOptions = WithRetry(new TableClientOptions());
        tableOptions.AddPolicy(_tableRequests, HttpPipelinePosition.PerRetry);
        var blobOptions = WithRetry(new BlobClientOptions());
        blobOptions.AddPolicy(_blobRequests, HttpPipelinePosition.PerRetry);
        Tables = string.IsNullOrWhiteSpace(_options.ConnectionString)
            ? new TableServiceClient(_options.TableServiceUri!, _credential.Value, tableOptions)
            : new TableServiceClient(_options.ConnectionString, tableOptions);
        Blobs = string.IsNullOrWhiteSpace(_options.ConnectionString)
            ? new BlobServiceClient(_options.BlobServiceUri!, _credential.Value, blobOptions)
            : new BlobServiceClient(_options.ConnectionString, blobOptions);
        var queueOptions = WithRetry(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        queueOptions.AddPolicy(_queueRequests, HttpPipelinePosition.PerRetry);
        Queues = string.IsNullOrWhiteSpace(_options.ConnectionString)
            ? new QueueServiceClient(_options.QueueServiceUri!, _credential.Value, queueOptions)
            : new QueueServiceClient(_options.ConnectionString, queueOptions);
    }

    // One timeout and retry policy for every storage call, sized to fit a request's deadline.
    private T WithRetry<T>(T options)
        where T : ClientOptions
    {
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.NetworkTimeout = _options.NetworkTimeout;
        options.Retry.MaxRetries = _options.MaxRetries;
        options.Retry.Delay = _options.RetryDelay;
        options.Retry.MaxDelay = _options.MaxRetryDelay;
        return options;
    }

    /// <summary>Every request these clients have sent so far (each try), by kind.</summary>
    public StorageRequestCounts Requests
    {
        get
        {
            var tables = _tableRequests.Snapshot();
            return new StorageRequestCounts(tables.Reads, tables.Writes, tables.Transactions, _queueRequests.Snapshot().All, _blobRequests.Snapshot().All);
        }
    }

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    public QueueServiceClient Queues { get; }

    public string Name(string logicalName) => _options.NamePrefix + logicalName;

    public TableClient Table(string logicalName) => Tables.GetTableClient(Name(logicalName));
}
