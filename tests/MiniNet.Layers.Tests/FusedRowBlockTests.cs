using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Kernels;
using Xunit;

namespace MiniNet.Layers.Tests;

/// <summary>
/// Tests that need <see cref="MiniNet.Kernels.CoreTeam"/> to themselves run alone: while another test holds the team, a
/// time loop's blocks run on the thread pool, possibly one after the other, and no rows can be handed over (a run of the
/// whole suite once saw none in ten tries).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CoreTeamToItself
{
    public const string Name = "Core team to itself";
}

/// <summary>
/// The fused layers run their time loops over blocks of batch rows on all cores at once (<see cref="BatchRowBlocks"/>);
/// a row's numbers do not depend on the other rows, so a batch of 37 (split unevenly between the cores), or of 8 in
/// blocks of 4, gives, row for row, the same bits as each sequence run alone — forward, and the input and
/// initial-state gradients of backward — and the whole batch on one core gives the same bits as split between the cores.
/// </summary>
[Collection(CoreTeamToItself.Name)]
public sealed class FusedRowBlockTests
{
    private const int Steps = 9, Hidden = 24, InputSize = 3;

    /// <summary>
    /// 37 rows at 512 and 256 bits (blocks of at least 4, the short micro-tile at either width); 8 rows, two blocks of 4,
    /// as bptt-t1000's batch runs.
    /// </summary>
    [Theory]
    [InlineData("lstm", 37, 512, 9)]
    [InlineData("gru", 37, 512, 9)]
    [InlineData("rnn", 37, 512, 9)]
    [InlineData("lstm", 37, 256, 9)]
    [InlineData("lstm", 8, 256, 2)]
    [InlineData("gru", 8, 256, 2)]
    [InlineData("rnn", 8, 256, 2)]
    [InlineData("lstm", 8, 512, 2)]
    [InlineData("gru", 8, 512, 2)]
    [InlineData("rnn", 8, 512, 2)]
    public void A_batch_split_between_the_cores_gives_each_row_what_it_gets_alone(string kind, int batch, int bits, int mostBlocks)
    {
        using IDisposable width = KernelOptions.Use(KernelOptions.Current with { VectorBits = bits });
        BatchRowBlocks.For(batch).Should().Be(Math.Min(Environment.ProcessorCount, mostBlocks), $"{batch} rows make blocks of at least one micro-tile at {bits} bits");
        TheSplitGivesEachRowWhatItGetsAlone(kind, batch);
    }

    /// <summary>
    /// Rows handed over between the cores mid-loop (<see cref="RowBlock"/>): started lopsided (one core with all but one
    /// smallest block), the other core finishes early and takes shares of the first's rows, forward and backward; each
    /// row still gets the bits it gets alone, and on one core.
    /// </summary>
    [Theory]
    [InlineData("lstm", 37, 256)]
    [InlineData("gru", 37, 256)]
    [InlineData("rnn", 37, 256)]
    [InlineData("lstm", 37, 512)]
    [InlineData("gru", 37, 512)]
    public void Rows_handed_over_between_the_cores_mid_loop_give_the_same_bits(string kind, int batch, int bits)
    {
        if (Environment.ProcessorCount < 2)
        {
            BatchRowBlocks.For(batch).Should().Be(1, "one core runs the whole batch as one block and hands nothing over");
            return;
        }

        using IDisposable width = KernelOptions.Use(KernelOptions.Current with { VectorBits = bits });
        BatchRowBlocks.LopsidedStartForTests = true;
        try
        {
            int handOvers = 0;
            // A helper that starts late (other test processes on the cores) may find no rows left to take: try again.
            for (int attempt = 0; attempt < 50 && handOvers == 0; attempt++)
            {
                int before = 0;
                TheSplitGivesEachRowWhatItGetsAlone(kind, batch, () => before += BatchRowBlocks.LastHandOvers);
                handOvers += before;
            }

            handOvers.Should().BePositive("the core that started with one smallest block finishes first and takes a share");
        }
        finally
        {
            BatchRowBlocks.LopsidedStartForTests = false;
        }
    }

    private static void TheSplitGivesEachRowWhatItGetsAlone(string kind, int batch, Action? afterSplitRun = null)
    {
        int gates = kind switch { "lstm" => 4, "gru" => 3, _ => 1 };
        float[] x = Tensor.RandomNormal([batch, Steps, InputSize], seed: 1).Data;
        float[] h0 = Tensor.RandomNormal([batch, Hidden], seed: 2).Data;
        float[] c0 = Tensor.RandomNormal([batch, Hidden], seed: 3).Data;
        Tensor weightIh = Tensor.RandomNormal([gates * Hidden, InputSize], seed: 4, std: 0.4f);
        Tensor weightHh = Tensor.RandomNormal([gates * Hidden, Hidden], seed: 5, std: 0.2f);
        Tensor bias = Tensor.RandomNormal([gates * Hidden], seed: 6, std: 0.1f);

        float[][] whole;
        using (KernelOptions.Use(KernelOptions.Current with { Cores = CoreUse.All }))   // the split, whatever is measured faster
        {
            whole = Run(kind, x, h0, c0, batch, weightIh, weightHh, bias, afterSplitRun);
        }

        float[][] oneCore;
        using (KernelOptions.Use(KernelOptions.Current with { Cores = CoreUse.One }))
        {
            oneCore = Run(kind, x, h0, c0, batch, weightIh, weightHh, bias);
        }

        for (int part = 0; part < whole.Length; part++)
        {
            oneCore[part].Should().Equal(whole[part], $"output {part} on one core and on all");
        }

        for (int b = 0; b < batch; b++)
        {
            float[][] alone = Run(kind, Row(x, b, Steps * InputSize), Row(h0, b, Hidden), Row(c0, b, Hidden), 1, weightIh, weightHh, bias);
            int[] perRow = [Steps * Hidden, Hidden, Hidden, Steps * InputSize, Hidden, Hidden];
            for (int part = 0; part < perRow.Length; part++)
            {
                alone[part].Should().Equal(Row(whole[part], b, perRow[part]), $"row {b}, output {part}");
            }
        }
    }

    private static float[] Row(float[] data, int row, int width) => data.AsSpan(row * width, width).ToArray();

    /// <summary>
    /// The output, h_n, c_n, and the gradients of x, h0 and c0 of a sum of all the outputs (for the GRU and the RNN,
    /// which have no cell state, h_n and h0's gradient stand in for c_n and c0's).
    /// </summary>
    /// <remarks><paramref name="afterLoop"/> runs after the forward time loop and after the backward one.</remarks>
    private static float[][] Run(string kind, float[] x, float[] h0, float[] c0, int batch, Tensor weightIh, Tensor weightHh, Tensor bias,
        Action? afterLoop = null)
    {
        Tensor input = Tensor.FromArray(x, [batch, Steps, InputSize], requiresGrad: true);
        Tensor hidden = Tensor.FromArray(h0, [batch, Hidden], requiresGrad: true);
        Tensor cell = Tensor.FromArray(c0, [batch, Hidden], requiresGrad: true);
        if (kind == "lstm")
        {
            LstmSequenceResult result = FusedLstm.Run(input, weightIh, weightHh, bias, bias, hidden, cell, batchFirst: true);
            afterLoop?.Invoke();
            (Squashed(result.Output) + Squashed(result.HN) + (Squashed(result.CN) * 2f)).Backward();
            afterLoop?.Invoke();
            return [result.Output.Data, result.HN.Data, result.CN.Data, input.Grad!.Data, hidden.Grad!.Data, cell.Grad!.Data];
        }

        (Tensor output, Tensor hn) = kind == "gru"
            ? FusedGru.Run(input, weightIh, weightHh, bias, bias, hidden, batchFirst: true)
            : FusedRnn.Run(input, weightIh, weightHh, bias, bias, hidden, relu: false, batchFirst: true);
        afterLoop?.Invoke();
        (Squashed(output) + (Squashed(hn) * 2f)).Backward();
        afterLoop?.Invoke();
        return [output.Data, hn.Data, hn.Data, input.Grad!.Data, hidden.Grad!.Data, hidden.Grad!.Data];
    }

    /// <summary>A per-element function of the output, so each row's gradient depends only on that row.</summary>
    private static Tensor Squashed(Tensor t) => t.Tanh().Sum();
}
