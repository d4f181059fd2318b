// Writing your own clipper: one class, one method. Run: dotnet run --project examples/CustomClipper
using MiniNet.Autograd;
using MiniNet.Clipping;
using MiniNet.Training;

// A clipper with a budget: it allows the global norm to be at most twice the average of the norms seen so far.
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
Console.WriteLine($"chained: {chain}; built-ins parse from text too: {ClipperSpec.Parse("skip-nonfinite+global-norm:1")}");

/// <summary>Caps the global norm at twice the running average of the norms seen before.</summary>
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

        (_sum, _count) = (_sum + before, _count + 1);
        return new ClipReport(before, before * scale, scale, SkipStep: false, PerParameter: []);
    }

    public override string ToString() => "twice-the-average";
}
