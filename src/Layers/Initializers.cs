using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Random;
using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>
/// Weight initializers that fill a tensor in place, following <c>torch.nn.init</c>, plus the shared
/// default generator that layers draw from when given none.
/// </summary>
/// <remarks>
/// Fans of a weight [out, in, k…]: fan_in = in·Πk, fan_out = out·Πk. Gains: linear/sigmoid 1,
/// tanh 5/3, relu √2, leaky_relu(a) √(2/(1 + a²)).
/// </remarks>
public static class Initializers
{
    /// <summary>The generator layers use when none is passed; reseed it with <see cref="ManualSeed"/>.</summary>
    public static Random Generator { get; private set; } = new MersenneTwister(0);

    /// <summary>Reseeds <see cref="Generator"/> so that models built afterwards are reproducible (like <c>torch.manual_seed</c>).</summary>
    /// <param name="seed">The seed.</param>
    public static void ManualSeed(int seed) => Generator = new MersenneTwister(seed);

    /// <summary>Fills with U(low, high).</summary>
    /// <param name="tensor">The tensor to fill.</param>
    /// <param name="low">The lower bound.</param>
    /// <param name="high">The upper bound.</param>
    /// <param name="random">The generator; <see cref="Generator"/> when null.</param>
    public static void Uniform(Tensor tensor, float low, float high, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!(high >= low) || !float.IsFinite(low) || !float.IsFinite(high))
        {
            throw new ArgumentOutOfRangeException(nameof(high), $"Uniform needs finite bounds with low ≤ high; got [{low}, {high}].");
        }

        var samples = new double[tensor.Length];
        if (high > low)
        {
            ContinuousUniform.Samples(random ?? Generator, samples, low, high);
        }
        else
        {
            Array.Fill(samples, low);
        }

        Copy(samples, tensor);
    }

    /// <summary>Fills with N(mean, std²).</summary>
    /// <param name="tensor">The tensor to fill.</param>
    /// <param name="mean">The mean.</param>
    /// <param name="std">The standard deviation (positive).</param>
    /// <param name="random">The generator; <see cref="Generator"/> when null.</param>
    public static void Normal(Tensor tensor, float mean, float std, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!(std > 0f) || !float.IsFinite(std))
        {
            throw new ArgumentOutOfRangeException(nameof(std), $"Normal needs a positive, finite std; got {std}.");
        }

        var samples = new double[tensor.Length];
        MathNet.Numerics.Distributions.Normal.Samples(random ?? Generator, samples, mean, std);
        Copy(samples, tensor);
    }

    /// <summary>Fills with zeros.</summary>
    /// <param name="tensor">The tensor to fill.</param>
    public static void Zeros(Tensor tensor) => Constant(tensor, 0f);

    /// <summary>Fills with one value.</summary>
    /// <param name="tensor">The tensor to fill.</param>
    /// <param name="value">The value.</param>
    public static void Constant(Tensor tensor, float value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Array.Fill(tensor.Data, value);
    }

    /// <summary>Xavier/Glorot uniform: U(−b, b) with b = gain·√(6 / (fan_in + fan_out)) (Glorot &amp; Bengio 2010).</summary>
    /// <param name="tensor">A weight of rank ≥ 2.</param>
    /// <param name="gain">The scale for the nonlinearity that follows (see <see cref="Gain"/>).</param>
    /// <param name="random">The generator; <see cref="Generator"/> when null.</param>
    public static void XavierUniform(Tensor tensor, float gain = 1f, Random? random = null)
    {
        (int fanIn, int fanOut) = Fans(tensor, nameof(XavierUniform));
        float bound = gain * MathF.Sqrt(6f / (fanIn + fanOut));
        Uniform(tensor, -bound, bound, random);
    }

    /// <summary>Xavier/Glorot normal: N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out)).</summary>
    /// <param name="tensor">A weight of rank ≥ 2.</param>
    /// <param name="gain">The scale for the nonlinearity that follows.</param>
    /// <param name="random">The generator; <see cref="Generator"/> when null.</param>
    public static void XavierNormal(Tensor tensor, float gain = 1f, Random? random = null)
    {
        (int fanIn, int fanOut) = Fans(tensor, nameof(XavierNormal));
        Normal(tensor, 0f, gain * MathF.Sqrt(2f / (fanIn + fanOut)), random);
    }

    /// <summary>Kaiming/He uniform: U(−b, b) with b = gain·√(3 / fan), gain = √(2 / (1 + a²)) (He et al. 2015).</summary>
    /// <param name="tensor">A weight of rank ≥ 2.</param>
    /// <param name="a">The negative slope of the leaky ReLU that follows (0 for ReLU; √5 reproduces PyTorch's Linear default).</param>
    /// <param name="fanOut">Use fan_out instead of fan_in (preserves gradient rather than activation variance).</param>
    /// <param name="random">The generator; <see cref="Generator"/> when null.</param>
    public static void KaimingUniform(Tensor tensor, float a = 0f, bool fanOut = false, Random? random = null)
    {
        (int fanIn, int fanOutCount) = Fans(tensor, nameof(KaimingUniform));
        float gain = MathF.Sqrt(2f / (1f + (a * a)));
        float bound = gain * MathF.Sqrt(3f / (fanOut ? fanOutCount : fanIn));
        Uniform(tensor, -bound, bound, random);
    }

    /// <summary>Kaiming/He normal: N(0, σ²) with σ = gain / √fan, gain = √(2 / (1 + a²)).</summary>
    /// <param name="tensor">A weight of rank ≥ 2.</param>
    /// <param name="a">The negative slope of the leaky ReLU that follows (0 for ReLU).</param>
    /// <param name="fanOut">Use fan_out instead of fan_in.</param>
    /// <param name="random">The generator; <see cref="Generator"/> when null.</param>
    public static void KaimingNormal(Tensor tensor, float a = 0f, bool fanOut = false, Random? random = null)
    {
        (int fanIn, int fanOutCount) = Fans(tensor, nameof(KaimingNormal));
        float gain = MathF.Sqrt(2f / (1f + (a * a)));
        Normal(tensor, 0f, gain / MathF.Sqrt(fanOut ? fanOutCount : fanIn), random);
    }

    /// <summary>
    /// A (semi-)orthogonal matrix times <paramref name="gain"/> (Saxe et al. 2013): the Q of the QR
    /// decomposition of a Gaussian matrix, with signs fixed by R's diagonal so Q is uniformly distributed.
    /// </summary>
    /// <remarks>A weight [rows, cols…] is flattened to [rows, Πcols]; rows ≤ cols gives W·Wᵀ = gain²·I, otherwise Wᵀ·W = gain²·I.</remarks>
    /// <param name="tensor">A weight of rank ≥ 2.</param>
    /// <param name="gain">The scale.</param>
    /// <param name="random">The generator; <see cref="Generator"/> when null.</param>
    public static void Orthogonal(Tensor tensor, float gain = 1f, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Rank < 2)
        {
            throw new ArgumentException($"Orthogonal needs a weight of rank 2 or more, but got shape {LayerInput.Format(tensor.Shape)}.", nameof(tensor));
        }

        int rows = tensor.Shape[0];
        int cols = tensor.Length / rows;
        bool transpose = rows < cols;
        int tall = Math.Max(rows, cols);
        int wide = Math.Min(rows, cols);
        var gaussian = new double[tall * wide];
        MathNet.Numerics.Distributions.Normal.Samples(random ?? Generator, gaussian, 0, 1);
        Matrix<double> g = Matrix<double>.Build.Dense(tall, wide, gaussian);
        var qr = g.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin);
        Matrix<double> q = qr.Q;
        for (int j = 0; j < wide; j++)
        {
            if (qr.R[j, j] < 0)
            {
                q.SetColumn(j, q.Column(j).Negate());
            }
        }

        if (transpose)
        {
            q = q.Transpose();
        }

        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                tensor.Data[(i * cols) + j] = (float)(gain * q[i, j]);
            }
        }
    }

    /// <summary>The recommended gain for a nonlinearity, as <c>torch.nn.init.calculate_gain</c>.</summary>
    /// <param name="nonlinearity">linear, sigmoid, tanh, relu or leaky_relu.</param>
    /// <param name="negativeSlope">The slope for leaky_relu.</param>
    /// <returns>The gain.</returns>
    public static float Gain(string nonlinearity, float negativeSlope = 0.01f) => nonlinearity switch
    {
        "linear" or "sigmoid" => 1f,
        "tanh" => 5f / 3f,
        "relu" => MathF.Sqrt(2f),
        "leaky_relu" => MathF.Sqrt(2f / (1f + (negativeSlope * negativeSlope))),
        _ => throw new ArgumentException($"Unknown nonlinearity '{nonlinearity}'; use linear, sigmoid, tanh, relu or leaky_relu.", nameof(nonlinearity)),
    };

    private static (int FanIn, int FanOut) Fans(Tensor tensor, string initializer)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Rank < 2)
        {
            throw new ArgumentException(
                $"{initializer} needs a weight of rank 2 or more to know its fans, but got shape {LayerInput.Format(tensor.Shape)}; " +
                "initialize biases with Uniform, Normal, Zeros or Constant.", nameof(tensor));
        }

        int receptive = tensor.Length / (tensor.Shape[0] * tensor.Shape[1]);
        return (tensor.Shape[1] * receptive, tensor.Shape[0] * receptive);
    }

    private static void Copy(double[] samples, Tensor tensor)
    {
        for (int i = 0; i < samples.Length; i++)
        {
            tensor.Data[i] = (float)samples[i];
        }
    }
}
