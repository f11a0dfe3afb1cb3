using WaServerless.Connector.Sessions;
using WaServerless.Workflows;
using WaServerless.Workflows.Signals;

namespace WaServerless.DevHost;

/// <summary>
/// In the devhost the connector and the workflows share a process: a session that connects tells
/// the waiting retries and campaigns directly, through the in-process runner.
/// </summary>
public sealed class WorkflowBridge(WorkflowDispatcher dispatcher, IWorkflowClient workflows) : ISessionStateListener
{
    public Task OnConnectedAsync(string accountId, string sessionId, CancellationToken cancellationToken) =>
        // Waiters are registered under the session key, the form commands and campaigns carry.
        dispatcher.OnSessionConnectedAsync(workflows, accountId, WaServerless.Core.Sessions.SessionKeys.Of(accountId, sessionId), cancellationToken);
}
