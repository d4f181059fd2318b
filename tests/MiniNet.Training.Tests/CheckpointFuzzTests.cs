using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using MathNet.Numerics.Random;
using MiniNet.Clipping;
using MiniNet.Optimizers;
using MiniNet.Training;
using Xunit;
using Xunit.Abstractions;

namespace MiniNet.Training.Tests;

/// <summary>
/// A seeded, structure-aware fuzz of the checkpoint reader: type confusion in every JSON field of the header, the metadata and
/// the stored settings, broken offsets, dtypes and shapes. Every file must load and restore, or be refused with an
/// <see cref="InvalidDataException"/> naming it: no other exception, no hang, and no file under 1 MB may make the reader allocate 64 MB.
/// </summary>
[Collection("Reliability")]
public sealed class CheckpointFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Files = 5000;

    private static readonly JsonNode?[] Confusions =
    [
        null, JsonValue.Create(true), JsonValue.Create(false), JsonValue.Create(0), JsonValue.Create(-1), JsonValue.Create(1e300),
        JsonValue.Create(9223372036854775807L), JsonValue.Create(2147483648L), JsonValue.Create(0.5), JsonValue.Create("0"), JsonValue.Create(""),
        JsonValue.Create("NaN"), JsonValue.Create("-1e30"), JsonValue.Create(new string('x', 300)), new JsonArray(), new JsonArray(0), new JsonArray(JsonValue.Create("1")),
        new JsonObject(), new JsonArray(new JsonArray(0)),
    ];

    private static readonly string[] ConfigValues =
    [
        "8192", "3", "0", "-1", "1000000000", "2147483647", "1e30", "-1e30", "\"NaN\"", "\"Infinity\"", "null", "true", "\"lstm\"", "\"gru\"", "\"\"", "[]", "{}", "1.5",
    ];

    private static readonly string[] MetadataValues =
    [
        "NaN", "Infinity", "-1", "0", "1", "9223372036854775807", "-1e30", "1e30", "", "abc", "3", "2", "1.5", "00003", " 3", "+3",
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("mininet-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Five_thousand_crafted_checkpoints_load_or_are_refused_cleanly_within_64_MB_each()
    {
        string goodPath = Path.Combine(_folder, "good.safetensors");
        Trainer.Run(new TrainingConfig(Hidden: 4, SequenceLength: 5, Batch: 4, Steps: 3, Clip: "skip-nonfinite+autoclip:50", Schedule: "cosine", EvalBatch: 8),
            new TrainingOptions(goodPath, CheckpointEvery: 3));
        byte[] good = File.ReadAllBytes(goodPath);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(good);
        JsonObject header = JsonNode.Parse(Encoding.UTF8.GetString(good, 8, headerLength))!.AsObject();
        byte[] data = good[(8 + headerLength)..];

        var random = new Random(20261201);
        string path = Path.Combine(_folder, "crafted.safetensors");
        int loaded = 0, refused = 0;
        long worstAllocation = 0;
        string worstKind = string.Empty;
        var kinds = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();
        for (int trial = 0; trial < Files; trial++)
        {
            (byte[] bytes, string kind) = Craft(header, data, random);
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            File.WriteAllBytes(path, bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var attempt = Stopwatch.StartNew();
            try
            {
                CheckpointState state = Checkpoint.Load(path);
                Restore(path, state);
                loaded++;
            }
            catch (InvalidDataException e)
            {
                e.Message.Should().Contain(path, $"a refusal names the file ({kind})");
                refused++;
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"trial {trial} ({kind}) crashed the reader with {e.GetType().Name}: {e.Message}", e);
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > worstAllocation)
            {
                (worstAllocation, worstKind) = (allocated, kind);
            }

            attempt.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), $"trial {trial} ({kind}) must not hang");
            bytes.Length.Should().BeLessThan(1 << 20);
            allocated.Should().BeLessThan(64L << 20, $"trial {trial} ({kind}) of {bytes.Length} bytes must not allocate 64 MB");
        }

        output.WriteLine($"{Files} crafted checkpoints in {clock.Elapsed.TotalSeconds:F1} s: {loaded} loaded, {refused} refused, 0 crashes; " +
            $"largest allocation {worstAllocation / 1024} KB ({worstKind}); mutations: {string.Join(", ", kinds.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}");
        refused.Should().BeGreaterThan(Files / 2);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromMinutes(1));
    }

    /// <summary>What a resume does with a loaded checkpoint before training: build the run and restore its state.</summary>
    private static void Restore(string path, CheckpointState state)
    {
        TrainingConfig c = state.Config;
        ISequenceTask task = TaskCatalog.Create(c.Task, c.SequenceLength);
        var model = new SequenceModel(c.Model, task.InputSize, c.Hidden, c.Layers, task.OutputSize, task.Readout, new MersenneTwister(c.Seed));
        Optimizer optimizer = OptimizerSpec.Create(c.Optimizer, model.Parameters(), c.LearningRate);
        LrSchedule? schedule = OptimizerSpec.CreateSchedule(c.Schedule, optimizer, c.Steps);
        IGradientClipper clipper = ClipperSpec.Parse(c.Clip);
        Checkpoint.Restore(path, state, model, optimizer, schedule, clipper);
    }

    private static (byte[] Bytes, string Kind) Craft(JsonObject original, byte[] data, Random random)
    {
        var header = (JsonObject)original.DeepClone();
        JsonObject metadata = header["__metadata__"]!.AsObject();
        string[] tensors = header.Select(p => p.Key).Where(k => k != "__metadata__").ToArray();
        JsonObject Tensor() => header[tensors[random.Next(tensors.Length)]]!.AsObject();
        JsonNode? Confusion() => Confusions[random.Next(Confusions.Length)]?.DeepClone();
        byte[] payload = data;
        string kind;
        switch (random.Next(12))
        {
            case 0:
                kind = "tensor field type";
                Tensor()[new[] { "dtype", "shape", "data_offsets" }[random.Next(3)]] = Confusion();
                break;
            case 1:
                kind = "offset element type";
                Tensor()["data_offsets"]!.AsArray()[random.Next(2)] = Confusion();
                break;
            case 2:
                kind = "offset value";
                JsonArray offsets = Tensor()["data_offsets"]!.AsArray();
                offsets[random.Next(2)] = random.Next(3) == 0 ? -1L : random.NextInt64(0, data.Length + 64);
                break;
            case 3:
                kind = "dtype";
                Tensor()["dtype"] = new[] { "F16", "BF16", "F64", "I64", "U8", "f32", "", "F32 " }[random.Next(8)];
                break;
            case 4:
                kind = "shape";
                JsonObject t = Tensor();
                t["shape"] = random.Next(4) switch
                {
                    0 => new JsonArray(),
                    1 => new JsonArray(0),
                    2 => new JsonArray(JsonValue.Create(random.Next(-3, 100000)), JsonValue.Create(random.Next(-3, 100000))),
                    _ => new JsonArray(JsonValue.Create(1 << 20), JsonValue.Create(1 << 20), JsonValue.Create(1 << 20)),
                };
                break;
            case 5:
                kind = "metadata type";
                metadata[metadata.Select(p => p.Key).ToArray()[random.Next(metadata.Count)]] = Confusion();
                break;
            case 6:
                kind = "metadata value";
                metadata[metadata.Select(p => p.Key).ToArray()[random.Next(metadata.Count)]] = MetadataValues[random.Next(MetadataValues.Length)];
                break;
            case 7:
                kind = "metadata key";
                string victim = metadata.Select(p => p.Key).ToArray()[random.Next(metadata.Count)];
                if (random.Next(2) == 0)
                {
                    metadata.Remove(victim);
                }
                else
                {
                    metadata["x." + victim] = "1";
                }

                break;
            case 8:
                kind = "config value";
                JsonObject config = JsonNode.Parse(metadata["config"]!.GetValue<string>())!.AsObject();
                string field = config.Select(p => p.Key).ToArray()[random.Next(config.Count)];
                config[field] = JsonNode.Parse(ConfigValues[random.Next(ConfigValues.Length)]);
                metadata["config"] = config.ToJsonString();
                break;
            case 9:
                kind = "config shape";
                JsonObject settings = JsonNode.Parse(metadata["config"]!.GetValue<string>())!.AsObject();
                settings["Hidden"] = new[] { 8192, 2048, 5, 3, 4 }[random.Next(5)];
                settings["Layers"] = new[] { 3, 1, 2 }[random.Next(3)];
                if (random.Next(2) == 0)
                {
                    settings[random.Next(2) == 0 ? "Unknown" : "hidden"] = 1;
                }

                metadata["config"] = settings.ToJsonString();
                break;
            case 10:
                kind = "tensor name";
                string name = tensors[random.Next(tensors.Length)];
                JsonNode? entry = header[name];
                header.Remove(name);
                header[random.Next(3) switch { 0 => name.Replace("model.", string.Empty, StringComparison.Ordinal), 1 => "other." + name, _ => name + "x" }] = entry;
                break;
            default:
                kind = "optimizer buffer removed";
                string[] buffers = tensors.Where(n => n.StartsWith("optimizer.", StringComparison.Ordinal)).ToArray();
                string removed = buffers[random.Next(buffers.Length)];
                long begin = header[removed]!["data_offsets"]![0]!.GetValue<long>(), end = header[removed]!["data_offsets"]![1]!.GetValue<long>();
                header.Remove(removed);
                foreach (string other in tensors.Where(n => n != removed))
                {
                    JsonArray o = header[other]!["data_offsets"]!.AsArray();
                    long a = o[0]!.GetValue<long>(), b = o[1]!.GetValue<long>();
                    if (a >= end)
                    {
                        (o[0], o[1]) = (a - (end - begin), b - (end - begin));
                    }
                }

                payload = [.. data[..(int)begin], .. data[(int)end..]];
                break;
        }

        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        byte[] bytes = new byte[8 + padded + payload.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        json.CopyTo(bytes, 8);
        bytes.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        payload.CopyTo(bytes, 8 + padded);
        return (bytes, kind);
    }
}
