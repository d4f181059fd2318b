using System.Numerics;
using System.Runtime.InteropServices;

namespace MiniNet.Optimizers;

/// <summary>The fused, vectorized Adam update shared by <see cref="Adam"/> and <see cref="AdamW"/>: one pass over p, g, m, v.</summary>
internal static class AdamKernel
{
    /// <summary>Coefficients of one step, computed in double as PyTorch does and rounded once.</summary>
    public readonly record struct Coefficients(float Beta1, float Beta2, float StepSize, float BiasCorrection2Sqrt, float Eps, float L2);

    public static Coefficients For(long step, float lr, float beta1, float beta2, float eps, float l2)
    {
        double correction1 = 1 - Math.Pow(beta1, step);
        double correction2 = 1 - Math.Pow(beta2, step);
        return new Coefficients(beta1, beta2, (float)(lr / correction1), (float)Math.Sqrt(correction2), eps, l2);
    }

    /// <summary>
    /// g' = g + l2·p; m ← β₁m + (1 − β₁)g'; v ← β₂v + (1 − β₂)g'²; (AMSGrad: v̂ ← max(v̂, v), use v̂);
    /// p ← p − stepSize · m / (√v / √(1 − β₂ᵗ) + ε).
    /// </summary>
    public static void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Span<float> vMax, in Coefficients c)
    {
        bool amsgrad = !vMax.IsEmpty;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            var b1 = new Vector<float>(c.Beta1);
            var b2 = new Vector<float>(c.Beta2);
            var oneMinusB1 = new Vector<float>(1f - c.Beta1);
            var oneMinusB2 = new Vector<float>(1f - c.Beta2);
            var negStep = new Vector<float>(-c.StepSize);
            var correction = new Vector<float>(c.BiasCorrection2Sqrt);
            var eps = new Vector<float>(c.Eps);
            var l2 = new Vector<float>(c.L2);
            Span<Vector<float>> pv = MemoryMarshal.Cast<float, Vector<float>>(p);
            ReadOnlySpan<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(g);
            Span<Vector<float>> mv = MemoryMarshal.Cast<float, Vector<float>>(m);
            Span<Vector<float>> vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            Span<Vector<float>> maxv = MemoryMarshal.Cast<float, Vector<float>>(vMax);
            for (int k = 0; k < pv.Length; k++)
            {
                Vector<float> grad = c.L2 != 0f ? gv[k] + (l2 * pv[k]) : gv[k];
                Vector<float> mk = (mv[k] * b1) + (grad * oneMinusB1);
                Vector<float> vk = (vv[k] * b2) + (grad * grad * oneMinusB2);
                mv[k] = mk;
                vv[k] = vk;
                if (amsgrad)
                {
                    vk = Vector.Max(maxv[k], vk);
                    maxv[k] = vk;
                }

                Vector<float> denom = (Vector.SquareRoot(vk) / correction) + eps;
                pv[k] += negStep * (mk / denom);
            }

            i = pv.Length * width;
        }

        for (; i < p.Length; i++)
        {
            float grad = c.L2 != 0f ? g[i] + (c.L2 * p[i]) : g[i];
            float mk = (m[i] * c.Beta1) + (grad * (1f - c.Beta1));
            float vk = (v[i] * c.Beta2) + (grad * grad * (1f - c.Beta2));
            m[i] = mk;
            v[i] = vk;
            if (amsgrad)
            {
                vk = MathF.Max(vMax[i], vk);
                vMax[i] = vk;
            }

            float denom = (MathF.Sqrt(vk) / c.BiasCorrection2Sqrt) + c.Eps;
            p[i] += -c.StepSize * (mk / denom);
        }
    }
}
