namespace MiniNet.Layers;

/// <summary>
/// The batch rows one core runs a fused layer's time loop over, from one step on (<see cref="BatchRowBlocks.RunSteps"/>).
/// At the top of every step the loop asks <see cref="Take"/> how many rows it still has: a core that has finished its
/// own rows may have asked for a share, and then the last rows of the block go to it, to be run from this step on.
/// </summary>
/// <remarks>
/// <para>
/// The blocks start as equal shares, but the cores do not run at equal speeds: on the shared 2-vCPU machines MiniNet is
/// measured on, a vCPU ran the GEMM's micro-kernel at 87–94 % of one thread's FMA peak or at 61–71 %, and which vCPU was
/// the slow one changed from second to second. With fixed halves the fast core waited at the end of every time loop,
/// for 7–18 % of the loops' wall time (adding-h128, -h64, the GRU, the char-LM, bptt-t1000; <see cref="MiniNet.Kernels.CoreTeam.Totals"/>).
/// A core done with its rows now takes the last half of the rows of the largest block still running, from that block's
/// next step on, and so on down to <see cref="BatchRowBlocks"/>' smallest block, so the loop ends within about a step
/// of the same time on every core.
/// </para>
/// <para>
/// Each row's arithmetic is the same on whichever core runs it, and a row is run by one core at a time, from the step
/// where it was handed over: the outputs and gradients do not depend on how the rows were shared.
/// </para>
/// <para>
/// The hand-over: the thief puts its mailbox in the block's request slot (one request at a time); the block's own core
/// answers at the top of its next step with the rows it gives up (or with none, when it has fewer than two smallest
/// blocks or one step left, and then takes no more requests); a block that finishes answers a waiting request with none.
/// </para>
/// </remarks>
internal sealed class RowBlock
{
    private static readonly Mailbox Closed = new();   // in the request slot: no more requests

    private RowSharing? _sharing;
    private volatile int _rows;
    private Mailbox? _request;

    /// <summary>The first row of the block.</summary>
    public int First { get; private set; }

    /// <summary>The step the block's loop starts at (the loop's own first step, or the step its rows were handed over at).</summary>
    public int From { get; private set; }

    /// <summary>How many rows the block has now; it only shrinks.</summary>
    public int Rows => _rows;

    /// <summary>Whether the block takes requests for a share (not yet finished, not refused one).</summary>
    internal bool Open => Volatile.Read(ref _request) != Closed;

    /// <summary>Sets the block up for rows [<paramref name="first"/>, <paramref name="first"/> + <paramref name="rows"/>) from step <paramref name="from"/>; with no <paramref name="sharing"/> it never gives rows away.</summary>
    internal void Reset(int first, int rows, int from, RowSharing? sharing)
    {
        (First, From, _rows, _sharing) = (first, from, rows, sharing);
        Volatile.Write(ref _request, sharing is null ? Closed : null);
    }

    /// <summary>
    /// Called at the top of step <paramref name="step"/>, before any of its work: answers a core's request for a share,
    /// if there is one, and returns how many rows (from <see cref="First"/>) this step and the ones after it run.
    /// </summary>
    /// <param name="step">The step about to run.</param>
    /// <param name="stepsLeft">How many steps the loop has left, this one included.</param>
    public int Take(int step, int stepsLeft)
    {
        if (Volatile.Read(ref _request) is Mailbox mailbox && mailbox != Closed)
        {
            Answer(mailbox, step, stepsLeft);
        }

        return _rows;
    }

    /// <summary>Ends the block: a request still waiting is answered with none, and no more are taken.</summary>
    internal void Finish()
    {
        if (Interlocked.Exchange(ref _request, Closed) is Mailbox mailbox && mailbox != Closed)
        {
            mailbox.Deliver(null);
        }
    }

    /// <summary>Asks for a share (from a core with no rows left); false when another request is pending or the block takes none.</summary>
    internal bool Request(Mailbox mailbox) => Interlocked.CompareExchange(ref _request, mailbox, null) is null;

    private void Answer(Mailbox mailbox, int step, int stepsLeft)
    {
        int smallest = BatchRowBlocks.MinimumRows;
        int rows = _rows;
        if (rows < 2 * smallest || stepsLeft < 2)
        {
            Volatile.Write(ref _request, Closed);   // rows and steps only shrink: it would refuse every later request too
            mailbox.Deliver(null);
            return;
        }

        int give = rows / 2 / smallest * smallest;
        RowBlock share = _sharing!.NewBlock(First + rows - give, give, step);
        _rows = rows - give;
        Volatile.Write(ref _request, null);   // open for the next request before the thief hears: it may ask again at once
        mailbox.Deliver(share);
    }

    /// <summary>Where a core waiting for a share receives it.</summary>
    internal sealed class Mailbox
    {
        private volatile bool _delivered;
        private RowBlock? _share;

        /// <summary>Clears the mailbox before a request.</summary>
        public void Clear() => (_share, _delivered) = (null, false);

        /// <summary>Puts the answer in: the rows handed over, or null for none.</summary>
        public void Deliver(RowBlock? share)
        {
            _share = share;
            _delivered = true;   // a volatile write after the share, and after the rows' state the block's core wrote
        }

        /// <summary>Waits for the answer (at most about one step of the block asked).</summary>
        public RowBlock? Receive()
        {
            var spinner = default(SpinWait);
            while (!_delivered)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            return _share;
        }
    }
}
