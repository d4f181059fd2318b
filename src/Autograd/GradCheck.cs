namespace MiniNet.Autograd;

/// <summary>Options of <see cref="GradCheck"/>: the finite-difference step and the tolerances.</summary>
/// <param name="Epsilon">The step h of the central difference.</param>
/// <param name="AbsoluteTolerance">atol in |analytic − numeric| ≤ atol + rtol·|numeric|.</param>
/// <param name="RelativeTolerance">rtol in |analytic − numeric| ≤ atol + rtol·|numeric|.</param>
public sealed record GradCheckOptions(float Epsilon = 1e-3f, float AbsoluteTolerance = 5e-3f, float RelativeTolerance = 1e-2f)
{
    /// <summary>Defaults suited to float32: h = 1e-3, atol = 5e-3, rtol = 1e-2.</summary>
    public static GradCheckOptions Default { get; } = new();
}

/// <summary>How far one input's analytic gradient is from its finite-difference estimate.</summary>
/// <param name="Index">The input's position among the checked inputs.</param>
/// <param name="Name">The input's <see cref="Tensor.Name"/>, if any.</param>
/// <param name="MaxAbsoluteError">max |analytic − numeric| over the input's elements.</param>
/// <param name="MaxRelativeError">max |analytic − numeric| / max(|numeric|, 1e-6).</param>
/// <param name="WorstElement">The element (flat index) farthest outside the tolerance, or with the largest error.</param>
/// <param name="Analytic">The analytic gradient at that element.</param>
/// <param name="Numeric">The numeric gradient at that element.</param>
/// <param name="Passed">Whether every element is within the tolerance.</param>
public sealed record GradCheckInputResult(int Index, string? Name, float MaxAbsoluteError, float MaxRelativeError,
    int WorstElement, float Analytic, float Numeric, bool Passed);

/// <summary>The outcome of <see cref="GradCheck.Check(Func{Tensor[], Tensor}, Tensor[])"/>: one entry per input.</summary>
/// <param name="Inputs">Per-input errors.</param>
public sealed record GradCheckResult(IReadOnlyList<GradCheckInputResult> Inputs)
{
    /// <summary>Whether every input's gradient matched within the tolerances.</summary>
    public bool Passed => Inputs.All(i => i.Passed);

    /// <summary>The largest absolute error over all inputs.</summary>
    public float MaxAbsoluteError => Inputs.Max(i => i.MaxAbsoluteError);

    /// <summary>The largest relative error over all inputs.</summary>
    public float MaxRelativeError => Inputs.Max(i => i.MaxRelativeError);

    /// <summary>One line per input: its errors and its worst element.</summary>
    /// <returns>The report.</returns>
    public override string ToString() => string.Join(
        Environment.NewLine,
        Inputs.Select(i =>
            $"input {i.Index}{(i.Name is null ? string.Empty : $" '{i.Name}'")}: {(i.Passed ? "ok" : "MISMATCH")}, " +
            $"max abs error {i.MaxAbsoluteError:G3}, max rel error {i.MaxRelativeError:G3}; " +
            $"worst element {i.WorstElement}: analytic {i.Analytic:G6}, numeric {i.Numeric:G6}"));
}

/// <summary>
/// Checks an op's backward against central finite differences. Part of the library because users who
/// write their own ops need it as much as MiniNet's tests do.
/// </summary>
/// <remarks>
/// For each element xⱼ of each input, numeric ∂f/∂xⱼ ≈ (f(x + h·eⱼ) − f(x − h·eⱼ)) / 2h, whose error is
/// O(h²) plus float32 rounding of f divided by h. A non-scalar output y is reduced to f = Σ y ⊙ r with a
/// fixed random r, so every output element's gradient is exercised (a plain sum would hide errors that
/// cancel). Inputs must require gradients; their <see cref="Tensor.Grad"/> is restored afterwards.
/// </remarks>
public static class GradCheck
{
    /// <summary>Checks <paramref name="function"/>'s gradient with respect to every input, with default tolerances.</summary>
    /// <param name="function">Builds the output from the inputs (called many times; must be deterministic).</param>
    /// <param name="inputs">The inputs, each created with requiresGrad: true.</param>
    /// <returns>The per-input errors.</returns>
    public static GradCheckResult Check(Func<Tensor[], Tensor> function, params Tensor[] inputs) =>
        Check(function, GradCheckOptions.Default, inputs);

    /// <summary>Checks <paramref name="function"/>'s gradient with respect to every input.</summary>
    /// <param name="function">Builds the output from the inputs (called many times; must be deterministic).</param>
    /// <param name="options">Step and tolerances.</param>
    /// <param name="inputs">The inputs, each created with requiresGrad: true.</param>
    /// <returns>The per-input errors.</returns>
    public static GradCheckResult Check(Func<Tensor[], Tensor> function, GradCheckOptions options, params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (inputs[i] is null || !inputs[i].RequiresGrad)
            {
                throw new ArgumentException(
                    $"GradCheck input {i} {(inputs[i] is null ? "is null" : "does not require a gradient")}; create every input with requiresGrad: true.",
                    nameof(inputs));
            }
        }

        Tensor[] savedGrads = inputs.Select(x => x.Grad!).ToArray();
        try
        {
            Tensor probe;
            using (NoGrad.Scope())
            {
                probe = function(inputs);
            }

            Tensor? weights = probe.Length == 1 ? null : Tensor.RandomUniform(probe.Shape, seed: 12345, low: -1f, high: 1f);
            Tensor Objective()
            {
                Tensor y = function(inputs);
                return weights is null ? y.Reshape([]) : (y * weights).Sum();
            }

            foreach (Tensor x in inputs)
            {
                x.Grad = null;
            }

            Objective().Backward();
            float[][] analytic = inputs.Select(x => x.Grad is null ? new float[x.Length] : (float[])x.Grad.Data.Clone()).ToArray();

            var results = new GradCheckInputResult[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
            {
                results[i] = CheckInput(i, inputs[i], analytic[i], Objective, options);
            }

            return new GradCheckResult(results);
        }
        finally
        {
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i].Grad = savedGrads[i];
            }
        }
    }

    private static GradCheckInputResult CheckInput(int index, Tensor x, float[] analytic, Func<Tensor> objective, GradCheckOptions options)
    {
        float h = options.Epsilon;
        float maxAbs = 0f;
        float maxRel = 0f;
        float worstExcess = float.NegativeInfinity;
        int worst = 0;
        float worstNumeric = 0f;
        bool passed = true;
        for (int j = 0; j < x.Length; j++)
        {
            float original = x.Data[j];
            float plus;
            float minus;
            using (NoGrad.Scope())
            {
                x.Data[j] = original + h;
                plus = objective().Item();
                x.Data[j] = original - h;
                minus = objective().Item();
            }

            x.Data[j] = original;
            float numeric = (plus - minus) / (2f * h);
            float error = MathF.Abs(analytic[j] - numeric);
            float allowed = options.AbsoluteTolerance + (options.RelativeTolerance * MathF.Abs(numeric));
            bool ok = error <= allowed; // false for NaN
            passed &= ok;
            maxAbs = float.IsNaN(error) ? float.NaN : Math.Max(maxAbs, error);
            maxRel = Math.Max(maxRel, error / Math.Max(MathF.Abs(numeric), 1e-6f));
            float excess = float.IsNaN(error) ? float.PositiveInfinity : error - allowed;
            if (excess > worstExcess)
            {
                worstExcess = excess;
                worst = j;
                worstNumeric = numeric;
            }
        }

        return new GradCheckInputResult(index, x.Name, maxAbs, maxRel, worst, analytic[worst], worstNumeric, passed);
    }
}
