using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MiniNet.Kernels;

/// <summary>The one matrix multiply every product runs on (forward and backward): spans in, the destination last.</summary>
internal static class Gemm
{
    private const int DepthBlock = 256;                           // k rows per block (KC): a panel block stays in L1
    private const int LastDepthBlock = DepthBlock + (DepthBlock / 8);   // the deepest last block taken whole (see GemmBlocked)
    private const long ParallelThreshold = 1L << 19;              // multiply-adds from which two cores win (see GemmParallel)
    private const int MaxRows = 8;                                // the largest micro-tile height, for stack buffers
    private const int ShortRows = 4;                              // the short micro-tile's height, with 16-wide panels (see TallRows)
    private const int ShallowDepth = 32;                          // k blocks up to this deep are tiled rows first (see MultiplyChunk)
    private const int ChunkGroups = 64;                           // micro-panels of A packed at a time (MC = 512 or 384 rows): the copy stays in L2

    [ThreadStatic]
    private static ParallelJob? t_job;                            // the calling thread's reusable parallel job (see GemmParallel)

    /// <summary>
    /// General matrix multiply on row-major matrices: C ← op(A)·op(B) + β·C, the one entry point every
    /// matmul (forward and backward) goes through.
    /// </summary>
    /// <remarks>
    /// op(A) is [m, k]: A is stored [m, k], or [k, m] when <paramref name="transposeA"/>.
    /// op(B) is [k, n]: B is stored [k, n], or [n, k] when <paramref name="transposeB"/>.
    /// C is [m, n]. B is packed into panels two vectors wide (<see cref="PackedMatrix"/>), which absorbs its transpose;
    /// k is cut into blocks of 256 (a last one up to 288) so a panel block stays in L1; a register-blocked, fused multiply-add micro-kernel
    /// computes each tile of 8 rows × 2 vectors with 512-bit vectors (16 accumulators), else 6 rows × 2 vectors with
    /// 256-bit ones (12) — the last one or two of every 384 rows 4 × 2 (8), so that a batch of 8, 16 or 32 is covered
    /// exactly, and at 512 bits a last 1–4 rows 4 × 2 — reading each k block of op(A) from a small copy in micro-panels
    /// of 8 (or 6, or 4) rows.
    /// Whole transposes are never materialized.
    /// Large products split rows (or, when there are few, panels) between the cores, when that measures faster (<see cref="CoreChoice"/>).
    /// With β = 0, C's previous contents are ignored (NaN in C does not leak through).
    /// </remarks>
    /// <param name="transposeA">Whether A is stored transposed ([k, m]).</param>
    /// <param name="transposeB">Whether B is stored transposed ([n, k]).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">The shared dimension.</param>
    /// <param name="a">A's m·k elements.</param>
    /// <param name="b">B's k·n elements.</param>
    /// <param name="c">C's m·n elements, overwritten (β = 0) or accumulated into.</param>
    /// <param name="beta">The factor on C's previous contents.</param>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, float beta = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        CheckLength(a.Length, (long)m * k, "a", "m·k");
        CheckLength(b.Length, (long)k * n, "b", "k·n");
        if (KernelOptions.Current.Gemm == GemmBackendKind.OpenBlas)
        {
            CheckLength(c.Length, (long)m * n, "c", "m·n");
            GemmBackend.OpenBlasGemm(transposeA, transposeB, m, n, k, a, b, c, beta);
            return;
        }

        CheckLength(c.Length, (long)m * n, "c", "m·n");
        PackedMatrix packed = PackedMatrix.RentUnfilled(k, n);
        try
        {
            using CoreChoice.Call call = SplitsBetweenCores(m, packed)
                ? CoreChoice.Start(transposeA ? "gemm Aᵀ" : "gemm", CoreChoice.Shape(m, n, k, transposeB ? 1 : 0))
                : CoreChoice.Call.OneCoreUntimed;
            if (call.AllCores)
            {
                GemmParallel(transposeA, m, a, packed, c, beta, b, transposeB);   // each core packs the panels it needs
            }
            else
            {
                packed.PackPanels(b, transposeB, 0, packed.Panels);
                GemmBlocked(transposeA, m, a, packed, c, beta, 0, m, 0, packed.Panels);
            }
        }
        finally
        {
            packed.ReturnToPool();
        }
    }

    /// <summary>C ← op(A)·B + β·C with B already packed (reuse a packed weight across many products).</summary>
    /// <param name="transposeA">Whether A is stored transposed ([k, m]).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="a">A's m·k elements.</param>
    /// <param name="b">The packed right operand, [k, n].</param>
    /// <param name="c">C's m·n elements.</param>
    /// <param name="beta">The factor on C's previous contents.</param>
    /// <param name="parallel">Whether a large product may be split between the cores (false when the caller already runs one such product per core).</param>
    public static void Multiply(bool transposeA, int m, ReadOnlySpan<float> a, PackedMatrix b, Span<float> c, float beta = 0f, bool parallel = true)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m);
        CheckLength(a.Length, (long)m * b.K, "a", "m·k");
        CheckLength(c.Length, (long)m * b.N, "c", "m·n");
        using CoreChoice.Call call = parallel && SplitsBetweenCores(m, b)
            ? CoreChoice.Start(transposeA ? "gemm Aᵀ, packed B" : "gemm, packed B", CoreChoice.Shape(m, b.N, b.K))
            : CoreChoice.Call.OneCoreUntimed;
        if (call.AllCores)
        {
            GemmParallel(transposeA, m, a, b, c, beta, default, false);
        }
        else
        {
            GemmBlocked(transposeA, m, a, b, c, beta, 0, m, 0, b.Panels);
        }
    }

    /// <summary>
    /// C ← op(A)·B + β·C for a B stored [k, n] that is used once (a weight gradient's δ): read where it lies when its
    /// columns are whole panels (<see cref="PackedMatrix.InPlace"/>), which saves the pass that packing it would make;
    /// otherwise, or with the OpenBLAS backend chosen, as <see cref="Multiply(bool, bool, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, float)"/>.
    /// </summary>
    /// <param name="transposeA">Whether A is stored transposed ([k, m]).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="k">The shared dimension.</param>
    /// <param name="a">A's m·k elements.</param>
    /// <param name="b">B, stored [k, n] (the array may be longer).</param>
    /// <param name="c">C's m·n elements.</param>
    /// <param name="beta">The factor on C's previous contents.</param>
    public static void MultiplyOnce(bool transposeA, int m, int n, int k, ReadOnlySpan<float> a, float[] b, Span<float> c, float beta = 0f)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (KernelOptions.Current.Gemm == GemmBackendKind.Managed && PackedMatrix.CanReadInPlace(n) && k > 0)
        {
            Multiply(transposeA, m, a, PackedMatrix.InPlace(b, k, n), c, beta);
        }
        else
        {
            Multiply(transposeA, false, m, n, k, a, b.AsSpan(0, (int)Math.Min(b.Length, (long)k * n)), c, beta);
        }
    }

    /// <summary>Whether a product of m rows by <paramref name="b"/> is large enough for the cores to share.</summary>
    /// <remarks>A single panel can only be split by rows, so it needs rows enough for that (see GemmParallel).</remarks>
    private static bool SplitsBetweenCores(int m, PackedMatrix b) =>
        (long)m * b.N * b.K >= ParallelThreshold && Environment.ProcessorCount > 1
        && (b.Panels > 1 || m >= 4 * TileRows(b) * Environment.ProcessorCount);

    /// <summary>
    /// Splits the product between the cores: by rows when there are enough (each worker packs only its own rows
    /// of A), otherwise by panels of B. When <paramref name="unpacked"/> is given, <paramref name="b"/> is still to be
    /// filled from it, and the cores share that too.
    /// </summary>
    /// <remarks>
    /// From 2^19 multiply-adds up, which takes in the recurrent layers' per-step products (32×256×1024 in the char-LM
    /// workload, 32×128×512 in adding-h128, and 8×128×512 in bptt-t1000, whose batch of 8 is too small to split by
    /// rows): split by panels, each core streams half of the packed weight, which then fits its own L2. The threshold
    /// was lowered from 2^25 to 2^21 for the first two (the char-LM and adding-h128 steps got faster, no other workload
    /// slower), and to 2^19 for the third (bptt-t1000 on AVX2: 52–57 → 42–49 ms, on AVX-512 about 4 % less; the other
    /// workloads unchanged, alternated runs). Whether a split runs at all is measured as it goes (<see cref="CoreChoice"/>).
    /// Fewer rows (from 4 tiles a core) are still split by rows when the panels would not deal out evenly: the weight
    /// gradients δᵀ·[X | H | 1] have n = I + H + 1, so 3 panels for adding-h64 (67 columns, the last nearly empty) and 2
    /// for adding-h32 (35); split by panels, one core did half as much again as the other, or twice as much. Split by
    /// rows, those two took 10–25 % less (256×67×3200: 0.52–0.68 → 0.40–0.49 ms, 128×35×3200: 0.17–0.21 → 0.14–0.18 ms,
    /// five alternated runs). With 15 % or less to spare (5 panels for adding-h128's 131 columns, 10 for the char-LM's
    /// 289) splitting by rows won nothing, since every core then streams all of B.
    /// Split by panels, each core packs the panels it multiplies by, just before; split by rows, every core needs every
    /// panel, so the cores first pack half the panels each, then multiply. Packing B on one core before the product
    /// took a quarter of the 128×256×1024 GEMM.
    /// </remarks>
    private static unsafe void GemmParallel(bool transposeA, int m, ReadOnlySpan<float> a, PackedMatrix b, Span<float> c, float beta,
        ReadOnlySpan<float> unpacked, bool transposeB)
    {
        int workers = Environment.ProcessorCount;
        int rows = TileRows(b);
        bool byRows = m >= 20 * rows * workers || (m >= 4 * rows * workers && !PanelsSplitEvenly(b, workers));
        bool pack = !unpacked.IsEmpty;
        fixed (float* aPtr = a)
        fixed (float* cPtr = c)
        fixed (float* bPtr = unpacked)
        {
            // Spans cannot cross into the bodies; the pinned addresses can, and the spans are rebuilt there. The job and
            // its two bodies are made once per thread and reused: a closure per call allocated 140 bytes a product, which
            // a thousand-step sequence's per-step products made 300 KB a training step.
            ParallelJob job = t_job ?? new ParallelJob();
            t_job = null;   // a product started from inside a body (never, today) gets a job of its own
            job.Set(transposeA, m, (nint)aPtr, a.Length, b, (nint)cPtr, c.Length, beta, (nint)bPtr, unpacked.Length, transposeB, workers, rows, byRows);
            try
            {
                if (pack && byRows)
                {
                    CoreTeam.For(workers, job.Pack);
                }

                CoreTeam.For(workers, job.Multiply);
            }
            finally
            {
                job.Clear();
                t_job = job;
            }
        }
    }

    /// <summary>One parallel product's operands, and the bodies the cores run on them (see <see cref="GemmParallel"/>).</summary>
    private sealed unsafe class ParallelJob
    {
        private bool _transposeA, _transposeB, _byRows;
        private int _m, _aLength, _cLength, _bLength, _workers, _rows;
        private nint _a, _c, _unpacked;
        private float _beta;
        private PackedMatrix? _b;

        public ParallelJob()
        {
            Pack = PackPart;
            Multiply = MultiplyPart;
        }

        /// <summary>Worker w packs its share of the panels of B (before a product split by rows, which needs them all).</summary>
        public Action<int> Pack { get; }

        /// <summary>Worker w multiplies its rows (by all panels), or its panels (packing them first when B is unpacked).</summary>
        public Action<int> Multiply { get; }

        public void Set(bool transposeA, int m, nint a, int aLength, PackedMatrix b, nint c, int cLength, float beta,
            nint unpacked, int unpackedLength, bool transposeB, int workers, int rows, bool byRows)
        {
            (_transposeA, _m, _a, _aLength, _b, _c, _cLength, _beta) = (transposeA, m, a, aLength, b, c, cLength, beta);
            (_unpacked, _bLength, _transposeB, _workers, _rows, _byRows) = (unpacked, unpackedLength, transposeB, workers, rows, byRows);
        }

        /// <summary>Drops the references, so a finished job keeps no packed matrix alive.</summary>
        public void Clear() => (_b, _a, _c, _unpacked) = (null, 0, 0, 0);

        private void PackPart(int w)
        {
            PackedMatrix b = _b!;
            b.PackPanels(new ReadOnlySpan<float>((float*)_unpacked, _bLength), _transposeB, b.Panels * w / _workers, b.Panels * (w + 1) / _workers);
        }

        private void MultiplyPart(int w)
        {
            PackedMatrix b = _b!;
            var a = new ReadOnlySpan<float>((float*)_a, _aLength);
            var c = new Span<float>((float*)_c, _cLength);
            int panels = b.Panels;
            if (_byRows)
            {
                int first = _m * w / _workers / _rows * _rows;
                int last = w == _workers - 1 ? _m : _m * (w + 1) / _workers / _rows * _rows;
                GemmBlocked(_transposeA, _m, a, b, c, _beta, first, last, 0, panels);
            }
            else
            {
                int firstPanel = panels * w / _workers, lastPanel = panels * (w + 1) / _workers;
                if (_bLength > 0)
                {
                    b.PackPanels(new ReadOnlySpan<float>((float*)_unpacked, _bLength), _transposeB, firstPanel, lastPanel);
                }

                GemmBlocked(_transposeA, _m, a, b, c, _beta, 0, _m, firstPanel, lastPanel);
            }
        }
    }

    /// <summary>
    /// Whether the panels of <paramref name="b"/> deal out to <paramref name="workers"/> (as GemmParallel does: worker w takes
    /// panels [P·w/W, P·(w+1)/W)) so that none has more than 15 % above an even share; a last panel at most half full counts half.
    /// </summary>
    private static bool PanelsSplitEvenly(PackedMatrix b, int workers)
    {
        int panels = b.Panels;
        double last = b.N - ((panels - 1) * b.Width) <= b.Width / 2 ? 0.5 : 1;
        double most = 0;
        for (int w = 0; w < workers; w++)
        {
            int first = panels * w / workers, end = panels * (w + 1) / workers;
            most = Math.Max(most, end - first - (end == panels ? 1 - last : 0));
        }

        return most <= 1.15 * (panels - 1 + last) / workers;
    }

    /// <summary>Micro-tile rows for a packed operand: 8 with 32-wide panels (16 of the 32 zmm registers accumulate), 6 with 16-wide ones (12 of 16 ymm).</summary>
    private static int TileRows(PackedMatrix b) => b.Width == 32 ? 8 : 6;

    /// <summary>
    /// How many of <paramref name="rows"/> rows go to tall micro-tiles (<see cref="TileRows"/>, a multiple of it), the
    /// rest to short ones (<see cref="ShortRows"/> = 4, by <see cref="MicroKernel{THeight}"/> or <see cref="MicroKernelWide{THeight}"/>):
    /// so that the tiles cover the rows with little to spare, in the last tile.
    /// </summary>
    /// <remarks>
    /// The batch sizes are multiples of 8 and 6 divides none of them: 6-row tiles alone would run 12 rows for a batch
    /// of 8 (bptt-t1000, or a block of 8), 18 for 16, 36 for 32. Any even count is 6a + 4b with b ≤ 2 (32 = 6·4 + 4·2),
    /// and an odd count takes the next even one, its last row padding. The 4-row tile keeps 8 accumulators, enough for
    /// the two FMA pipes at four cycles' latency, but loads B once per 4 rows instead of 6.
    /// The 8-row tiles of 512-bit panels fit the usual batches; a count 1–4 past a multiple of 8 ends in one 4-row tile
    /// instead of a half-empty 8-row one: a block of 4 batch rows (bptt-t1000's batch of 8 on two cores, see
    /// <c>BatchRowBlocks</c>), or the 65 rows of a char-LM head's weight gradient.
    /// </remarks>
    private static int TallRows(int rows, PackedMatrix b)
    {
        if (b.Width != 16)
        {
            int rest = rows % 8;
            return rest is > 0 and <= ShortRows ? rows - rest : rows;
        }

        int even = (rows + 1) & ~1;
        int shortGroups = (even % 6) switch
        {
            4 => 1,
            2 => even >= 8 ? 2 : 1,
            _ => 0,
        };
        return Math.Clamp(even - (shortGroups * ShortRows), 0, rows);
    }

    /// <summary>C[rows firstRow..lastRow, panels firstPanel..lastPanel) ← op(A)·B + β·C, blocked over k.</summary>
    /// <remarks>
    /// Each k block of op(A) is first copied into micro-panels of MR rows — MR contiguous values per p, zero-padded in
    /// a last partial group — once for all the panels of B it meets, 64 micro-panels (512 or 384 rows) at a time so the
    /// copy (at most 512 KB) stays in L2 while it is used: copying all 2048 rows of the char-LM's δ at once (for
    /// ∂L/∂X = δ·W_ih, one panel wide) wrote a 2 MB buffer out to L3 and read it back. Chunks of 16 micro-panels were
    /// slower for the weight gradients, whose panels of B were then read again for every chunk.
    /// The micro-kernel then reads A at fixed offsets from one advancing pointer: no index arithmetic beside its 16 (or 12) FMAs a step, where reading A in place at a
    /// row stride took 15 address instructions a step and ran at half the FMA peak. A stored [k, m] is read at a stride
    /// of m floats per p, and when m·4 bytes is a multiple of 4 KB every read mapped to the same L1 set; packed, both
    /// layouts read alike. MR = 8 on AVX-512 fits the usual batch sizes (16, 32, 64) exactly.
    /// A whole tile goes from the accumulators straight into C (β·C added there); only a tile cut by the edge of C
    /// passes through a small buffer. A last panel at most half full multiplies only its first vector of columns (at
    /// 512 bits, one of at most 8 columns only its first 256-bit vector).
    /// A remainder of k up to 32 past a whole block joins that block (<see cref="LastDepthBlock"/>: 288 rows of a panel,
    /// 18 KB, still fit L1 beside A's micro-panel), rather than make a second pass over every tile of C for a few rows of
    /// k: the char-LM's per-step product is 288 deep (32 inputs and 256 hidden), and taking it as one block made its
    /// training step 0.98 as long (Zen 3, two cores, alternated blocks of steps, twice).
    /// </remarks>
    [SkipLocalsInit] // the tile is written before it is read: no zeroing of it per call
    private static void GemmBlocked(bool transposeA, int m, ReadOnlySpan<float> a, PackedMatrix b, Span<float> c, float beta,
        int firstRow, int lastRow, int firstPanel, int lastPanel)
    {
        int k = b.K;
        int rows = TileRows(b);              // micro-tile rows (MR)
        nint rowStride = transposeA ? 1 : k;
        nint depthStride = transposeA ? m : 1;
        int chunkRows = ChunkGroups * rows;
        int chunkGroups = Math.Min(ChunkGroups, (lastRow - firstRow + rows - 1) / rows);
        Span<float> tile = stackalloc float[MaxRows * 32];
        float[] panelsOfA = System.Buffers.ArrayPool<float>.Shared.Rent((chunkGroups * rows * Math.Min(LastDepthBlock, k)) + 8);   // + 8: see TransposeGroup
        for (int p0 = 0, depth; p0 < k; p0 += depth)
        {
            depth = k - p0 <= LastDepthBlock ? k - p0 : DepthBlock;
            float blockBeta = p0 == 0 ? beta : 1f;  // later k blocks add to what the first one wrote
            for (int chunk = firstRow; chunk < lastRow; chunk += chunkRows)
            {
                int chunkEnd = Math.Min(lastRow, chunk + chunkRows);
                int tallEnd = chunk + TallRows(chunkEnd - chunk, b);   // the tall groups' rows, then the short ones'
                PackRows(a, rowStride, depthStride, chunk, tallEnd, rows, p0, depth, panelsOfA);
                PackRows(a, rowStride, depthStride, tallEnd, chunkEnd, ShortRows, p0, depth, panelsOfA.AsSpan((tallEnd - chunk) * depth));
                MultiplyChunk(b, c, blockBeta, tile, panelsOfA, p0, depth, chunk, tallEnd, chunkEnd, firstPanel, lastPanel);
            }
        }

        System.Buffers.ArrayPool<float>.Shared.Return(panelsOfA);
    }

    /// <summary>
    /// The tiles of rows [chunk, chunkEnd) and panels [firstPanel, lastPanel) for one k block [p0, p0 + depth), that
    /// chunk of op(A) already in micro-panels in <paramref name="panelsOfA"/>.
    /// </summary>
    /// <remarks>
    /// Panel by panel, each panel's block of B stays in L1 while every tile of rows uses it. For a shallow block (k of
    /// 32 or less: an input projection X·W_ihᵀ, whose k is the input's few features) there is little of B to keep and
    /// much of C to write, and the order turns round: tile of rows by tile of rows, each across all the panels, so C is
    /// written row after row in whole cache lines while they are in L1. Panel by panel, each pass wrote 64 bytes of every
    /// row of C, a line and part of the next, and the next pass found those lines gone from L1. On Zen 3, two cores,
    /// alternated in one process: the input projections of adding-lstm-h128 (3200×2×512) 1.46 → 0.57 ms, -h64 0.66 →
    /// 0.32, bptt-t1000 (8000×2×512) 2.44 → 1.18, the char-LM's (2048×32×1024) 1.70 → 1.34; whole training steps 0.95–0.98
    /// (adding, bptt, GRU), the char-LM 0.99. Turning round blocks up to 64 deep as well changed nothing (adding-h64, whose
    /// per-step products are 64 deep: 0.995).
    /// </remarks>
    private static void MultiplyChunk(PackedMatrix b, Span<float> c, float blockBeta, Span<float> tile, float[] panelsOfA,
        int p0, int depth, int firstRow, int tallEnd, int lastRow, int firstPanel, int lastPanel)
    {
        int tallRows = TileRows(b);          // micro-tile rows (MR) of the tall tiles, then ShortRows for rows [tallEnd, lastRow)
        if (depth <= ShallowDepth)
        {
            for (int i = firstRow; i < lastRow;)
            {
                int rows = i < tallEnd ? tallRows : ShortRows;
                for (int panel = firstPanel; panel < lastPanel; panel++)
                {
                    MultiplyTile(b, PanelBlock(b, panel, p0, depth), panel, c, blockBeta, tile, panelsOfA, depth, firstRow, i, rows, lastRow);
                }

                i += rows;
            }

            return;
        }

        for (int panel = firstPanel; panel < lastPanel; panel++)
        {
            ReadOnlySpan<float> block = PanelBlock(b, panel, p0, depth);
            for (int i = firstRow; i < lastRow;)
            {
                int rows = i < tallEnd ? tallRows : ShortRows;
                MultiplyTile(b, block, panel, c, blockBeta, tile, panelsOfA, depth, firstRow, i, rows, lastRow);
                i += rows;
            }
        }
    }

    /// <summary>Rows [p0, p0 + depth) of panel <paramref name="panel"/> of B, as the micro-kernels read them (<see cref="PackedMatrix.RowStride"/> apart).</summary>
    private static ReadOnlySpan<float> PanelBlock(PackedMatrix b, int panel, int p0, int depth) =>
        b.Data.AsSpan((int)((panel * b.PanelStride) + (p0 * b.RowStride)), (int)(((depth - 1) * (long)b.RowStride) + b.Width));

    /// <summary>
    /// One tile: rows [i, i + rows) (fewer at the edge of C) of the chunk that starts at <paramref name="firstRow"/>,
    /// by <paramref name="block"/>, panel <paramref name="panel"/>'s rows of the k block (<see cref="PanelBlock"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyTile(PackedMatrix b, ReadOnlySpan<float> block, int panel, Span<float> c, float blockBeta, Span<float> tile,
        float[] panelsOfA, int depth, int firstRow, int i, int rows, int lastRow)
    {
        int n = b.N;
        int width = b.Width;                 // micro-tile columns (NR): two vectors
        bool wide = width == 32;             // the 512-bit micro-kernel
        nint bStride = b.RowStride;          // from one row p of a panel block to the next: contiguous when packed, n apart in place
        int j0 = panel * width;
        int columns = Math.Min(width, n - j0);
        ref float origin = ref panelsOfA[(i - firstRow) * depth];   // the groups lie one after another, MR·depth floats each
        // A whole tile is written to C from the registers; a partial one through the small buffer.
        bool whole = columns == width && lastRow - i >= rows;
        ref float target = ref whole ? ref c[(i * n) + j0] : ref MemoryMarshal.GetReference(tile);
        nint stride = whole ? n : width;
        float tileBeta = whole ? blockBeta : 0f;
        if (wide && columns <= width / 4)
        {
            // A last panel of at most 8 columns at 512 bits (n = 131 in adding-h128's weight gradient, 289 in
            // the char-LM's, 65 in its head): one 256-bit vector of columns, see MicroKernelQuarter{THeight}.
            if (rows == ShortRows)
            {
                MicroKernelQuarter<FourRows>(depth, ref origin, block, bStride, tile);
            }
            else
            {
                MicroKernelQuarter<EightRows>(depth, ref origin, block, bStride, tile);
            }
        }
        else if (columns <= width / 2)
        {
            // A last panel at most half full (n = 131 in an LSTM's weight gradient, 65 in a char-LM's head):
            // only its first vector of columns is multiplied.
            if (wide)
            {
                MicroKernelHalf<Lanes512>(depth, ref origin, block, bStride, tile, rows);
            }
            else
            {
                MicroKernelHalf<Lanes256>(depth, ref origin, block, bStride, tile, rows);
            }
        }
        else if (wide && rows == ShortRows)
        {
            MicroKernelWide<FourRows>(depth, ref origin, block, bStride, ref target, stride, tileBeta);
        }
        else if (wide)
        {
            MicroKernelWide<EightRows>(depth, ref origin, block, bStride, ref target, stride, tileBeta);
        }
        else if (rows == ShortRows)
        {
            MicroKernel<FourRows>(depth, ref origin, block, bStride, ref target, stride, tileBeta);
        }
        else
        {
            MicroKernel<SixRows>(depth, ref origin, block, bStride, ref target, stride, tileBeta);
        }

        if (!whole)
        {
            Store(tile, Math.Min(rows, lastRow - i), width, c, i, j0, n, columns, blockBeta);
        }
    }

    /// <summary>
    /// Copies rows [firstRow, lastRow) of op(A), columns [p0, p0 + depth), into micro-panels of MR rows: panel g holds
    /// row firstRow + g·MR + r, column p0 + p at [g·MR·depth + p·MR + r]; the rows past lastRow of the last panel are 0.
    /// </summary>
    private static void PackRows(ReadOnlySpan<float> a, nint rowStride, nint depthStride, int firstRow, int lastRow, int tileRows,
        int p0, int depth, Span<float> panels)
    {
        if (lastRow <= firstRow)
        {
            return;
        }

        ref float a0 = ref MemoryMarshal.GetReference(a);
        ref float panel0 = ref MemoryMarshal.GetReference(panels);
        int groups = (lastRow - firstRow + tileRows - 1) / tileRows;
        int fullGroups = (lastRow - firstRow) / tileRows;
        if (fullGroups < groups)
        {
            panels.Slice(fullGroups * tileRows * depth, tileRows * depth).Clear();   // the padding rows of a last partial group are 0
        }

        if (depthStride != 1)
        {
            // A stored [k, m]: row p0 + p of the storage holds the MR values of one p of every group, contiguous. Eight
            // rows at a time are dealt out to the groups, so each group receives 8·MR contiguous floats (whole cache
            // lines) at once: one p at a time, the groups' half lines — 8 KB apart, all in one L1 set — were evicted
            // before their other half was written.
            int blocks = depth / 8 * 8;
            for (int p = 0; p < depth; p += 8)
            {
                int count = p < blocks ? 8 : depth - p;
                ref float source = ref Unsafe.Add(ref a0, ((p0 + p) * depthStride) + (firstRow * rowStride));
                for (int group = 0; group < fullGroups; group++)
                {
                    ref float from = ref Unsafe.Add(ref source, group * tileRows);
                    ref float target = ref Unsafe.Add(ref panel0, (group * tileRows * depth) + (p * tileRows));
                    for (int q = 0; q < count; q++)
                    {
                        CopyGroup(ref Unsafe.Add(ref from, q * depthStride), ref Unsafe.Add(ref target, q * tileRows), tileRows);
                    }
                }

                ref float partial = ref Unsafe.Add(ref panel0, (fullGroups * tileRows * depth) + (p * tileRows));
                for (int q = 0; q < count; q++)
                {
                    for (int r = fullGroups * tileRows; r < lastRow - firstRow; r++)
                    {
                        Unsafe.Add(ref partial, (q * tileRows) + r - (fullGroups * tileRows)) = Unsafe.Add(ref source, (q * depthStride) + r);
                    }
                }
            }

            return;
        }

        // A stored [m, k]: each row is contiguous in p; written at a stride of MR. Full groups go 8 p at a time through
        // an 8×8 transpose in registers (a scalar copy per value took a tenth of the per-step products' time).
        for (int i = firstRow, group = 0; i < lastRow; i += tileRows, group++)
        {
            int rows = Math.Min(tileRows, lastRow - i);
            ref float micro = ref Unsafe.Add(ref panel0, group * tileRows * depth);
            ref float first = ref Unsafe.Add(ref a0, (i * rowStride) + p0);
            int done = rows == tileRows && Avx.IsSupported ? TransposeGroup(ref first, rowStride, tileRows, depth, ref micro) : 0;
            for (int r = 0; r < rows; r++)
            {
                ref float row = ref Unsafe.Add(ref first, r * rowStride);
                for (int p = done; p < depth; p++)
                {
                    Unsafe.Add(ref micro, (p * tileRows) + r) = Unsafe.Add(ref row, p);
                }
            }
        }
    }

    /// <summary>
    /// Packs p = 0, 8, 16, … of a full group of MR (8, 6 or 4) rows, 8 p at a time: 8 rows of 8 values in (a 6- or
    /// 4-row group reads 2 or 4 zero rows more), transposed with unpacks, shuffles and lane permutes, 8 columns of MR out.
    /// </summary>
    /// <returns>How many p were packed (a multiple of 8); the caller copies the rest.</returns>
    /// <remarks>
    /// A 6-row group stores each column as 8 floats at a stride of 6 (a 4-row one at 4): the extra are the zero rows,
    /// and the next column's store overwrites them — or, after the last, the next group's packing does, which is why
    /// the buffer has 8 floats to spare after the last group.
    /// </remarks>
    private static int TransposeGroup(ref float first, nint rowStride, int tileRows, int depth, ref float micro)
    {
        int blocks = depth / 8 * 8;
        for (int p = 0; p < blocks; p += 8)
        {
            ref float at = ref Unsafe.Add(ref first, p);
            Vector256<float> r0 = Vector256.LoadUnsafe(ref at), r1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref at, rowStride));
            Vector256<float> r2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref at, 2 * rowStride)), r3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref at, 3 * rowStride));
            Vector256<float> r4 = tileRows > 4 ? Vector256.LoadUnsafe(ref Unsafe.Add(ref at, 4 * rowStride)) : default;
            Vector256<float> r5 = tileRows > 4 ? Vector256.LoadUnsafe(ref Unsafe.Add(ref at, 5 * rowStride)) : default;
            Vector256<float> r6 = tileRows == 8 ? Vector256.LoadUnsafe(ref Unsafe.Add(ref at, 6 * rowStride)) : default;
            Vector256<float> r7 = tileRows == 8 ? Vector256.LoadUnsafe(ref Unsafe.Add(ref at, 7 * rowStride)) : default;
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
            ref float column = ref Unsafe.Add(ref micro, p * tileRows);
            Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref column);
            Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref Unsafe.Add(ref column, tileRows));
            Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref Unsafe.Add(ref column, 2 * tileRows));
            Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref Unsafe.Add(ref column, 3 * tileRows));
            Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref Unsafe.Add(ref column, 4 * tileRows));
            Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref Unsafe.Add(ref column, 5 * tileRows));
            Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref Unsafe.Add(ref column, 6 * tileRows));
            Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref Unsafe.Add(ref column, 7 * tileRows));
        }

        return blocks;
    }

    /// <summary>Copies one p of a full micro-panel: MR (8, 6 or 4) contiguous floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyGroup(ref float source, ref float target, int tileRows)
    {
        if (tileRows == 8)
        {
            Vector256.LoadUnsafe(ref source).StoreUnsafe(ref target);
            return;
        }

        Vector128.LoadUnsafe(ref source).StoreUnsafe(ref target);
        if (tileRows == ShortRows)
        {
            return;
        }

        Unsafe.Add(ref target, 4) = Unsafe.Add(ref source, 4);
        Unsafe.Add(ref target, 5) = Unsafe.Add(ref source, 5);
    }

    /// <summary>
    /// The 6×16 tile of a packed A micro-panel (6 values per p) times a panel block, with 256-bit vectors (12
    /// accumulators); or, for <see cref="FourRows"/>, the 4×16 tile of a short micro-panel (8; see <see cref="TallRows"/>).
    /// </summary>
    /// <remarks>The height is a type, so each compiles to its own loop with only its rows' accumulators.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel<THeight>(int depth, ref float a, ReadOnlySpan<float> block, nint bStride, ref float target, nint stride, float beta)
        where THeight : struct, ITileHeight
    {
        bool six = THeight.Rows == 6;
        PrefetchTile(ref target, stride, THeight.Rows, 16);

        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        ref float b = ref MemoryMarshal.GetReference(block);
        for (int p = 0; p < depth; p++)
        {
            Vector256<float> bLo = Vector256.LoadUnsafe(ref b);
            Vector256<float> bHi = Vector256.LoadUnsafe(ref b, 8);
            Vector256<float> x = Vector256.Create(a);
            c00 = Vector256.FusedMultiplyAdd(x, bLo, c00);
            c01 = Vector256.FusedMultiplyAdd(x, bHi, c01);
            x = Vector256.Create(Unsafe.Add(ref a, 1));
            c10 = Vector256.FusedMultiplyAdd(x, bLo, c10);
            c11 = Vector256.FusedMultiplyAdd(x, bHi, c11);
            x = Vector256.Create(Unsafe.Add(ref a, 2));
            c20 = Vector256.FusedMultiplyAdd(x, bLo, c20);
            c21 = Vector256.FusedMultiplyAdd(x, bHi, c21);
            x = Vector256.Create(Unsafe.Add(ref a, 3));
            c30 = Vector256.FusedMultiplyAdd(x, bLo, c30);
            c31 = Vector256.FusedMultiplyAdd(x, bHi, c31);
            if (six)
            {
                x = Vector256.Create(Unsafe.Add(ref a, 4));
                c40 = Vector256.FusedMultiplyAdd(x, bLo, c40);
                c41 = Vector256.FusedMultiplyAdd(x, bHi, c41);
                x = Vector256.Create(Unsafe.Add(ref a, 5));
                c50 = Vector256.FusedMultiplyAdd(x, bLo, c50);
                c51 = Vector256.FusedMultiplyAdd(x, bHi, c51);
            }

            a = ref Unsafe.Add(ref a, THeight.Rows);
            b = ref Unsafe.Add(ref b, bStride);
        }

        Put(c00, c01, ref target, beta);
        Put(c10, c11, ref Unsafe.Add(ref target, stride), beta);
        Put(c20, c21, ref Unsafe.Add(ref target, 2 * stride), beta);
        Put(c30, c31, ref Unsafe.Add(ref target, 3 * stride), beta);
        if (six)
        {
            Put(c40, c41, ref Unsafe.Add(ref target, 4 * stride), beta);
            Put(c50, c51, ref Unsafe.Add(ref target, 5 * stride), beta);
        }
    }

    /// <summary>
    /// Asks for the lines of a tile's rows of C (<paramref name="rows"/> rows of <paramref name="width"/> floats,
    /// <paramref name="stride"/> apart) to be brought into L1 while the micro-kernel runs its k loop, so that adding the
    /// accumulators into C at the end does not wait for them.
    /// </summary>
    /// <remarks>
    /// C is usually far away when its tile is reached: a weight gradient δᵀ·[X | H | 1] sums over k = T·B in blocks of
    /// 256, so every tile of C (1.2 MB for the char-LM's 1024×289) goes back out to L3 between one block and the next,
    /// and a GRU's step rows, written by the input projection for all steps at once, come back from L3 for the
    /// recurrent product to add into (an LSTM's or RNN's step multiplies [x_t | h_{t−1}] in one product instead). A depth block's loop is hundreds of cycles; a line from L3 or memory, one to a few.
    /// Alternated blocks of training steps in one process, Zen 3 (AVX2), against no prefetch: adding-lstm-h128 0.975
    /// (twice), bptt-t1000 0.97, the char-LM 0.98–0.99, the others 0.99–1.01; prefetching only before k loops of 128 or
    /// more, or 64, or 256 (which took adding-h128's gain away: its forward products are 128 deep) against always:
    /// 0.97–1.01, within the noise, so it always runs. The 1024×2048×289 weight gradient alone, one core: 14.9–15.6 →
    /// 14.6–14.8 ms.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchTile(ref float target, nint stride, int rows, int width)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            ref float row = ref Unsafe.Add(ref target, r * stride);
            for (int at = 0; at < width; at += 16)
            {
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref row, at)));
            }

            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref row, width - 1)));   // a row not on a line boundary ends on one more
        }
    }

    /// <summary>A micro-tile's height, as a type argument of <see cref="MicroKernel{THeight}"/> and <see cref="MicroKernelWide{THeight}"/>.</summary>
    private interface ITileHeight
    {
        static abstract int Rows { get; }
    }

    /// <summary>The tall tile: 6 rows.</summary>
    private readonly struct SixRows : ITileHeight
    {
        public static int Rows => 6;
    }

    /// <summary>The 512-bit tile: 8 rows.</summary>
    private readonly struct EightRows : ITileHeight
    {
        public static int Rows => 8;
    }

    /// <summary>The short tile at either width: 4 rows (<see cref="ShortRows"/>).</summary>
    private readonly struct FourRows : ITileHeight
    {
        public static int Rows => ShortRows;
    }

    /// <summary>
    /// The 8×32 tile with 512-bit vectors (16 accumulators of the 32 zmm registers), or for <see cref="FourRows"/> the
    /// 4×32 one (8): the same loop as <see cref="MicroKernel{THeight}"/>, wider.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernelWide<THeight>(int depth, ref float a, ReadOnlySpan<float> block, nint bStride, ref float target, nint stride, float beta)
        where THeight : struct, ITileHeight
    {
        bool eight = THeight.Rows == 8;
        PrefetchTile(ref target, stride, THeight.Rows, 32);

        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        ref float b = ref MemoryMarshal.GetReference(block);
        for (int p = 0; p < depth; p++)
        {
            Vector512<float> bLo = Vector512.LoadUnsafe(ref b);
            Vector512<float> bHi = Vector512.LoadUnsafe(ref b, 16);
            Vector512<float> x = Vector512.Create(a);
            c00 = Vector512.FusedMultiplyAdd(x, bLo, c00);
            c01 = Vector512.FusedMultiplyAdd(x, bHi, c01);
            x = Vector512.Create(Unsafe.Add(ref a, 1));
            c10 = Vector512.FusedMultiplyAdd(x, bLo, c10);
            c11 = Vector512.FusedMultiplyAdd(x, bHi, c11);
            x = Vector512.Create(Unsafe.Add(ref a, 2));
            c20 = Vector512.FusedMultiplyAdd(x, bLo, c20);
            c21 = Vector512.FusedMultiplyAdd(x, bHi, c21);
            x = Vector512.Create(Unsafe.Add(ref a, 3));
            c30 = Vector512.FusedMultiplyAdd(x, bLo, c30);
            c31 = Vector512.FusedMultiplyAdd(x, bHi, c31);
            if (eight)
            {
                x = Vector512.Create(Unsafe.Add(ref a, 4));
                c40 = Vector512.FusedMultiplyAdd(x, bLo, c40);
                c41 = Vector512.FusedMultiplyAdd(x, bHi, c41);
                x = Vector512.Create(Unsafe.Add(ref a, 5));
                c50 = Vector512.FusedMultiplyAdd(x, bLo, c50);
                c51 = Vector512.FusedMultiplyAdd(x, bHi, c51);
                x = Vector512.Create(Unsafe.Add(ref a, 6));
                c60 = Vector512.FusedMultiplyAdd(x, bLo, c60);
                c61 = Vector512.FusedMultiplyAdd(x, bHi, c61);
                x = Vector512.Create(Unsafe.Add(ref a, 7));
                c70 = Vector512.FusedMultiplyAdd(x, bLo, c70);
                c71 = Vector512.FusedMultiplyAdd(x, bHi, c71);
            }

            a = ref Unsafe.Add(ref a, THeight.Rows);
            b = ref Unsafe.Add(ref b, bStride);
        }

        Put(c00, c01, ref target, beta);
        Put(c10, c11, ref Unsafe.Add(ref target, stride), beta);
        Put(c20, c21, ref Unsafe.Add(ref target, 2 * stride), beta);
        Put(c30, c31, ref Unsafe.Add(ref target, 3 * stride), beta);
        if (eight)
        {
            Put(c40, c41, ref Unsafe.Add(ref target, 4 * stride), beta);
            Put(c50, c51, ref Unsafe.Add(ref target, 5 * stride), beta);
            Put(c60, c61, ref Unsafe.Add(ref target, 6 * stride), beta);
            Put(c70, c71, ref Unsafe.Add(ref target, 7 * stride), beta);
        }
    }

    /// <summary>
    /// The left half of a tile: one vector of columns, MR accumulators (8 or 4 of 512-bit lanes, 6 or 4 of 256-bit),
    /// into the tile buffer at a row stride of the panel width (two vectors).
    /// </summary>
    /// <remarks>T.Count is a constant in each instantiation, so the JIT keeps only the rows that width can have.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernelHalf<T>(int depth, ref float a, ReadOnlySpan<float> block, nint bStride, Span<float> tile, int rows)
        where T : struct, ILanes<T>
    {
        bool tall = rows > ShortRows;                 // 6 or 8 rows, else 4
        bool wide = T.Count == 16 && tall;            // 8 rows
        int width = 2 * T.Count;
        T c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int p = 0; p < depth; p++)
        {
            T b = T.Load(block, (int)(p * bStride));
            c0 = T.FusedMultiplyAdd(T.Create(a), b, c0);
            c1 = T.FusedMultiplyAdd(T.Create(Unsafe.Add(ref a, 1)), b, c1);
            c2 = T.FusedMultiplyAdd(T.Create(Unsafe.Add(ref a, 2)), b, c2);
            c3 = T.FusedMultiplyAdd(T.Create(Unsafe.Add(ref a, 3)), b, c3);
            if (tall)
            {
                c4 = T.FusedMultiplyAdd(T.Create(Unsafe.Add(ref a, 4)), b, c4);
                c5 = T.FusedMultiplyAdd(T.Create(Unsafe.Add(ref a, 5)), b, c5);
            }

            if (wide)
            {
                c6 = T.FusedMultiplyAdd(T.Create(Unsafe.Add(ref a, 6)), b, c6);
                c7 = T.FusedMultiplyAdd(T.Create(Unsafe.Add(ref a, 7)), b, c7);
            }

            a = ref Unsafe.Add(ref a, rows);
        }

        c0.Store(tile, 0); c1.Store(tile, width); c2.Store(tile, 2 * width); c3.Store(tile, 3 * width);
        if (tall)
        {
            c4.Store(tile, 4 * width);
            c5.Store(tile, 5 * width);
        }

        if (wide)
        {
            c6.Store(tile, 6 * width);
            c7.Store(tile, 7 * width);
        }
    }

    /// <summary>
    /// The first 8 columns of an 8-row (or, for <see cref="FourRows"/>, 4-row) tile of a 512-bit panel, with 256-bit vectors (8 accumulators, or 4),
    /// into the tile buffer at a row stride of the panel width (32): for a last panel of at most 8 columns.
    /// </summary>
    /// <remarks>
    /// The half-panel kernel would issue the same number of FMAs, each 512 bits wide. Where the CPU splits a 512-bit FMA
    /// into two 256-bit halves (Zen 4: one 512-bit FMA a cycle against two 256-bit ones), that is twice the time for
    /// columns that are not there; where it does not (Zen 5, Intel), the two cost the same. The sums are the same chains.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernelQuarter<THeight>(int depth, ref float a, ReadOnlySpan<float> block, nint bStride, Span<float> tile)
        where THeight : struct, ITileHeight
    {
        bool eight = THeight.Rows == 8;
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        ref float b = ref MemoryMarshal.GetReference(block);
        for (int p = 0; p < depth; p++)
        {
            Vector256<float> bLo = Vector256.LoadUnsafe(ref b);
            c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a), bLo, c0);
            c1 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref a, 1)), bLo, c1);
            c2 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref a, 2)), bLo, c2);
            c3 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref a, 3)), bLo, c3);
            if (eight)
            {
                c4 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref a, 4)), bLo, c4);
                c5 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref a, 5)), bLo, c5);
                c6 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref a, 6)), bLo, c6);
                c7 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref a, 7)), bLo, c7);
            }

            a = ref Unsafe.Add(ref a, THeight.Rows);
            b = ref Unsafe.Add(ref b, bStride);
        }

        ref float t = ref MemoryMarshal.GetReference(tile);
        c0.StoreUnsafe(ref t); c1.StoreUnsafe(ref t, 32); c2.StoreUnsafe(ref t, 64); c3.StoreUnsafe(ref t, 96);
        if (eight)
        {
            c4.StoreUnsafe(ref t, 128); c5.StoreUnsafe(ref t, 160); c6.StoreUnsafe(ref t, 192); c7.StoreUnsafe(ref t, 224);
        }
    }

    /// <summary>One tile row of two 256-bit accumulators: row ← acc (β = 0) or β·row + acc, as <see cref="Store"/> rounds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector256<float> low, Vector256<float> high, ref float row, float beta)
    {
        if (beta != 0f)
        {
            var b = Vector256.Create(beta);
            low = Vector256.FusedMultiplyAdd(b, Vector256.LoadUnsafe(ref row), low);
            high = Vector256.FusedMultiplyAdd(b, Vector256.LoadUnsafe(ref row, 8), high);
        }

        low.StoreUnsafe(ref row);
        high.StoreUnsafe(ref row, 8);
    }

    /// <summary>One tile row of two 512-bit accumulators (see the 256-bit overload).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector512<float> low, Vector512<float> high, ref float row, float beta)
    {
        if (beta != 0f)
        {
            var b = Vector512.Create(beta);
            low = Vector512.FusedMultiplyAdd(b, Vector512.LoadUnsafe(ref row), low);
            high = Vector512.FusedMultiplyAdd(b, Vector512.LoadUnsafe(ref row, 16), high);
        }

        low.StoreUnsafe(ref row);
        high.StoreUnsafe(ref row, 16);
    }

    /// <summary>C[i.., j0..] ← tile + β·C for the tile's valid rows and columns; full-width rows with inline vector code.</summary>
    private static void Store(ReadOnlySpan<float> tile, int rows, int width, Span<float> c, int i, int j0, int n, int columns, float beta)
    {
        ref float t = ref MemoryMarshal.GetReference(tile);
        ref float c0 = ref MemoryMarshal.GetReference(c);
        if (columns == width)
        {
            var betaVector = Vector256.Create(beta);
            for (int r = 0; r < rows; r++)
            {
                ref float target = ref Unsafe.Add(ref c0, ((i + r) * n) + j0);
                for (int v = 0; v < width; v += 8)
                {
                    Vector256<float> value = Vector256.LoadUnsafe(ref t, (nuint)((r * width) + v));
                    if (beta != 0f)
                    {
                        value = Vector256.FusedMultiplyAdd(betaVector, Vector256.LoadUnsafe(ref target, (nuint)v), value);
                    }

                    value.StoreUnsafe(ref target, (nuint)v);
                }
            }

            return;
        }

        for (int r = 0; r < rows; r++)
        {
            ref float target = ref Unsafe.Add(ref c0, ((i + r) * n) + j0);
            for (int j = 0; j < columns; j++)
            {
                float value = Unsafe.Add(ref t, (r * width) + j);
                Unsafe.Add(ref target, j) = beta == 0f ? value : MathF.FusedMultiplyAdd(beta, Unsafe.Add(ref target, j), value);   // rounded as the vector rows are
            }
        }
    }

    private static void CheckLength(int actual, long needed, string name, string formula)
    {
        if (actual < needed)
        {
            throw new ArgumentException($"Gemm: span '{name}' has {actual} elements but {formula} = {needed} are needed.", name);
        }
    }
}
