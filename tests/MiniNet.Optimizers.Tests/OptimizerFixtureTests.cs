using System.Text.Json;
using MiniNet.Autograd;
using MiniNet.Optimizers;
using Xunit;

namespace MiniNet.Optimizers.Tests;

/// <summary>Every optimizer with every option follows PyTorch's trajectory: parameters within 1e-5 relative at steps 1, 10 and 50.</summary>
public sealed class OptimizerFixtureTests
{
    public static TheoryData<string> Cases() => new(OptimizerFixtures.Names("optimizer"));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Trajectory_matches_PyTorch(string name)
    {
        JsonElement c = OptimizerFixtures.Cases[name];
        Tensor[] parameters = OptimizerFixtures.Parameters(c);
        Tensor[] a = c.GetProperty("a").EnumerateArray().Select(e => OptimizerFixtures.ReadTensor(e)).ToArray();
        Tensor[] b = c.GetProperty("b").EnumerateArray().Select(e => OptimizerFixtures.ReadTensor(e)).ToArray();
        Optimizer optimizer = OptimizerFixtures.Create(c, parameters);

        for (int step = 1; step <= 50; step++)
        {
            optimizer.ZeroGrad();
            OptimizerFixtures.SetGradients(parameters, a, b);
            optimizer.Step();
            if (c.GetProperty("snapshots").TryGetProperty(step.ToString(System.Globalization.CultureInfo.InvariantCulture), out JsonElement snapshot))
            {
                Tensor[] expected = snapshot.EnumerateArray().Select(e => OptimizerFixtures.ReadTensor(e)).ToArray();
                for (int k = 0; k < parameters.Length; k++)
                {
                    for (int i = 0; i < expected[k].Length; i++)
                    {
                        float actual = parameters[k].Data[i];
                        float want = expected[k].Data[i];
                        float allowed = 1e-6f + (1e-5f * MathF.Abs(want));
                        if (!(MathF.Abs(actual - want) <= allowed))
                        {
                            throw new Xunit.Sdk.XunitException($"{name}: after step {step}, p{k}[{i}] is {actual:G9}, PyTorch has {want:G9}.");
                        }
                    }
                }
            }
        }
    }
}
