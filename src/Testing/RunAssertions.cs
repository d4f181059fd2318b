using System.Globalization;
using FluentAssertions;
using FluentAssertions.Execution;
using FluentAssertions.Primitives;
using MiniNet.Training;

namespace MiniNet.Testing;

/// <summary>
/// Assertions on the dynamics of a training run: <c>run.Should().Diverge()</c>, <c>.Solve(within: 3000)</c>,
/// <c>.NeverExceedPostClipNorm(1.0)</c>, <c>.HaveClippedFraction(0.1, 0.9)</c>, <c>.BecomeNonFinite()</c>. Each failure says
/// what the run did instead, with its numbers.
/// </summary>
/// <param name="subject">The run.</param>
public sealed class RunAssertions(RunResult subject) : ReferenceTypeAssertions<RunResult, RunAssertions>(subject)
{
    /// <inheritdoc/>
    protected override string Identifier => "run";

    /// <summary>Asserts that the divergence rule fired (the loss rose past its factor over the first loss, or became non-finite).</summary>
    /// <param name="because">Why, for the failure message.</param>
    /// <param name="becauseArgs">Arguments of <paramref name="because"/>.</param>
    /// <returns>The assertions, for chaining.</returns>
    public AndConstraint<RunAssertions> Diverge(string because = "", params object[] becauseArgs)
    {
        Execute.Assertion.BecauseOf(because, becauseArgs)
            .ForCondition(Subject is { Status: RunStatus.Diverged })
            .FailWith($"Expected {{context:run}} to diverge{{reason}}, but it {Describe()}.");
        return new AndConstraint<RunAssertions>(this);
    }

    /// <summary>Asserts that the run did not diverge (and had no anomaly).</summary>
    /// <param name="because">Why, for the failure message.</param>
    /// <param name="becauseArgs">Arguments of <paramref name="because"/>.</param>
    /// <returns>The assertions, for chaining.</returns>
    public AndConstraint<RunAssertions> NotDiverge(string because = "", params object[] becauseArgs)
    {
        Execute.Assertion.BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null && Subject.Status is not (RunStatus.Diverged or RunStatus.Anomaly))
            .FailWith($"Expected {{context:run}} not to diverge{{reason}}, but it {Describe()}.");
        return new AndConstraint<RunAssertions>(this);
    }

    /// <summary>Asserts that the task's success criterion held at an evaluation no later than step <paramref name="within"/>.</summary>
    /// <param name="within">The latest step (null: any step of the run).</param>
    /// <param name="because">Why, for the failure message.</param>
    /// <param name="becauseArgs">Arguments of <paramref name="because"/>.</param>
    /// <returns>The assertions, for chaining.</returns>
    public AndConstraint<RunAssertions> Solve(int? within = null, string because = "", params object[] becauseArgs)
    {
        bool solved = Subject?.SolvedAtStep is int at && (within is null || at <= within);
        string when = within is null ? string.Empty : $" within {within} steps";
        Execute.Assertion.BecauseOf(because, becauseArgs)
            .ForCondition(solved)
            .FailWith($"Expected {{context:run}} to solve the task ({Subject?.Task.SuccessDescription}){when}{{reason}}, but it {Describe()}.");
        return new AndConstraint<RunAssertions>(this);
    }

    /// <summary>Asserts that after clipping the global gradient norm never exceeded <paramref name="threshold"/> (by more than a relative <paramref name="tolerance"/>, for float rounding).</summary>
    /// <param name="threshold">The bound.</param>
    /// <param name="tolerance">Relative slack for float32 rounding.</param>
    /// <param name="because">Why, for the failure message.</param>
    /// <param name="becauseArgs">Arguments of <paramref name="because"/>.</param>
    /// <returns>The assertions, for chaining.</returns>
    public AndConstraint<RunAssertions> NeverExceedPostClipNorm(double threshold, double tolerance = 1e-5, string because = "", params object[] becauseArgs)
    {
        MetricsRow? worst = Subject?.Rows.Where(r => !(r.GradNormAfter <= threshold * (1 + tolerance))).MaxBy(r => float.IsNaN(r.GradNormAfter) ? float.PositiveInfinity : r.GradNormAfter);
        string found = Subject is null ? "the run was <null>"
            : worst is null ? string.Empty
            : $"at step {worst.Step} it was {F(worst.GradNormAfter)} ({Subject.Rows.Count(r => !(r.GradNormAfter <= threshold * (1 + tolerance)))} of {Subject.Rows.Count} recorded steps exceed it)";
        Execute.Assertion.BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null && worst is null)
            .FailWith($"Expected the post-clip gradient norm of {{context:run}} never to exceed {F(threshold)}{{reason}}, but {found}.");
        return new AndConstraint<RunAssertions>(this);
    }

    /// <summary>Asserts that the share of clipped steps lies in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    /// <param name="low">The smallest share allowed (0 to 1).</param>
    /// <param name="high">The largest share allowed (0 to 1).</param>
    /// <param name="because">Why, for the failure message.</param>
    /// <param name="becauseArgs">Arguments of <paramref name="because"/>.</param>
    /// <returns>The assertions, for chaining.</returns>
    public AndConstraint<RunAssertions> HaveClippedFraction(double low, double high, string because = "", params object[] becauseArgs)
    {
        Execute.Assertion.BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null && Subject.ClipFraction >= low && Subject.ClipFraction <= high)
            .FailWith($"Expected {{context:run}} to clip between {low.ToString("P0", CultureInfo.InvariantCulture)} and {high.ToString("P0", CultureInfo.InvariantCulture)} of its steps{{reason}}, but it clipped {(Subject is null ? "— (the run was <null>)" : $"{Subject.ClipFraction.ToString("P1", CultureInfo.InvariantCulture)} ({Subject.ClippedSteps} of {Subject.StepsRun})")}.");
        return new AndConstraint<RunAssertions>(this);
    }

    /// <summary>Asserts that at some step the loss or the pre-clip gradient norm became NaN or ±∞ (run with <c>StopOnDivergence: false</c> to watch it happen).</summary>
    /// <param name="because">Why, for the failure message.</param>
    /// <param name="becauseArgs">Arguments of <paramref name="because"/>.</param>
    /// <returns>The assertions, for chaining.</returns>
    public AndConstraint<RunAssertions> BecomeNonFinite(string because = "", params object[] becauseArgs)
    {
        bool nonFinite = Subject is not null && (Subject.Rows.Any(r => !float.IsFinite(r.Loss) || !float.IsFinite(r.GradNormBefore)) || !float.IsFinite(Subject.LastLoss));
        Execute.Assertion.BecauseOf(because, becauseArgs)
            .ForCondition(nonFinite)
            .FailWith($"Expected the loss or gradient norm of {{context:run}} to become NaN or infinite{{reason}}, but {(Subject is null ? "the run was <null>" : $"every recorded step was finite (largest loss {F(Subject.Rows.Count == 0 ? double.NaN : Subject.Rows.Max(r => r.Loss))}, largest pre-clip norm {F(Subject.MaxGradNorm)}); it {Describe()}")}.");
        return new AndConstraint<RunAssertions>(this);
    }

    private string Describe() => Subject is null ? "was <null>" : Subject.Status switch
    {
        RunStatus.Finished => $"{(Subject.SolvedAtStep is int s ? $"solved at step {s}" : "finished without solving")} after {Subject.StepsRun} steps (final test loss {F(Subject.FinalTestLoss)}, largest pre-clip norm {F(Subject.MaxGradNorm)})",
        _ => Subject.Verdict.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal),
    };

    private static string F(double v) => double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? (v > 0 ? "∞" : "−∞") : v.ToString("G4", CultureInfo.InvariantCulture);
}
