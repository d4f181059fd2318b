using System.Collections.Concurrent;
using System.Diagnostics;

namespace MiniNet.Kernels;

/// <summary>
/// Whether the parallel kernels (large GEMMs, the recurrent layers' time loops) run on all cores or on the calling
/// thread alone: under <see cref="CoreUse.Measured"/>, every kind of parallel work (one product shape, one layer's time
/// loop) is timed both ways as it runs, and the process runs the way that is faster over all of them.
/// </summary>
/// <remarks>
/// <para>
/// Two cores are not always two cores' worth. On the shared 2-vCPU machines MiniNet is measured on, a loop of
/// independent FMAs on both vCPUs ran at twice the one-thread rate for stretches of seconds and then, for other
/// stretches, at the one-thread rate or below it (the two vCPUs then share one physical core). In those stretches the
/// recurrent layers' time loops split between the cores took 2–2.5× as long as in the others — longer than on one
/// thread — and a helper thread merely spinning for its next job took about 40 % of the caller's time.
/// </para>
/// <para>
/// The way the whole process runs is one decision, since the kinds of work share the helper threads: with any kind on
/// all cores, the helpers spin between jobs beside the kinds that are not. So the process runs its preferred way, and for
/// <see cref="ExploreCalls"/> of every <see cref="Period"/> parallel calls the other way (2 % of them), helpers
/// sent to sleep (<see cref="CoreTeam.Rest"/>) while that is one core. Each kind keeps a running mean of its time each
/// way, leaving out the first call after every switch (which wakes the helpers, or works beside them still spinning)
/// and the kind's own first calls (<see cref="WarmUpCalls"/>); after each exploring stretch the process prefers all
/// cores if, summed over the kinds measured both ways that ran in the last period (work the program no longer does has
/// no say), that is the faster — and leaves all cores only when one core was faster by a margin (<see cref="LeaveMargin"/>).
/// </para>
/// <para>
/// The choice never changes a number: every parallel kernel computes each output element the same way on one core or
/// several (the GEMM splits at whole micro-tiles, the time loops at whole batch rows).
/// </para>
/// </remarks>
internal sealed class CoreChoice
{
    /// <summary>
    /// Parallel calls between the starts of two exploring stretches: a prime, so that in a program whose every step makes
    /// the same few parallel calls, each stretch starts at a different one of them (the first call of a stretch is not timed).
    /// </summary>
    public const int Period = 251;

    /// <summary>
    /// Parallel calls of each exploring stretch, run the way not preferred: few enough that a benchmark repeating one
    /// product (one parallel call a repetition) has under half of a 15-repetition median in a stretch.
    /// </summary>
    public const int ExploreCalls = 5;

    /// <summary>
    /// How much faster one core must have been, summed over the kinds, for the process to leave all cores: their time
    /// over one core's above this. Going back takes only all cores being as fast.
    /// </summary>
    /// <remarks>
    /// Without a margin a close call flipped the process on noise: the few calls of an exploring stretch fall on one or two
    /// kinds, and decide the next period for all. In the benchmark's workload table, one core won by 5–7 % at the
    /// adding-RNN workload in two of three runs (its all-cores means still carrying the kinds' first, compiling calls,
    /// see <see cref="WarmUpCalls"/>), and the next 246 parallel calls — all of the GRU's and the bptt-t1000's — ran on
    /// one core, 1.4× and 1.7× as long. With the warm-up left out, the same stretches gave one core 1.3–2.3× the time
    /// of all cores (four runs). When the two vCPUs share one physical core, all cores take 2–2.5× as long as one, far
    /// past the margin.
    /// </remarks>
    public const double LeaveMargin = 1.25;

    /// <summary>
    /// A kind's first calls, which are not timed: the first compiles its code (every method fully optimized at first call
    /// when tiered compilation is off) and touches its buffers, which took as long as tens of later calls, and at a
    /// weight of 0.3 the running mean still carried an eighth of that excess six calls on.
    /// </summary>
    public const int WarmUpCalls = 2;

    private const int MaxKinds = 4096;      // kinds kept before the table starts over (shapes a program uses are few)
    private const double Weight = 0.3;      // the weight of a new time in a kind's running mean

    private static readonly ConcurrentDictionary<(string Work, long Shape), CoreChoice> Kinds = new();
    private static int s_calls;                          // parallel calls so far, every kind
    private static volatile bool s_allCoresPreferred = true;

    private double _allCores = double.NaN, _oneCore = double.NaN;   // running mean of Stopwatch ticks per call, each way
    private int _call;                                              // the global number of this kind's latest call
    private int _recorded;                                          // calls ended so far, the untimed ones too

    /// <summary>Whether the process now prefers all cores (the way it runs outside exploring stretches).</summary>
    public static bool AllCoresPreferred => s_allCoresPreferred;

    /// <summary>The choice for <paramref name="work"/> (a name for the call site) of size <paramref name="shape"/> (its sizes, packed into one number).</summary>
    public static CoreChoice For(string work, long shape)
    {
        if (Kinds.TryGetValue((work, shape), out CoreChoice? choice))
        {
            return choice;
        }

        if (Kinds.Count >= MaxKinds)
        {
            Kinds.Clear();   // a program that keeps changing its shapes starts measuring afresh
        }

        return Kinds.GetOrAdd((work, shape), _ => new CoreChoice());
    }

    /// <summary>
    /// Starts one call of <paramref name="work"/> of size <paramref name="shape"/>: says which way it runs and, disposed
    /// when the work is done, records how long it took. <c>using CoreChoice.Call call = CoreChoice.Start(...)</c>, then
    /// <c>if (call.AllCores)</c>.
    /// </summary>
    public static Call Start(string work, long shape)
    {
        CoreChoice kind = For(work, shape);
        return new Call(kind, kind.UseAllCores(), Stopwatch.GetTimestamp());
    }

    /// <summary>Packs up to four sizes below 2¹⁶ (larger ones wrap, which only merges two kinds' timings) into a shape key.</summary>
    public static long Shape(int a, int b = 0, int c = 0, int d = 0) =>
        ((long)(ushort)a << 48) | ((long)(ushort)b << 32) | ((long)(ushort)c << 16) | (ushort)d;

    /// <summary>Whether this call should run on all cores (under <see cref="KernelOptions.Cores"/>); pass the answer to <see cref="Record"/> afterwards.</summary>
    public bool UseAllCores()
    {
        CoreUse use = KernelOptions.Current.Cores;
        if (use != CoreUse.Measured)
        {
            return use == CoreUse.All;
        }

        int call = Interlocked.Increment(ref s_calls);
        int phase = call % Period;
        if (phase == 0)
        {
            Decide();   // an exploring stretch has just ended
        }

        bool allCores = phase >= Period - ExploreCalls ? !s_allCoresPreferred : s_allCoresPreferred;
        if (!allCores)
        {
            CoreTeam.Rest();   // no helper spins beside a caller working alone
        }

        Volatile.Write(ref _call, call);
        return allCores;
    }

    /// <summary>Records how long a call that <see cref="UseAllCores"/> sent one way took, from <paramref name="startTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>) to now.</summary>
    public void Record(bool allCores, long startTimestamp)
    {
        int phase = Volatile.Read(ref _call) % Period;
        if (Interlocked.Increment(ref _recorded) <= WarmUpCalls
            || KernelOptions.Current.Cores != CoreUse.Measured || phase == 0 || phase == Period - ExploreCalls)
        {
            return;   // fixed choices keep no times; the first call after a switch pays for the switch, a kind's first calls for their start
        }

        double ticks = Stopwatch.GetTimestamp() - startTimestamp;
        ref double mean = ref allCores ? ref _allCores : ref _oneCore;
        Volatile.Write(ref mean, double.IsNaN(mean) ? ticks : mean + (Weight * (ticks - mean)));
    }

    /// <summary>The running mean times, in Stopwatch ticks (NaN until measured), for tests and diagnostics.</summary>
    public (double AllCores, double OneCore) Means => (Volatile.Read(ref _allCores), Volatile.Read(ref _oneCore));

    /// <summary>One call begun by <see cref="Start"/>: the way it runs, and its timing, recorded on <see cref="Dispose"/>.</summary>
    public readonly struct Call : IDisposable
    {
        private readonly CoreChoice? _kind;
        private readonly long _start;

        internal Call(CoreChoice kind, bool allCores, long start) => (_kind, AllCores, _start) = (kind, allCores, start);

        /// <summary>A call that is never split and keeps no time: for work too small to share (<c>default</c> is the same).</summary>
        public static Call OneCoreUntimed => default;

        /// <summary>Whether this call runs on all cores.</summary>
        public bool AllCores { get; }

        /// <summary>Records the call's time (nothing for <see cref="OneCoreUntimed"/>).</summary>
        public void Dispose() => _kind?.Record(AllCores, _start);
    }

    /// <summary>
    /// Prefers all cores unless, summed over the kinds timed both ways and run in the last period, one core was the
    /// faster: by <see cref="LeaveMargin"/> to leave all cores, by any amount to stay on one.
    /// </summary>
    private static void Decide()
    {
        double allCores = 0, oneCore = 0;
        int now = Volatile.Read(ref s_calls);
        foreach (CoreChoice kind in Kinds.Values)
        {
            (double all, double one) = kind.Means;
            if (!double.IsNaN(all) && !double.IsNaN(one) && now - Volatile.Read(ref kind._call) < Period)
            {
                (allCores, oneCore) = (allCores + all, oneCore + one);
            }
        }

        s_allCoresPreferred = allCores <= oneCore * (s_allCoresPreferred ? LeaveMargin : 1);
    }
}
