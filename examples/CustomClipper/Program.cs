// Writing your own clipper: one class, one method. Run: dotnet run --project examples/CustomClipper
using MiniNet.Autograd;
using MiniNet.Clipping;
using MiniNet.Training;

// A clipper with a budget: it allows the global norm to be at most twice the average of the norms it has let through.
var clipper = new TwiceTheAverage();
var parameters = new[] { Tensor.Zeros([3], requiresGrad: true) };
foreach (float size in new[] { 1f, 1.2f, 0.9f, 30f, 1.1f })
{
    parameters[0].Grad = Tensor.FromArray([size, 0f, 0f]);   // pretend Backward produced this gradient
    ClipReport report = clipper.Clip(parameters);
    Console.WriteLine($"norm {report.TotalNormBefore,5:G3} -> {report.TotalNormAfter,5:G3}{(report.Clipped ? "   (clipped)" : string.Empty)}");
}

// It plugs into the same place as the built-in stages, and chains with them.
IGradientClipper chain = new ClipChain(new SkipNonFinite(), clipper);
parameters[0].Grad = Tensor.FromArray([40f, 0f, 0f]);
ClipReport chained = chain.Clip(parameters);
Console.WriteLine($"chained: {chain}: norm {chained.TotalNormBefore:G3} -> {chained.TotalNormAfter:G3}, per parameter " +
    string.Join(", ", chained.PerParameter.Select(p => $"{p.Name} {p.NormBefore:G3} -> {p.NormAfter:G3}")));
Console.WriteLine($"built-ins parse from text too: {ClipperSpec.Parse("skip-nonfinite+global-norm:1")}");

// And it trains: the Trainer takes the object in place of a clipper name. Plain SGD at lr 1 explodes without clipping.
var settings = new TrainingConfig(SequenceLength: 20, Optimizer: "sgd", LearningRate: 1f, Steps: 500);
foreach (RunResult run in new[]
{
    Trainer.Run(settings with { Clip = "none" }),
    Trainer.Run(settings, new TrainingParts(Clipper: new TwiceTheAverage())),
    Trainer.Run(settings with { Clip = "global-norm:0.1" }),
})
{
    Console.WriteLine($"{run.Name,-18} {run.Verdict}; largest norm {run.MaxGradNorm:G3}, clipped {run.ClipFraction:P0} of steps, final test MSE {run.FinalTestLoss:G3}");
}

// A relative budget still lets every step be twice as long as the average one, which at lr 1 is enough to climb out of
// the valley; a fixed small threshold bounds the step itself. Try changing the factor 2 above, or the learning rate.

/// <summary>Caps the global norm at twice the running average of the norms it let through (after clipping, so an explosion cannot raise its own limit).</summary>
internal sealed class TwiceTheAverage : IGradientClipper
{
    private double _sum;
    private int _count;

    public ClipReport Clip(IReadOnlyList<Tensor> parameters)
    {
        float before = GradientNorms.Total(parameters);                  // the norm without clipping
        float limit = _count == 0 ? float.PositiveInfinity : (float)(2 * _sum / _count);
        float scale = before > limit ? limit / before : 1f;
        foreach (Tensor p in parameters)
        {
            for (int i = 0; i < p.Grad!.Length; i++)
            {
                p.Grad.Data[i] *= scale;                               // in place, like every stage
            }
        }

        (_sum, _count) = (_sum + (before * scale), _count + 1);
        return new ClipReport(before, before * scale, scale, SkipStep: false, PerParameter: []);
    }

    public override string ToString() => "twice-the-average";
}
