namespace MiniNet.Layers;

/// <summary>One shared time loop's blocks, and the body every core runs (see <see cref="BatchRowBlocks.RunSteps"/>).</summary>
internal sealed class RowSharing
{
    private RowBlock[] _blocks = [];
    private RowBlock.Mailbox[] _mailboxes = [];
    private int _count, _firstBlocks;
    private Action<RowBlock, bool>? _loop;

    public RowSharing() => Work = RunCore;

    /// <summary>Core w's body: its own block, then shares taken from the others until none is left to take.</summary>
    public Action<int> Work { get; }

    /// <summary>A block of all <paramref name="batch"/> rows that shares nothing (the loop on one core).</summary>
    public RowBlock Alone(int batch, int from)
    {
        Grow(1, 1);
        _blocks[0].Reset(0, batch, from, null);
        return _blocks[0];
    }

    /// <summary>How many blocks were handed over since <see cref="Start"/>.</summary>
    public int HandOvers => Math.Max(0, Volatile.Read(ref _count) - _firstBlocks);

    /// <summary>
    /// Sets up <paramref name="blocks"/> equal blocks of the batch for <see cref="Work"/>, which hand rows over when
    /// <paramref name="share"/> (or, <paramref name="lopsided"/>, every block but the first one smallest block).
    /// </summary>
    public void Start(int batch, int blocks, int from, Action<RowBlock, bool> loop, bool share, bool lopsided)
    {
        int smallest = BatchRowBlocks.MinimumRows;
        Grow((batch / smallest) + blocks, blocks);   // every hand-over makes a block of at least the smallest size
        int Edge(int w) => lopsided ? (w == 0 ? 0 : batch - ((blocks - w) * smallest)) : batch * w / blocks;   // Edge(blocks) = batch
        for (int w = 0; w < blocks; w++)
        {
            _blocks[w].Reset(Edge(w), Edge(w + 1) - Edge(w), from, share ? this : null);
        }

        (_count, _firstBlocks, _loop) = (blocks, blocks, loop);
    }

    /// <summary>Drops the loop, so a finished one keeps nothing alive.</summary>
    public void Clear() => (_loop, _count, _firstBlocks) = (null, 0, 0);

    /// <summary>A new block for rows handed over at <paramref name="from"/>; called by the core giving them up.</summary>
    public RowBlock NewBlock(int first, int rows, int from)
    {
        int index = Interlocked.Increment(ref _count) - 1;   // within the array: see Start
        RowBlock block = _blocks[index];
        block.Reset(first, rows, from, this);
        return block;
    }

    private void RunCore(int w)
    {
        Action<RowBlock, bool> loop = _loop!;
        RowBlock? block = _blocks[w];
        while (block is not null)
        {
            loop(block, false);
            block.Finish();
            block = TakeShare(_mailboxes[w]);
        }
    }

    /// <summary>Asks the open block with the most rows for a share, until one gives some or none is left to ask.</summary>
    private RowBlock? TakeShare(RowBlock.Mailbox mailbox)
    {
        while (true)
        {
            RowBlock? largest = null;
            int count = Math.Min(Volatile.Read(ref _count), _blocks.Length);
            for (int i = 0; i < count; i++)
            {
                RowBlock candidate = _blocks[i];
                if (candidate.Open && candidate.Rows >= 2 * BatchRowBlocks.MinimumRows && (largest is null || candidate.Rows > largest.Rows))
                {
                    largest = candidate;
                }
            }

            if (largest is null)
            {
                return null;
            }

            mailbox.Clear();
            if (largest.Request(mailbox) && mailbox.Receive() is RowBlock share)
            {
                return share;
            }
        }
    }

    private void Grow(int blocks, int cores)
    {
        if (_blocks.Length < blocks)
        {
            _blocks = [.. Enumerable.Range(0, blocks).Select(_ => new RowBlock())];
        }

        if (_mailboxes.Length < cores)
        {
            _mailboxes = [.. Enumerable.Range(0, cores).Select(_ => new RowBlock.Mailbox())];
        }
    }
}
