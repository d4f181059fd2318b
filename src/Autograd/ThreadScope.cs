namespace MiniNet.Autograd;

/// <summary>A scope whose disposal runs an action exactly once (however often it is disposed): NoGrad's and Anomaly's scopes.</summary>
internal sealed class ThreadScope(Action onExit) : IDisposable
{
    private bool _disposed;

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            onExit();
        }
    }
}
