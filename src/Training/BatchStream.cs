using MathNet.Numerics.Random;

namespace MiniNet.Training;

/// <summary>
/// The training batches of a run as a counter-based stream: the batch of step s (micro-batch m) is drawn from a generator
/// seeded by (seed, s, m) alone, so any step's batch can be drawn without drawing the ones before it.
/// </summary>
/// <remarks>
/// The stream's whole state is its position, the next step, which a checkpoint stores as <c>data.next_step</c>
/// (with <see cref="Name"/> as <c>data.generator</c>). Resuming at step 1,000,000 therefore costs what resuming at step 100 does:
/// nothing is replayed. The per-step seed mixes the three numbers with SplitMix64 (Steele, Lea &amp; Flood 2014) and seeds
/// a Mersenne Twister (MathNet.Numerics) for the batch.
/// </remarks>
public static class BatchStream
{
    /// <summary>The generator's name in checkpoints; a checkpoint naming another is refused.</summary>
    public const string Name = "mt19937-splitmix64(seed,step,micro)-v1";

    /// <summary>The generator for one micro-batch of one step.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="step">The step, from 1.</param>
    /// <param name="micro">The micro-batch within the step, from 0.</param>
    /// <returns>A generator seeded for exactly that batch.</returns>
    public static Random For(int seed, long step, int micro)
    {
        ulong x = Mix((ulong)(uint)seed ^ 0x5EED_0000_0000UL);
        x = Mix(x ^ (ulong)step);
        x = Mix(x ^ ((ulong)(uint)micro << 40));
        return new MersenneTwister((int)(x >> 33), threadSafe: false);
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
