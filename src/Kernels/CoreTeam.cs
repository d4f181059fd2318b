using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace MiniNet.Kernels;

/// <summary>
/// Runs a loop body once per core, the calling thread taking index 0 and one long-lived helper thread per other core
/// the rest; between calls the helpers spin for a moment before they sleep, so the next call finds them awake.
/// </summary>
/// <remarks>
/// <para>
/// The parallel products come in quick succession (a training step runs a dozen of them, 0.1–5 ms each). Through
/// <see cref="Parallel.For(int, int, Action{int})"/>, each call woke a thread-pool thread, and a sub-millisecond GEMM spent
/// a large share of its time waiting for it: on a 2-vCPU machine the 128×256×1024 product's median was 0.6–0.9 ms
/// against a best case of 0.33, with 25,000–50,000 context switches a second. OpenMP runtimes (MKL's, OpenBLAS's) keep
/// their threads spinning for the same reason.
/// </para>
/// <para>
/// One caller at a time has the team; a second thread calling meanwhile, or a body calling <see cref="For"/> itself,
/// gets <see cref="Parallel.For(int, int, Action{int})"/> instead, so nothing waits on a busy helper. An exception in
/// any body is rethrown on the calling thread once every body has finished.
/// </para>
/// </remarks>
internal static class CoreTeam
{
    /// <summary>How long a helper spins for the next job before it sleeps.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 500;   // 2 ms

    private static readonly Lock Starting = new();
    private static Helper[]? s_helpers;
    private static int s_busy;
    private static long s_calls, s_wallTicks, s_coreTicks, s_waitTicks;   // see Totals; written only by the caller holding the team

    /// <summary>Calls <paramref name="body"/>(i) for i in [0, <paramref name="count"/>), each on its own core at once.</summary>
    /// <param name="count">How many bodies; at most <see cref="Environment.ProcessorCount"/> run on the team, more go to the thread pool.</param>
    /// <param name="body">The work of index i; it may run on any thread.</param>
    public static void For(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (count <= 1)
        {
            if (count == 1)
            {
                body(0);
            }

            return;
        }

        if (count > Environment.ProcessorCount || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            try
            {
                Parallel.For(0, count, body);
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);   // the same exception the team would rethrow
            }

            return;
        }

        try
        {
            Helper[] helpers = Helpers();
            for (int i = 1; i < count; i++)
            {
                helpers[i - 1].Start(body, i);
            }

            Exception? failure = null;
            long start = Stopwatch.GetTimestamp();
            try
            {
                body(0);
            }
            catch (Exception e)
            {
                failure = e;
            }

            long callerEnd = Stopwatch.GetTimestamp();
            for (int i = 1; i < count; i++)
            {
                Exception? error = helpers[i - 1].Finish();   // every helper is waited for, whatever failed before
                failure ??= error;
            }

            Account(helpers, count, start, callerEnd);

            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>
    /// What the team's calls have cost since the process started: how many there were, the core time they held (the
    /// cores of each call times its wall time, from the caller's start to the last body's end) and how much of that the
    /// cores spent done and waiting for the last body to end. Read it before and after some work and subtract
    /// (<see cref="Balance.Since"/>); the benchmark prints the waiting share per workload.
    /// </summary>
    /// <remarks>
    /// The bodies of a call are equal shares of the work (the time loops' batch blocks, the GEMM's rows or panels), so the
    /// waiting is what the cores' different speeds cost: on the shared 2-vCPU machines MiniNet is measured on, one vCPU
    /// ran the GEMM's micro-kernel (16×129×512 and 16×288×1024 on each at once) at 87–94 % of one thread's FMA peak while
    /// the other ran it at 61–71 %, which one changing from second to second; the same product on one thread pinned to
    /// either vCPU moved between the two rates too.
    /// </remarks>
    public static Balance Totals => new(Volatile.Read(ref s_calls), Volatile.Read(ref s_wallTicks), Volatile.Read(ref s_coreTicks), Volatile.Read(ref s_waitTicks));

    /// <summary>
    /// Sends helpers that are spinning for the next job to sleep now instead of after their 2 ms: called when the work
    /// at hand runs on the calling thread alone, since a helper spinning on a vCPU that shares the caller's physical core
    /// takes a share of that core (<see cref="CoreChoice"/>). The next <see cref="For"/> wakes them.
    /// </summary>
    public static void Rest()
    {
        if (Volatile.Read(ref s_helpers) is Helper[] helpers)
        {
            foreach (Helper helper in helpers)
            {
                helper.Rest();
            }
        }
    }

    private static Helper[] Helpers()
    {
        if (Volatile.Read(ref s_helpers) is Helper[] ready)
        {
            return ready;
        }

        lock (Starting)
        {
            s_helpers ??= [.. Enumerable.Range(1, Math.Max(1, Environment.ProcessorCount - 1)).Select(i => new Helper(i))];
            return s_helpers;
        }
    }

    /// <summary>Adds one call to <see cref="Totals"/>: its bodies ended at the caller's <paramref name="callerEnd"/> and the helpers' own ends.</summary>
    private static void Account(Helper[] helpers, int count, long start, long callerEnd)
    {
        long last = callerEnd, ends = callerEnd;
        for (int i = 1; i < count; i++)
        {
            last = Math.Max(last, helpers[i - 1].Ended);
            ends += helpers[i - 1].Ended;
        }

        long waiting = (count * last) - ends;   // Σ over the bodies of (last end − its end)

        Volatile.Write(ref s_calls, s_calls + 1);
        Volatile.Write(ref s_wallTicks, s_wallTicks + (last - start));
        Volatile.Write(ref s_coreTicks, s_coreTicks + (count * (last - start)));
        Volatile.Write(ref s_waitTicks, s_waitTicks + waiting);
    }

    /// <summary>The team's running totals (<see cref="Totals"/>), in Stopwatch ticks.</summary>
    /// <param name="Calls">Calls that ran on the team.</param>
    /// <param name="WallTicks">Their wall time, from the caller's start to the last body's end.</param>
    /// <param name="CoreTicks">Their core time: the cores of each call times its wall time.</param>
    /// <param name="WaitTicks">The part of it the cores spent done, waiting for the call's last body.</param>
    internal readonly record struct Balance(long Calls, long WallTicks, long CoreTicks, long WaitTicks)
    {
        /// <summary>The share of the core time spent waiting, 0 to 1 (0 when no call ran).</summary>
        public double WaitingShare => CoreTicks > 0 ? (double)WaitTicks / CoreTicks : 0;

        /// <summary>The totals of the calls made since <paramref name="earlier"/> was read.</summary>
        public Balance Since(Balance earlier) =>
            new(Calls - earlier.Calls, WallTicks - earlier.WallTicks, CoreTicks - earlier.CoreTicks, WaitTicks - earlier.WaitTicks);
    }

    /// <summary>One helper thread: waits for a job (spinning, then sleeping), runs it, says it is done.</summary>
    private sealed class Helper
    {
        private readonly SemaphoreSlim _wake = new(0);
        private Action<int>? _body;
        private int _index;
        private Exception? _error;
        private volatile bool _done = true;
        private volatile bool _sleeping;
        private volatile bool _rest;

        public Helper(int number)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"MiniNet core {number}" };
            thread.Start();
        }

        /// <summary>Hands the helper body(index).</summary>
        public void Start(Action<int> body, int index)
        {
            _index = index;
            _error = null;
            _done = false;
            _rest = false;
            Interlocked.Exchange(ref _body, body);   // a full fence: the helper reads _index after it sees _body
            if (_sleeping)
            {
                _wake.Release();   // at worst one spare wake-up, which only costs the helper a look
            }
        }

        /// <summary>When the last job's body returned (a Stopwatch timestamp); read after <see cref="Finish"/>.</summary>
        public long Ended { get; private set; }

        /// <summary>Ends the helper's spinning for the next job: it sleeps until <see cref="Start"/> wakes it.</summary>
        public void Rest() => _rest = true;

        /// <summary>Waits for the job to end.</summary>
        /// <returns>What it threw, or null.</returns>
        public Exception? Finish()
        {
            var spinner = default(SpinWait);
            while (!_done)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            return _error;
        }

        private void Loop()
        {
            while (true)
            {
                Action<int> body = Next();
                try
                {
                    body(_index);
                }
                catch (Exception e)
                {
                    _error = e;
                }

                Ended = Stopwatch.GetTimestamp();
                Volatile.Write(ref _body, null);
                _done = true;   // a volatile write: the caller that sees it sees Ended too
            }
        }

        private Action<int> Next()
        {
            long until = Stopwatch.GetTimestamp() + SpinTicks;
            while (true)
            {
                if (Volatile.Read(ref _body) is Action<int> body)
                {
                    return body;
                }

                if (!_rest && Stopwatch.GetTimestamp() < until)
                {
                    Thread.SpinWait(30);
                    continue;
                }

                // Dekker with Start: each side writes its flag, fences, then reads the other's, so at least one sees both.
                _sleeping = true;
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _body) is null)
                {
                    _wake.Wait();
                }

                _sleeping = false;
                _rest = false;
                until = Stopwatch.GetTimestamp() + SpinTicks;
            }
        }
    }
}
