using FluentAssertions;
using MiniNet.Autograd;

namespace MiniNet.Tests;

/// <summary>Elementwise closeness in the sense of torch.allclose: |a − e| ≤ atol + rtol·|e| (shared by the test projects).</summary>
public static class Close
{
    public static void Assert(Tensor actual, Tensor expected, float rtol, float atol, string what)
    {
        actual.Shape.Should().Equal(expected.Shape, $"{what} must have PyTorch's shape");
        for (int i = 0; i < expected.Length; i++)
        {
            float a = actual.Data[i];
            float e = expected.Data[i];
            float allowed = atol + (rtol * MathF.Abs(e));
            if (!(MathF.Abs(a - e) <= allowed))
            {
                throw new Xunit.Sdk.XunitException(
                    $"{what}: element {i} is {a:G9}, expected {e:G9} (difference {MathF.Abs(a - e):G3}, allowed {allowed:G3}).");
            }
        }
    }
}
