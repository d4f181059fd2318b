using MiniNet.Kernels;

namespace MiniNet.Layers;

/// <summary>
/// Runs a fused recurrent layer's time loop on every core at once, each core over its own block of batch rows: the
/// recurrence couples the steps of one sequence, never two sequences, so each block runs from the first step to the
/// last without waiting for the other — one synchronisation per loop instead of one per step.
/// </summary>
/// <remarks>
/// Splitting each step's product h_{t−1}·W_hhᵀ between the cores instead (what the GEMM does by itself for a large
/// product) costs a fork and a join every step, and leaves the cell math and the small products of short rows on one
/// core. A block is at least one short micro-tile of the GEMM, 4 rows at either width (4×16 at 256 bits, 4×32 at 512),
/// so that bptt-t1000's batch of 8 runs as two blocks of 4, each core multiplying by all of W (266 KB packed, which
/// stays in its L2) with no fork and join a step, and each doing its own rows' cell math, which had run on the calling
/// thread alone while the helper spun: the training step 0.77–0.78 as long on Zen 3 (AVX2), and on Zen 4 at 512 bits,
/// where the block had been a whole 8-row tile until the 4×32 one came, 0.79–0.81 (alternated blocks of steps, three
/// times each; the other workloads 0.92–1.01, within the hour's noise).
/// The rows' numbers are the same either way: each row's products and cell math do not depend on the other rows.
/// Whether the blocks do run on the cores at once, or the whole batch on the calling thread, is measured as the layer
/// runs (<see cref="CoreChoice"/>): when the machine's two vCPUs are sharing one core, the split loop is the slower.
/// The time loops (<see cref="RunSteps"/>) start from equal blocks, and a core that finishes its own takes over the
/// last rows of a block still running, from that block's next step (<see cref="RowBlock"/>): with fixed halves, a core
/// waited for the other for 6–7 % of all the core time on all cores in adding-h128 and the char-LM; with the hand-over
/// 2–3 %, and the training steps ran 0.957–0.974 as long (adding-lstm h128 and h64, GRU, char-LM; RNN 0.93 and 1.00;
/// bptt-t1000, whose blocks of 4 cannot be halved, 1.00; Zen 3, alternated blocks of steps, twice).
/// </remarks>
internal static class BatchRowBlocks
{
    /// <summary>How many blocks a batch of <paramref name="batch"/> rows is split into: up to one per core.</summary>
    public static int For(int batch) => Math.Clamp(Math.Min(Environment.ProcessorCount, batch / MinimumRows), 1, Math.Max(1, Environment.ProcessorCount));

    /// <summary>
    /// The fewest rows of a block: 4, the GEMM's short micro-tile at either width (see <see cref="BatchRowBlocks"/>).
    /// </summary>
    internal const int MinimumRows = 4;

    /// <summary>The calling thread's reusable sharing state (a time loop started from inside a body, never today, gets its own).</summary>
    [ThreadStatic]
    private static RowSharing? t_sharing;

    /// <summary>For tests, on the calling thread: start every core but the first with one smallest block, so that they finish early and take shares.</summary>
    [field: ThreadStatic]
    internal static bool LopsidedStartForTests { get; set; }

    /// <summary>How many times rows were handed over in the calling thread's last <see cref="RunSteps"/>.</summary>
    [field: ThreadStatic]
    internal static int LastHandOvers { get; private set; }

    /// <summary>Calls <paramref name="rows"/>(first, end, parallelProducts) for each block of [0, <paramref name="batch"/>), the blocks in parallel.</summary>
    /// <param name="work">Names the loop for <see cref="CoreChoice"/> (the layer and its direction).</param>
    /// <param name="shape">Its sizes (<see cref="CoreChoice.Shape"/>): loops of one name and shape are timed together.</param>
    /// <param name="batch">B, the rows to split.</param>
    /// <param name="rows">
    /// The loop over rows [first, end); it runs on several threads at once, so it may write only its own rows. Its third
    /// argument says whether its GEMMs may split between the cores themselves: only when the batch is one block, since
    /// otherwise every core already runs a block (or the loop was measured faster on one core).
    /// </param>
    public static void Run(string work, long shape, int batch, Action<int, int, bool> rows) =>
        RunBlocks(work, shape, batch, 0, (block, parallelProducts) => rows(block.First, block.First + block.Rows, parallelProducts), share: false);

    /// <summary>
    /// Runs a time loop over blocks of the batch's rows on every core at once, as <see cref="Run"/> does, except that a
    /// core done with its rows takes over the last rows of a block still running, from its next step on
    /// (<see cref="RowBlock"/>): <paramref name="loop"/>(block, parallelProducts) asks <see cref="RowBlock.Take"/> at the
    /// top of every step how many of the block's rows to run.
    /// </summary>
    /// <param name="work">Names the loop for <see cref="CoreChoice"/>.</param>
    /// <param name="shape">Its sizes (<see cref="CoreChoice.Shape"/>).</param>
    /// <param name="batch">B, the rows to split.</param>
    /// <param name="from">The loop's first step (<see cref="RowBlock.From"/> of the first blocks).</param>
    /// <param name="loop">The loop over one block, from its <see cref="RowBlock.From"/>; it may write only its block's rows.</param>
    public static void RunSteps(string work, long shape, int batch, int from, Action<RowBlock, bool> loop) =>
        RunBlocks(work, shape, batch, from, loop, share: true);

    /// <summary><see cref="Run"/> and <see cref="RunSteps"/>: the blocks on the cores (sharing rows when <paramref name="share"/>), or the whole batch on one.</summary>
    private static void RunBlocks(string work, long shape, int batch, int from, Action<RowBlock, bool> loop, bool share)
    {
        int blocks = For(batch);
        RowSharing sharing = t_sharing ?? new RowSharing();
        t_sharing = null;
        try
        {
            if (blocks == 1)
            {
                loop(sharing.Alone(batch, from), true);
                return;
            }

            using CoreChoice.Call call = CoreChoice.Start(work, shape);
            if (!call.AllCores)
            {
                loop(sharing.Alone(batch, from), false);   // one core chosen: the loop's own products stay on it too
                return;
            }

            sharing.Start(batch, blocks, from, loop, share, LopsidedStartForTests && share);
            CoreTeam.For(blocks, sharing.Work);
        }
        finally
        {
            LastHandOvers = sharing.HandOvers;
            sharing.Clear();
            t_sharing = sharing;
        }
    }
}
