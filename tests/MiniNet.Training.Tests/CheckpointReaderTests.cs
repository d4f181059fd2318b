using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Serialization;
using MiniNet.Training;
using Xunit;

namespace MiniNet.Training.Tests;

/// <summary>Checkpoints whose metadata or tensors are wrong are refused naming the file and the field, before anything large is allocated.</summary>
[Collection("Reliability")]
public sealed class CheckpointReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mininet-checkpoint-").FullName;
    private readonly string _good;

    public CheckpointReaderTests()
    {
        _good = Path.Combine(_folder, "good.safetensors");
        Trainer.Run(new TrainingConfig(Hidden: 4, SequenceLength: 5, Batch: 4, Steps: 3, EvalBatch: 8), new TrainingOptions(_good, CheckpointEvery: 3));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Rewrite(Func<Dictionary<string, Tensor>, Dictionary<string, string>, IEnumerable<(string, Tensor)>?> change)
    {
        var tensors = new Dictionary<string, Tensor>(Safetensors.Read(_good, out IReadOnlyDictionary<string, string> metadata));
        var meta = new Dictionary<string, string>(metadata);
        IEnumerable<(string, Tensor)> written = change(tensors, meta) ?? tensors.Select(kv => (kv.Key, kv.Value));
        string path = Path.Combine(_folder, "changed.safetensors");
        Safetensors.Write(written, path, meta);
        return path;
    }

    [Theory]
    [InlineData("first_loss", "NaN", "its first loss (field 'first_loss') 'NaN' is not a finite, non-negative number")]
    [InlineData("step", "9223372036854775807", "its step (field 'step') '9223372036854775807' is not a whole number from 1 to the run's 3 steps")]
    [InlineData("solved_at", "7", "its solved step (field 'solved_at') '7' is not a whole number from 1 to its step 3")]
    [InlineData("data.generator", "replay", "its batch generator (field 'data.generator') is 'replay'")]
    [InlineData("data.next_step", "1", "its batch stream position (field 'data.next_step') '1' is not step + 1 = 4")]
    [InlineData("extra", "1", "its metadata has an unknown field 'extra'")]
    [InlineData("checkpoint_every", "-5", "its checkpoint interval (field 'checkpoint_every') '-5' is not a whole number of steps")]
    [InlineData("version", "1", "it was written by an earlier MiniNet (checkpoint version 1)")]
    [InlineData("optimizer.group.0.lr", "-1e30", "has the learning rate -1e30")]
    public void Bad_metadata_is_refused_naming_the_field(string key, string value, string expected)
    {
        string path = Rewrite((_, meta) =>
        {
            meta[key] = value;
            return null;
        });
        Action load = () => Trainer.Run(new TrainingConfig(), new TrainingOptions(ResumeFrom: path, ResumeSteps: 10));
        load.Should().Throw<InvalidDataException>().WithMessage($"'{path}' is not a valid MiniNet checkpoint: *{expected}*");
    }

    [Theory]
    [InlineData("{\"Task\":\"adding\",\"Hidden\":\"4\"}", "its settings (field 'config') are not valid")]
    [InlineData("{\"Task\":\"adding\",\"Hiddden\":4}", "its settings (field 'config') are not valid")]
    [InlineData("{\"Task\":\"adding\",\"Hidden\":8192,\"Layers\":3}", "its settings (field 'config')")]
    [InlineData("{\"Task\":\"adding\",\"LearningRate\":-1e30}", "its settings (field 'config') are not valid (--lr")]
    [InlineData("{\"Task\":\"adding\",\"Steps\":-1}", "its settings (field 'config') are not valid (--steps -1 is invalid")]
    public void Bad_settings_are_refused_before_the_model_is_built(string config, string expected)
    {
        string path = Rewrite((_, meta) =>
        {
            meta["config"] = config;
            return null;
        });
        long before = GC.GetAllocatedBytesForCurrentThread();
        Action load = () => Checkpoint.Load(path);
        load.Should().Throw<InvalidDataException>().WithMessage($"'{path}' is not a valid MiniNet checkpoint: {expected}*");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(16L << 20, "an 8192-wide model is refused, not built");
    }

    [Fact]
    public void Unknown_tensors_and_missing_optimizer_state_are_refused()
    {
        string stray = Rewrite((tensors, _) => tensors.Select(kv => (kv.Key, kv.Value)).Append(("stray", Tensor.Ones([1]))));
        Action load = () => Checkpoint.Load(stray);
        load.Should().Throw<InvalidDataException>().WithMessage("*it has a tensor 'stray' that is neither model.* nor optimizer.*");

        string missing = Rewrite((tensors, _) => tensors.Where(kv => !kv.Key.EndsWith(".exp_avg_sq", StringComparison.Ordinal) || !kv.Key.Contains("head.bias", StringComparison.Ordinal))
            .Select(kv => (kv.Key, kv.Value)));
        Action resume = () => Trainer.Run(new TrainingConfig(), new TrainingOptions(ResumeFrom: missing, ResumeSteps: 10));
        resume.Should().Throw<InvalidDataException>().WithMessage("*lacks the Adam buffer 'head.bias.exp_avg_sq'*");
    }
}
