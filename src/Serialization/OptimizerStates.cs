namespace MiniNet.Serialization;

/// <summary>One buffer of optimizer state, under the name PyTorch's <c>state_dict</c> gives it (for files and checkpoints).</summary>
/// <param name="Name">PyTorch's name, such as <c>exp_avg</c>.</param>
/// <param name="Data">The values, one per element of the parameter.</param>
public readonly record struct StateBuffer(string Name, float[] Data);

/// <summary>
/// What an optimizer keeps for one parameter: its step count and its buffers, as typed properties (a misspelt buffer
/// does not compile). <see cref="Buffers"/> lists them under PyTorch's names, which is all saving and restoring need.
/// </summary>
public abstract class ParameterState
{
    /// <summary>Creates the state of a parameter of <paramref name="length"/> elements.</summary>
    /// <param name="length">The parameter's element count.</param>
    protected ParameterState(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
    }

    /// <summary>How many updates this parameter has received (the current one included, inside an update).</summary>
    public long Step { get; set; }

    /// <summary>The parameter's element count, which every buffer has.</summary>
    public int Length { get; }

    /// <summary>Every buffer, under PyTorch's name.</summary>
    public abstract IReadOnlyList<StateBuffer> Buffers { get; }
}

/// <summary>SGD's state: the momentum buffer b (PyTorch's <c>momentum_buffer</c>) when momentum is on.</summary>
/// <param name="length">The parameter's element count.</param>
/// <param name="momentum">Whether momentum is on.</param>
public sealed class SgdState(int length, bool momentum) : ParameterState(length)
{
    /// <summary>b, or null without momentum.</summary>
    public float[]? MomentumBuffer { get; } = momentum ? new float[length] : null;

    /// <inheritdoc/>
    public override IReadOnlyList<StateBuffer> Buffers => MomentumBuffer is null ? [] : [new("momentum_buffer", MomentumBuffer)];
}

/// <summary>Adam's and AdamW's state: the moments m and v, and v̂_max with AMSGrad.</summary>
/// <param name="length">The parameter's element count.</param>
/// <param name="amsgrad">Whether AMSGrad is on.</param>
public sealed class AdamState(int length, bool amsgrad) : ParameterState(length)
{
    /// <summary>m, the first moment (<c>exp_avg</c>).</summary>
    public float[] ExpAvg { get; } = new float[length];

    /// <summary>v, the second moment (<c>exp_avg_sq</c>).</summary>
    public float[] ExpAvgSq { get; } = new float[length];

    /// <summary>v̂_max, the running maximum of v (<c>max_exp_avg_sq</c>), or null without AMSGrad.</summary>
    public float[]? MaxExpAvgSq { get; } = amsgrad ? new float[length] : null;

    /// <inheritdoc/>
    public override IReadOnlyList<StateBuffer> Buffers =>
        MaxExpAvgSq is null ? [new("exp_avg", ExpAvg), new("exp_avg_sq", ExpAvgSq)]
            : [new("exp_avg", ExpAvg), new("exp_avg_sq", ExpAvgSq), new("max_exp_avg_sq", MaxExpAvgSq)];
}

/// <summary>RMSprop's state: the mean square v, the mean gradient g̅ when centered, the momentum buffer b with momentum.</summary>
/// <param name="length">The parameter's element count.</param>
/// <param name="centered">Whether the centered variant is used.</param>
/// <param name="momentum">Whether momentum is on.</param>
public sealed class RmsPropState(int length, bool centered, bool momentum) : ParameterState(length)
{
    /// <summary>v (<c>square_avg</c>).</summary>
    public float[] SquareAvg { get; } = new float[length];

    /// <summary>g̅ (<c>grad_avg</c>), or null when not centered.</summary>
    public float[]? GradAvg { get; } = centered ? new float[length] : null;

    /// <summary>b (<c>momentum_buffer</c>), or null without momentum.</summary>
    public float[]? MomentumBuffer { get; } = momentum ? new float[length] : null;

    /// <inheritdoc/>
    public override IReadOnlyList<StateBuffer> Buffers =>
    [
        new("square_avg", SquareAvg),
        .. GradAvg is null ? Array.Empty<StateBuffer>() : [new("grad_avg", GradAvg)],
        .. MomentumBuffer is null ? Array.Empty<StateBuffer>() : [new("momentum_buffer", MomentumBuffer)],
    ];
}

/// <summary>Adagrad's state: the sum of squared gradients S (<c>sum</c>), starting at the initial accumulator value.</summary>
public sealed class AdagradState : ParameterState
{
    /// <summary>Creates the state with S filled with <paramref name="initialAccumulatorValue"/>.</summary>
    /// <param name="length">The parameter's element count.</param>
    /// <param name="initialAccumulatorValue">S's starting value.</param>
    public AdagradState(int length, float initialAccumulatorValue)
        : base(length)
    {
        Sum = new float[length];
        Array.Fill(Sum, initialAccumulatorValue);
    }

    /// <summary>S, the running sum of squared gradients.</summary>
    public float[] Sum { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<StateBuffer> Buffers => [new("sum", Sum)];
}
