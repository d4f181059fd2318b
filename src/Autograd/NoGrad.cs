namespace MiniNet.Autograd;

/// <summary>Turns off graph recording, like PyTorch's <c>torch.no_grad()</c>.</summary>
/// <remarks>
/// Inside a scope, ops compute values only: results require no gradient and keep no links to their
/// inputs, which saves memory and time in evaluation and in optimizer updates. Scopes nest and are
/// per thread.
/// </remarks>
public static class NoGrad
{
    [ThreadStatic]
    private static int t_depth;

    /// <summary>Whether a scope is open on the current thread.</summary>
    public static bool IsActive => t_depth > 0;

    /// <summary>Opens a scope; dispose it (with <c>using</c>) to record graphs again.</summary>
    /// <returns>The scope.</returns>
    public static IDisposable Scope()
    {
        t_depth++;
        return new ThreadScope(static () => t_depth--);
    }
}
