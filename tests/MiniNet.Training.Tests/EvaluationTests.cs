using FluentAssertions;
using MiniNet.Autograd;
using Xunit;

namespace MiniNet.Training.Tests;

/// <summary>A held-out batch too long for one pass is evaluated in chunks of sequences, to the same loss and accuracy.</summary>
public sealed class EvaluationTests
{
    [Theory]
    [InlineData("adding", "lstm")]
    [InlineData("temporal-order", "gru")]
    [InlineData("copy", "lstm")]
    public void A_large_batch_is_evaluated_in_chunks_to_the_whole_batchs_mean(string taskName, string model)
    {
        ISequenceTask task = TaskCatalog.Create(taskName, 700);
        var network = new SequenceModel(model, task.InputSize, 8, 1, task.OutputSize, task.Readout, new Random(1));
        TaskBatch test = task.Sample(200, new Random(2));   // 200 sequences of 700 or more steps: chunks of at most 93
        (Trainer.EvaluationChunkSteps / test.Inputs.Shape[1]).Should().BeLessThan(200, "the batch is chunked");

        (double loss, double accuracy) = Trainer.Evaluate(network, task, test);

        // The reference: every sequence on its own (a row's numbers do not depend on the other rows), averaged in double.
        double expectedLoss = 0, expectedAccuracy = 0;
        using (NoGrad.Scope())
        {
            for (int b = 0; b < test.Count; b++)
            {
                TaskBatch one = test.Slice(b, 1);
                Tensor prediction = network.Forward(one.Inputs);
                expectedLoss += task.Loss(prediction, one).Item() / test.Count;
                expectedAccuracy += task.Accuracy(prediction, one) / test.Count;
            }
        }

        // Each chunk's loss is one float mean over up to 93 × 720 terms, which rounds to about 1e-4 relative (the whole
        // batch's single float mean differed from this reference by 1.6e-4 on the 256-bit path); a chunk weighted wrongly
        // would be off by a hundred times that.
        loss.Should().BeApproximately(expectedLoss, 3e-4 * Math.Max(1, Math.Abs(expectedLoss)));
        accuracy.Should().BeApproximately(expectedAccuracy, 1e-9);
    }

    [Fact]
    public void Each_chunk_gives_its_arrays_back_before_the_next_is_evaluated()
    {
        ISequenceTask task = TaskCatalog.Create("copy", 700);   // every step read out: a chunk's prediction is large
        var model = new RecordingModel(new SequenceModel("lstm", task.InputSize, 8, 1, task.OutputSize, task.Readout, new Random(1)));
        TaskBatch test = task.Sample(300, new Random(2));

        Trainer.Evaluate(model, task, test);

        model.Predictions.Should().HaveCountGreaterThan(2, "the batch is chunked");
        model.PreviousLiveAtACall.Should().Be(0, "a chunk's tensors are released when it ends, not when the whole evaluation does");
    }

    [Fact]
    public void A_slice_of_a_batch_holds_its_sequences_targets_and_labels()
    {
        TaskBatch regression = TaskCatalog.Create("adding", 5).Sample(6, new Random(3));
        TaskBatch part = regression.Slice(2, 3);
        part.Inputs.Shape.Should().Equal(3, 5, 2);
        part.Inputs.Data.Should().Equal(regression.Inputs.Data.Skip(2 * 10).Take(30));
        part.Targets!.Data.Should().Equal(regression.Targets!.Data.Skip(2).Take(3));

        TaskBatch everyStep = TaskCatalog.Create("copy", 30).Sample(4, new Random(4));
        everyStep.Slice(1, 2).Labels.Should().Equal(everyStep.Labels!.Skip(everyStep.Labels!.Length / 4).Take(everyStep.Labels!.Length / 2));
        FluentActions.Invoking(() => regression.Slice(5, 2)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[5, 7)*batch of 6*");
    }

    /// <summary>A model that keeps what it returned, and counts the calls at which its previous prediction was still readable.</summary>
    private sealed class RecordingModel(ISequenceModel inner) : ISequenceModel
    {
        public List<Tensor> Predictions { get; } = [];

        public int PreviousLiveAtACall { get; private set; }

        public Tensor Forward(Tensor inputs)
        {
            if (Predictions.Count > 0 && !Predictions[^1].IsDisposed)
            {
                PreviousLiveAtACall++;
            }

            Tensor prediction = inner.Forward(inputs);
            Predictions.Add(prediction);
            return prediction;
        }

        public IEnumerable<(string Name, Tensor Parameter)> NamedParameters() => inner.NamedParameters();
    }
}
