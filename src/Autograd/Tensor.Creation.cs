using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;

namespace MiniNet.Autograd;

public sealed partial class Tensor
{
    /// <summary>A tensor of zeros.</summary>
    /// <param name="shape">The size of each dimension; empty for a scalar.</param>
    /// <param name="requiresGrad">Whether gradients flow to it (true for parameters).</param>
    /// <returns>The new tensor.</returns>
    public static Tensor Zeros(IReadOnlyList<int> shape, bool requiresGrad = false) => Full(shape, 0f, requiresGrad);

    /// <summary>A tensor of ones.</summary>
    /// <param name="shape">The size of each dimension; empty for a scalar.</param>
    /// <param name="requiresGrad">Whether gradients flow to it.</param>
    /// <returns>The new tensor.</returns>
    public static Tensor Ones(IReadOnlyList<int> shape, bool requiresGrad = false) => Full(shape, 1f, requiresGrad);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    /// <param name="shape">The size of each dimension; empty for a scalar.</param>
    /// <param name="value">The fill value.</param>
    /// <param name="requiresGrad">Whether gradients flow to it.</param>
    /// <returns>The new tensor.</returns>
    public static Tensor Full(IReadOnlyList<int> shape, float value, bool requiresGrad = false)
    {
        int[] dims = CopyShape(shape);
        var data = new float[ShapeText.Size(dims)];
        if (value != 0f)
        {
            Array.Fill(data, value);
        }

        return new Tensor(data, dims, requiresGrad);
    }

    /// <summary>
    /// A tensor over <paramref name="data"/> itself, without a copy (like <c>torch.from_numpy</c>): for a buffer a kernel
    /// or a custom op has just filled. The tensor owns the array from then on; do not change it or use it elsewhere.
    /// </summary>
    /// <param name="data">The elements; their count must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The size of each dimension; empty for a scalar.</param>
    /// <returns>The new tensor (it requires no gradient).</returns>
    public static Tensor FromBuffer(float[] data, IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        int[] dims = CopyShape(shape);
        if (data.Length != ShapeText.Size(dims))
        {
            throw new ArgumentException(
                $"FromBuffer: {data.Length} elements cannot have shape {ShapeText.Format(dims)}, which holds {ShapeText.Size(dims)}.", nameof(data));
        }

        return new Tensor(data, dims, requiresGrad: false);
    }

    /// <summary>A tensor holding a copy of <paramref name="data"/>, read in row-major order.</summary>
    /// <param name="data">The elements; their count must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The size of each dimension; empty for a scalar.</param>
    /// <param name="requiresGrad">Whether gradients flow to it.</param>
    /// <returns>The new tensor.</returns>
    /// <exception cref="ArgumentException">The data length does not match the shape.</exception>
    public static Tensor FromArray(float[] data, IReadOnlyList<int> shape, bool requiresGrad = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        int[] dims = CopyShape(shape);
        int size = ShapeText.Size(dims);
        if (data.Length != size)
        {
            throw new ArgumentException(
                $"FromArray got {data.Length} values for shape {ShapeText.Format(dims)}, which holds {size}; " +
                "pass exactly as many values as the product of the shape.", nameof(data));
        }

        return new Tensor((float[])data.Clone(), dims, requiresGrad);
    }

    /// <summary>A one-dimensional tensor holding a copy of <paramref name="data"/>.</summary>
    /// <param name="data">The elements.</param>
    /// <param name="requiresGrad">Whether gradients flow to it.</param>
    /// <returns>The new tensor of shape [data.Length].</returns>
    public static Tensor FromArray(float[] data, bool requiresGrad = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromArray(data, [data.Length], requiresGrad);
    }

    /// <summary>A scalar (shape []) tensor.</summary>
    /// <param name="value">Its value.</param>
    /// <param name="requiresGrad">Whether gradients flow to it.</param>
    /// <returns>The new tensor.</returns>
    public static Tensor Scalar(float value, bool requiresGrad = false) => new([value], [], requiresGrad);

    /// <summary>A tensor of independent normal samples, reproducible from <paramref name="seed"/>.</summary>
    /// <param name="shape">The size of each dimension.</param>
    /// <param name="seed">The random seed (Mersenne Twister).</param>
    /// <param name="mean">The distribution's mean.</param>
    /// <param name="std">The distribution's standard deviation (positive).</param>
    /// <param name="requiresGrad">Whether gradients flow to it.</param>
    /// <returns>The new tensor.</returns>
    public static Tensor RandomNormal(IReadOnlyList<int> shape, int seed, float mean = 0f, float std = 1f, bool requiresGrad = false) =>
        RandomNormal(shape, new MersenneTwister(seed), mean, std, requiresGrad);

    /// <summary>A tensor of independent normal samples drawn from <paramref name="random"/>.</summary>
    /// <param name="shape">The size of each dimension.</param>
    /// <param name="random">The generator; share one to draw several tensors from one seeded stream.</param>
    /// <param name="mean">The distribution's mean.</param>
    /// <param name="std">The distribution's standard deviation (positive).</param>
    /// <param name="requiresGrad">Whether gradients flow to it.</param>
    /// <returns>The new tensor.</returns>
    public static Tensor RandomNormal(IReadOnlyList<int> shape, Random random, float mean = 0f, float std = 1f, bool requiresGrad = false)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(std > 0f) || !float.IsFinite(std) || !float.IsFinite(mean))
        {
            throw new ArgumentOutOfRangeException(nameof(std), $"RandomNormal needs a finite mean and a positive, finite std; got mean {mean}, std {std}.");
        }

        int[] dims = CopyShape(shape);
        var samples = new double[ShapeText.Size(dims)];
        Normal.Samples(random, samples, mean, std);
        return new Tensor(ToSingle(samples), dims, requiresGrad);
    }

    /// <summary>A tensor of independent samples from U(<paramref name="low"/>, <paramref name="high"/>), reproducible from <paramref name="seed"/>.</summary>
    /// <param name="shape">The size of each dimension.</param>
    /// <param name="seed">The random seed (Mersenne Twister).</param>
    /// <param name="low">The lower bound.</param>
    /// <param name="high">The upper bound (greater than <paramref name="low"/>).</param>
    /// <param name="requiresGrad">Whether gradients flow to it.</param>
    /// <returns>The new tensor.</returns>
    public static Tensor RandomUniform(IReadOnlyList<int> shape, int seed, float low = 0f, float high = 1f, bool requiresGrad = false) =>
        RandomUniform(shape, new MersenneTwister(seed), low, high, requiresGrad);

    /// <summary>A tensor of independent samples from U(<paramref name="low"/>, <paramref name="high"/>) drawn from <paramref name="random"/>.</summary>
    /// <param name="shape">The size of each dimension.</param>
    /// <param name="random">The generator; share one to draw several tensors from one seeded stream.</param>
    /// <param name="low">The lower bound.</param>
    /// <param name="high">The upper bound (greater than <paramref name="low"/>).</param>
    /// <param name="requiresGrad">Whether gradients flow to it.</param>
    /// <returns>The new tensor.</returns>
    public static Tensor RandomUniform(IReadOnlyList<int> shape, Random random, float low = 0f, float high = 1f, bool requiresGrad = false)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(high > low) || !float.IsFinite(low) || !float.IsFinite(high))
        {
            throw new ArgumentOutOfRangeException(nameof(high), $"RandomUniform needs finite bounds with low < high; got low {low}, high {high}.");
        }

        int[] dims = CopyShape(shape);
        var samples = new double[ShapeText.Size(dims)];
        ContinuousUniform.Samples(random, samples, low, high);
        return new Tensor(ToSingle(samples), dims, requiresGrad);
    }

    private static int[] CopyShape(IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var dims = new int[shape.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = shape[i];
        }

        ShapeText.Size(dims);
        return dims;
    }

    private static float[] ToSingle(double[] values)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = (float)values[i];
        }

        return result;
    }
}
