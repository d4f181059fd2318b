using MiniNet.Autograd;

namespace MiniNet.Training;

/// <summary>One gradient-descent step on the wall: where it started and what it saw.</summary>
/// <param name="W">w before the step.</param>
/// <param name="B">b before the step.</param>
/// <param name="Loss">E(w, b) before the step.</param>
/// <param name="GradNorm">‖∇E‖ before clipping.</param>
/// <param name="Clipped">Whether the gradient was rescaled.</param>
public sealed record WallStep(double W, double B, double Loss, double GradNorm, bool Clipped);

/// <summary>
/// Pascanu, Mikolov &amp; Bengio's (2013) one-unit recurrent net, whose loss surface has a wall: x_t = w·σ(x_{t−1}) + b,
/// x_0 = 0.5, 50 steps, E = (σ(x_50) − 0.7)².
/// </summary>
/// <remarks>
/// For w above about 4 the map has two attractors; near the parameters where x_50 switches between them, E rises by
/// orders of magnitude over a tiny distance and its gradient is huge — the "wall". A plain gradient step taken on the
/// wall is proportional to that gradient and throws the parameters far away, onto a plateau where the gradient vanishes;
/// rescaling the gradient to a norm ≤ c (global-norm clipping) keeps the step short, so descent stays in the valley.
/// Gradients are computed with MiniNet's autograd through the 50 unrolled steps; the surface itself in double precision.
/// </remarks>
public sealed class WallProblem
{
    /// <summary>The number of unrolled steps.</summary>
    public int Steps { get; init; } = 50;

    /// <summary>x_0, the starting state of the one-unit recurrence.</summary>
    public double InitialState { get; init; } = 0.5;

    /// <summary>The target value of σ(x_T).</summary>
    public double Target { get; init; } = 0.7;

    /// <summary>A start on the wall's foot: low loss, gradient norm about 26.</summary>
    public static (double W, double B) DefaultStart => (4.9, -2.55);

    /// <summary>E(w, b), in double precision (for the surface).</summary>
    /// <param name="w">The recurrent weight.</param>
    /// <param name="b">The bias.</param>
    /// <returns>The loss.</returns>
    public double Loss(double w, double b)
    {
        double x = InitialState;
        for (int t = 0; t < Steps; t++)
        {
            x = (w * Sigmoid(x)) + b;
        }

        double s = Sigmoid(x);
        return (s - Target) * (s - Target);
    }

    /// <summary>E and ∇E = (∂E/∂w, ∂E/∂b) by backpropagation through the unrolled net, with MiniNet's autograd.</summary>
    /// <param name="w">The recurrent weight.</param>
    /// <param name="b">The bias.</param>
    /// <returns>The loss and its gradient.</returns>
    public (double Loss, double DW, double DB) LossAndGradient(double w, double b)
    {
        Tensor weight = Tensor.Scalar((float)w, requiresGrad: true);
        Tensor bias = Tensor.Scalar((float)b, requiresGrad: true);
        Tensor x = Tensor.Scalar((float)InitialState);
        for (int t = 0; t < Steps; t++)
        {
            x = (weight * x.Sigmoid()) + bias;
        }

        Tensor loss = (x.Sigmoid() - (float)Target).Pow(2f);
        loss.Backward();
        return (loss.Item(), weight.Grad!.Item(), bias.Grad!.Item());
    }

    /// <summary>Gradient descent from (w, b), optionally rescaling each gradient to a norm of at most <paramref name="clipThreshold"/>.</summary>
    /// <param name="w">Start w.</param>
    /// <param name="b">Start b.</param>
    /// <param name="learningRate">η &gt; 0.</param>
    /// <param name="steps">Steps to take.</param>
    /// <param name="clipThreshold">c for global-norm clipping, or null for none.</param>
    /// <returns>steps + 1 points: the start and each step's result (the last has no gradient step after it).</returns>
    public IReadOnlyList<WallStep> Descend(double w, double b, double learningRate, int steps, double? clipThreshold)
    {
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The wall's learning rate must be a positive number.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var path = new List<WallStep>(steps + 1);
        for (int i = 0; i <= steps; i++)
        {
            (double loss, double dw, double db) = LossAndGradient(w, b);
            double norm = Math.Sqrt((dw * dw) + (db * db));
            double scale = clipThreshold is double c && norm > c ? c / (norm + 1e-6) : 1;
            path.Add(new WallStep(w, b, loss, norm, scale < 1));
            if (i < steps && double.IsFinite(norm))
            {
                w -= learningRate * scale * dw;
                b -= learningRate * scale * db;
            }
        }

        return path;
    }

    /// <summary>E over a grid: [rows = b values][columns = w values], row 0 at the smallest b.</summary>
    /// <param name="w">The w range.</param>
    /// <param name="b">The b range.</param>
    /// <param name="columns">Points along w.</param>
    /// <param name="rows">Points along b.</param>
    /// <returns>The grid.</returns>
    public double[][] Surface((double Min, double Max) w, (double Min, double Max) b, int columns = 120, int rows = 90)
    {
        var grid = new double[rows][];
        for (int r = 0; r < rows; r++)
        {
            grid[r] = new double[columns];
            double bv = b.Min + ((b.Max - b.Min) * (r + 0.5) / rows);
            for (int c = 0; c < columns; c++)
            {
                grid[r][c] = Loss(w.Min + ((w.Max - w.Min) * (c + 0.5) / columns), bv);
            }
        }

        return grid;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
