using MiniNet.Autograd;

namespace MiniNet.Clipping.Tests;

/// <summary>Seeded parameter sets with gradients, for property tests.</summary>
public static class Gradients
{
    public static Tensor[] RandomSet(int seed)
    {
        var random = new Random(seed);
        int count = random.Next(1, 6);
        var parameters = new Tensor[count];
        for (int k = 0; k < count; k++)
        {
            int[] shape = random.Next(3) switch
            {
                0 => [random.Next(1, 20)],
                1 => [random.Next(1, 8), random.Next(1, 8)],
                _ => [random.Next(1, 4), random.Next(1, 4), random.Next(1, 4)],
            };
            float scale = MathF.Pow(10f, random.Next(-3, 4)); // norms from tiny to huge
            parameters[k] = Tensor.RandomNormal(shape, seed * 31 + k, std: 1f, requiresGrad: true);
            parameters[k].Name = $"p{k}";
            parameters[k].Grad = Tensor.RandomNormal(shape, seed * 17 + k, std: scale);
        }

        return parameters;
    }

    public static float[] Flatten(IEnumerable<Tensor> parameters) => parameters.SelectMany(p => p.Grad!.Data).ToArray();

    public static Tensor[] WithGradients(params float[][] gradients) => gradients.Select((g, i) =>
    {
        Tensor p = Tensor.Zeros([g.Length], requiresGrad: true);
        p.Name = $"p{i}";
        p.Grad = Tensor.FromArray(g);
        return p;
    }).ToArray();
}
