using MiniNet.Serialization;

namespace MiniNet.Clipping;

/// <summary>A clipping stage with state that a checkpoint must carry (a history, running averages, a count).</summary>
/// <remarks>
/// The state is a typed record (<see cref="AutoClipState"/>, <see cref="ZClipState"/>, <see cref="SkipNonFiniteState"/>,
/// <see cref="ClipChainState"/>); its <see cref="ClipperState.ToText"/> is exact text, so a resumed run continues bit for bit.
/// </remarks>
public interface IStatefulClipper
{
    /// <summary>A snapshot of the state.</summary>
    /// <returns>The state.</returns>
    ClipperState SaveState();

    /// <summary>Restores a state from <see cref="SaveState"/>.</summary>
    /// <param name="state">The state.</param>
    /// <exception cref="ArgumentException">The state belongs to another kind of stage or is inconsistent.</exception>
    void LoadState(ClipperState state);

    /// <summary>Reads this stage's state from its text form (<see cref="ClipperState.ToText"/>).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The state.</returns>
    /// <exception cref="FormatException">A value is missing or malformed; the message names it.</exception>
    ClipperState ParseState(IReadOnlyDictionary<string, string> text);
}

/// <summary>The check every stateful stage makes on a state it is given.</summary>
internal static class StateOf
{
    /// <summary>The state as <typeparamref name="TState"/>, or an error naming the stage and what it was given.</summary>
    public static TState Expect<TState>(ClipperState state, IGradientClipper stage)
        where TState : ClipperState
    {
        ArgumentNullException.ThrowIfNull(state);
        return state as TState ?? throw new ArgumentException(
            $"{stage} keeps a {typeof(TState).Name}, not a {state.GetType().Name}; restore each stage from its own SaveState().", nameof(state));
    }
}
