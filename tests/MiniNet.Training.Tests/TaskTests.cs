using FluentAssertions;
using MathNet.Numerics.Random;
using MiniNet.Autograd;
using MiniNet.Training;
using Xunit;

namespace MiniNet.Training.Tests;

/// <summary>The generators produce what the tasks promise, and the baselines are what a constant guess scores.</summary>
public sealed class TaskTests
{
    [Fact]
    public void Adding_has_one_marker_in_each_half_and_targets_their_sum()
    {
        var task = new AddingTask(20);
        TaskBatch batch = task.Sample(50, new MersenneTwister(1));
        batch.Inputs.Shape.Should().Equal(50, 20, 2);
        for (int b = 0; b < 50; b++)
        {
            var marked = Enumerable.Range(0, 20).Where(t => batch.Inputs[b, t, 1] == 1f).ToArray();
            marked.Should().HaveCount(2);
            marked[0].Should().BeLessThan(10);
            marked[1].Should().BeGreaterThanOrEqualTo(10);
            batch.Targets![b, 0].Should().BeApproximately(batch.Inputs[b, marked[0], 0] + batch.Inputs[b, marked[1], 0], 1e-6f);
        }
    }

    [Fact]
    public void Constant_guesses_score_the_documented_baselines()
    {
        var random = new MersenneTwister(2);
        var adding = new AddingTask(10);
        TaskBatch a = adding.Sample(20_000, random);
        adding.Loss(Tensor.Full([20_000, 1], 1f), a).Item().Should().BeApproximately((float)adding.Baseline, 0.005f);

        var multiplication = new MultiplicationTask(10);
        TaskBatch m = multiplication.Sample(20_000, random);
        multiplication.Loss(Tensor.Full([20_000, 1], 0.25f), m).Item().Should().BeApproximately((float)multiplication.Baseline, 0.003f);

        foreach (var order in new[] { new TemporalOrderTask(20, 2), new TemporalOrderTask(30, 3) })
        {
            TaskBatch o = order.Sample(2000, random);
            order.Loss(Tensor.Zeros([2000, order.OutputSize]), o).Item().Should().BeApproximately((float)order.Baseline, 1e-5f);
            o.Labels.Should().OnlyContain(l => l >= 0 && l < order.OutputSize);
            o.Labels!.Distinct().Should().HaveCount(order.OutputSize, "every order occurs");
        }

        var copy = new CopyMemoryTask(15);
        TaskBatch c = copy.Sample(200, random);
        // The baseline guess: blank with certainty where the target is blank, uniform over the 8 symbols where it is not.
        var logits = new float[200 * copy.SequenceLength * 10];
        for (int i = 0; i < 200 * copy.SequenceLength; i++)
        {
            bool recall = i % copy.SequenceLength >= copy.Delay + 10;
            for (int k = 0; k < 10; k++)
            {
                logits[(i * 10) + k] = recall ? (k is >= 1 and <= 8 ? 0f : -100f) : (k == 0 ? 100f : -100f);
            }
        }

        copy.Loss(Tensor.FromArray(logits, [200, copy.SequenceLength, 10]), c).Item().Should().BeApproximately((float)copy.Baseline, 1e-4f);
    }

    [Fact]
    public void Temporal_order_puts_its_relevant_symbols_in_their_windows_and_labels_their_order()
    {
        var task = new TemporalOrderTask(50, 2);
        TaskBatch batch = task.Sample(100, new MersenneTwister(3));
        for (int b = 0; b < 100; b++)
        {
            var relevant = Enumerable.Range(0, 50).Where(t => batch.Inputs[b, t, 4] == 1f || batch.Inputs[b, t, 5] == 1f).ToArray();
            relevant.Should().HaveCount(2);
            relevant[0].Should().BeInRange(5, 9);
            relevant[1].Should().BeInRange(25, 29);
            int label = ((batch.Inputs[b, relevant[0], 5] == 1f ? 1 : 0) << 1) | (batch.Inputs[b, relevant[1], 5] == 1f ? 1 : 0);
            batch.Labels![b].Should().Be(label);
        }
    }

    [Fact]
    public void Copy_memory_recalls_the_first_ten_symbols_after_the_delimiter()
    {
        var task = new CopyMemoryTask(5);
        TaskBatch batch = task.Sample(3, new MersenneTwister(4));
        int steps = task.SequenceLength;
        steps.Should().Be(25);
        for (int b = 0; b < 3; b++)
        {
            batch.Inputs[b, 5 + 10 - 1, 9].Should().Be(1f, "the delimiter comes after the delay");
            for (int t = 0; t < 10; t++)
            {
                int symbol = Enumerable.Range(0, 10).Single(k => batch.Inputs[b, t, k] == 1f);
                symbol.Should().BeInRange(1, 8);
                batch.Labels![(b * steps) + 15 + t].Should().Be(symbol);
            }

            batch.Labels!.Skip(b * steps).Take(15).Should().OnlyContain(l => l == 0);
        }
    }

    [Fact]
    public void Same_seed_same_batches_and_unknown_tasks_list_the_valid_ones()
    {
        var task = new AddingTask(30);
        task.Sample(4, new MersenneTwister(9)).Inputs.Data.Should().Equal(task.Sample(4, new MersenneTwister(9)).Inputs.Data);
        Action act = () => TaskCatalog.Create("addition", 10);
        act.Should().Throw<ArgumentException>().WithMessage("Unknown task 'addition'; valid tasks are adding, multiplication, temporal-order, temporal-order-3bit, copy.*");
    }
}
