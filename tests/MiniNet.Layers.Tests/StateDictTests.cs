using System.Text;
using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Layers;
using MiniNet.Serialization;
using Xunit;

namespace MiniNet.Layers.Tests;

/// <summary>Safetensors state dicts: round trips, PyTorch files, mismatches and corrupt files.</summary>
public sealed class StateDictTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mininet-statedict-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    internal static void CopyParameters(Module from, Module to)
    {
        var source = from.Parameters();
        var target = to.Parameters();
        for (int i = 0; i < source.Count; i++)
        {
            source[i].Data.CopyTo(target[i].Data, 0);
        }
    }

    [Fact]
    public void Save_then_load_reproduces_the_outputs_exactly()
    {
        var model = new Lstm(3, 5, numLayers: 2, batchFirst: true);
        string path = Path.Combine(_folder, "lstm.safetensors");
        StateDict.Save(model, path);

        var restored = new Lstm(3, 5, numLayers: 2, batchFirst: true, random: new MathNet.Numerics.Random.MersenneTwister(99));
        Tensor x = Tensor.RandomNormal([2, 4, 3], seed: 1);
        restored.Forward(x).Data.Should().NotEqual(model.Forward(x).Data);
        StateDict.Load(restored, path);
        restored.Forward(x).Data.Should().Equal(model.Forward(x).Data);
        Directory.GetFiles(_folder).Should().Equal([path], "the temporary file is renamed into place, not left behind");
    }

    [Fact]
    public void A_file_written_by_PyTorch_reproduces_PyTorch_outputs()
    {
        // lstm_2layer_state.safetensors was written from torch.nn.LSTM's state_dict by tests/fixtures/generate.py.
        LayerCase c = LayerFixtures.Cases["lstm_2layer_state"];
        var lstm = new Lstm(5, 4, numLayers: 2, batchFirst: true);
        StateDict.Load(lstm, c.WeightsPath);
        LstmOutput o = lstm.Forward(c.Input("x"), new LstmState(c.Input("h0"), c.Input("c0")));
        LayerFixtures.AssertClose(o.Output, c.Outputs().First(p => p.Name == "output").Expected, 1e-5f, 1e-6f, "output");
    }

    [Fact]
    public void The_written_file_follows_the_safetensors_layout()
    {
        var linear = new Linear(3, 2);
        string path = Path.Combine(_folder, "linear.safetensors");
        StateDict.Save(linear, path);
        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = BitConverter.ToInt64(bytes, 0);
        (headerLength % 8).Should().Be(0, "the header is padded to 8 bytes");
        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        header.Should().Contain("\"weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}")
            .And.Contain("\"bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}");
        bytes.Length.Should().Be(8 + (int)headerLength + 32);
        BitConverter.ToSingle(bytes, 8 + (int)headerLength).Should().Be(linear.Weight.Data[0]);
    }

    [Fact]
    public void Mismatches_are_all_named_and_nothing_is_changed()
    {
        string path = Path.Combine(_folder, "small.safetensors");
        Safetensors.Write([("weight_ih_l0", Tensor.Zeros([12, 2])), ("weight_hh_l0", Tensor.Zeros([12, 3])), ("extra", Tensor.Zeros([1]))], path);
        var lstm = new Lstm(2, 4);
        float[] before = lstm.Parameters()[0].Data.ToArray();

        Action act = () => StateDict.Load(lstm, path);
        StateDictMismatchException e = act.Should().Throw<StateDictMismatchException>().Which;
        e.Message.Should().Be(
            $"Cannot load '{path}' into Lstm: missing bias_ih_l0, bias_hh_l0; unexpected extra; " +
            "shape mismatch: weight_ih_l0 is [12, 2] in the file but [16, 2] in the model; weight_hh_l0 is [12, 3] in the file but [16, 4] in the model; " +
            "check that the model is built with the same sizes and layers as the one that was saved (or pass strict: false to skip missing and unexpected names).");
        e.Missing.Should().Equal("bias_ih_l0", "bias_hh_l0");
        e.Unexpected.Should().Equal("extra");
        lstm.Parameters()[0].Data.Should().Equal(before);
    }

    [Fact]
    public void Non_strict_load_skips_missing_and_unexpected_names()
    {
        string path = Path.Combine(_folder, "partial.safetensors");
        Safetensors.Write([("weight", Tensor.Ones([2, 3])), ("other", Tensor.Ones([1]))], path);
        var linear = new Linear(3, 2);
        float[] bias = linear.Bias!.Data.ToArray();
        StateDict.Load(linear, path, strict: false);
        linear.Weight.Data.Should().OnlyContain(v => v == 1f);
        linear.Bias.Data.Should().Equal(bias);
    }

    [Fact]
    public void Corrupt_files_are_rejected_with_the_file_and_the_problem_named()
    {
        string good = Path.Combine(_folder, "good.safetensors");
        StateDict.Save(new Linear(3, 2), good);
        byte[] bytes = File.ReadAllBytes(good);
        int headerLength = (int)BitConverter.ToInt64(bytes, 0);

        ExpectCorrupt(bytes[..5], "too short for the 8-byte header length");
        ExpectCorrupt(bytes[..^4], "tensor 'bias' has data_offsets [24, 32] outside the 28 data bytes");
        ExpectCorrupt([.. BitConverter.GetBytes(long.MaxValue), .. bytes[8..]], "its header claims");
        ExpectCorrupt([.. bytes, 0, 0, 0, 0], "cover 32 data bytes but the file holds 36");
        byte[] garbled = (byte[])bytes.Clone();
        garbled[9] = (byte)'#';
        ExpectCorrupt(garbled, "its header is not valid JSON");
        ExpectCorrupt(WithHeader(bytes, headerLength, "F32", "F16"), "has dtype F16, but MiniNet reads float32 (F32) only");
        ExpectCorrupt(WithHeader(bytes, headerLength, "[24,32]", "[20,32]"), "'bias' of shape [2] needs 8 bytes but its offsets span 12");
        ExpectCorrupt(WithHeader(bytes, headerLength, "\"shape\":[2,3]", "\"shape\":[-2,3]"), "shape entry -2 that is not a non-negative 32-bit integer");

        Action missing = () => Safetensors.Read(Path.Combine(_folder, "nope.safetensors"));
        missing.Should().Throw<FileNotFoundException>().WithMessage("No safetensors file at '*nope.safetensors'.");
    }

    [Fact]
    public void Saving_into_a_missing_folder_says_so_and_leaves_the_old_file_intact_on_failure()
    {
        Action act = () => StateDict.Save(new Linear(1, 1), Path.Combine(_folder, "no", "such", "x.safetensors"));
        act.Should().Throw<DirectoryNotFoundException>().WithMessage("Cannot save '*x.safetensors': the folder '*' does not exist; create it first.");
    }

    private void ExpectCorrupt(byte[] content, string problem)
    {
        string path = Path.Combine(_folder, "bad.safetensors");
        File.WriteAllBytes(path, content);
        Action act = () => StateDict.Load(new Linear(3, 2), path);
        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' is not a valid safetensors file: *{problem}*");
    }

    private static byte[] WithHeader(byte[] bytes, int headerLength, string find, string replace)
    {
        string header = Encoding.UTF8.GetString(bytes, 8, headerLength).Replace(find, replace, StringComparison.Ordinal);
        header = header.TrimEnd().PadRight((header.TrimEnd().Length + 7) / 8 * 8);
        byte[] headerBytes = Encoding.UTF8.GetBytes(header);
        return [.. BitConverter.GetBytes((long)headerBytes.Length), .. headerBytes, .. bytes[(8 + headerLength)..]];
    }
}
