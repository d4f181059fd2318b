using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using MiniNet.Autograd;

namespace MiniNet.Serialization;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face), float32 only: the file format of
/// MiniNet.Layers' <c>StateDict</c> and of optimizer state, readable by PyTorch's <c>safetensors.torch.load_file</c>.
/// </summary>
/// <remarks>
/// Layout: an unsigned 64-bit little-endian header length N; N bytes of UTF-8 JSON mapping each tensor
/// name to <c>{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}</c> (plus an optional
/// <c>"__metadata__"</c> object of strings), padded with spaces; then the raw little-endian data, where
/// offsets are relative to the end of the header and the tensors cover it exactly, without holes.
/// Every rule is checked on reading, before anything large is allocated, and a violation is an
/// <see cref="InvalidDataException"/> naming the file and the problem.
/// </remarks>
public static class Safetensors
{
    /// <summary>The largest header accepted (as in the reference implementation).</summary>
    public const int MaxHeaderBytes = 100_000_000;

    /// <summary>Writes tensors to <paramref name="path"/> atomically: a temporary file is written, flushed to disk, then renamed.</summary>
    /// <param name="tensors">The (name, tensor) pairs, written in this order.</param>
    /// <param name="path">The destination; its folder must exist. An existing file is replaced only once the new one is complete.</param>
    /// <param name="metadata">Optional string metadata, stored under <c>__metadata__</c>.</param>
    public static void Write(IEnumerable<(string Name, Tensor Tensor)> tensors, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Cannot save '{path}': the folder '{folder}' does not exist; create it first.");
        }

        var entries = tensors.ToList();
        byte[] header = BuildHeader(entries, metadata);
        string temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach ((_, Tensor tensor) in entries)
                {
                    WriteFloats(stream, tensor.Data);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Reads every tensor of a safetensors file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The tensors by name, in file order; they require no gradient.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt, or holds a dtype other than F32.</exception>
    public static IReadOnlyDictionary<string, Tensor> Read(string path) => Read(path, out _);

    /// <summary>Reads every tensor of a safetensors file, and its <c>__metadata__</c> strings.</summary>
    /// <param name="path">The file.</param>
    /// <param name="metadata">The metadata (empty when the file has none).</param>
    /// <returns>The tensors by name, in file order; they require no gradient.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt, or holds a dtype other than F32.</exception>
    public static IReadOnlyDictionary<string, Tensor> Read(string path, out IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
        {
            throw Corrupt(path, "it is a folder, not a file");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No safetensors file at '{path}'.", path);
        }

        // Checked before opening: a FIFO, a device or a socket reports no length, and opening a FIFO would wait for a writer.
        long statLength = new FileInfo(path).Length;
        if (statLength < 8)
        {
            throw Corrupt(path, statLength == 0
                ? "it is empty, or not a regular file (a FIFO, a device or a socket)"
                : $"it is {statLength} bytes long, too short for the 8-byte header length");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long fileLength = stream.Length;
        if (fileLength < 8)
        {
            throw Corrupt(path, $"it is {fileLength} bytes long, too short for the 8-byte header length");
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes || headerLength > (ulong)(fileLength - 8))
        {
            throw Corrupt(path, $"its header claims {headerLength} bytes but the file has {fileLength - 8} after the length (limit {MaxHeaderBytes})");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = fileLength - 8 - (long)headerLength;
        List<Entry> entries = ParseHeader(path, header, dataLength, out metadata);

        var result = new Dictionary<string, Tensor>(entries.Count);
        foreach (Entry entry in entries.OrderBy(e => e.Begin))
        {
            var data = new float[entry.Elements];
            stream.Position = 8 + (long)headerLength + entry.Begin;
            stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
            if (!BitConverter.IsLittleEndian)
            {
                ReverseEndianness(data);
            }

            result[entry.Name] = new Tensor(data, entry.Shape, requiresGrad: false); // fresh, and possibly zero-size (which PyTorch writes): adopt it
        }

        return entries.ToDictionary(e => e.Name, e => result[e.Name]);
    }

    private sealed record Entry(string Name, int[] Shape, int Elements, long Begin, long End);

    private static List<Entry> ParseHeader(string path, byte[] header, long dataLength, out IReadOnlyDictionary<string, string> metadata)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        metadata = meta;
        if (!System.Text.Unicode.Utf8.IsValid(header))
        {
            throw Corrupt(path, "its header is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw Corrupt(path, $"its header is not valid JSON ({e.Message})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Corrupt(path, "its header is not a JSON object");
            }

            var entries = new List<Entry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw Corrupt(path, $"tensor '{property.Name}' appears twice in the header");
                }

                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object || property.Value.EnumerateObject().Any(m => m.Value.ValueKind != JsonValueKind.String))
                    {
                        throw Corrupt(path, "__metadata__ must be an object of strings");
                    }

                    foreach (JsonProperty item in property.Value.EnumerateObject())
                    {
                        meta[item.Name] = item.Value.GetString()!;
                    }

                    continue;
                }

                entries.Add(ParseEntry(path, property, dataLength));
            }

            CheckCoverage(path, entries, dataLength);
            return entries;
        }
    }

    private static Entry ParseEntry(string path, JsonProperty property, long dataLength)
    {
        string name = property.Name;
        JsonElement value = property.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            throw Corrupt(path, $"tensor '{name}' needs \"dtype\" (a string), \"shape\" (an array) and \"data_offsets\" (two numbers)");
        }

        if (dtype.GetString() != "F32")
        {
            throw Corrupt(path, $"tensor '{name}' has dtype {dtype.GetString()}, but MiniNet reads float32 (F32) only; convert it with .float() before saving");
        }

        var shape = new int[shapeElement.GetArrayLength()];
        long elements = 1;
        int d = 0;
        foreach (JsonElement size in shapeElement.EnumerateArray())
        {
            if (size.ValueKind != JsonValueKind.Number || !size.TryGetInt32(out int s) || s < 0)
            {
                throw Corrupt(path, $"tensor '{name}' has a shape entry {size} that is not a non-negative 32-bit integer (field 'shape')");
            }

            shape[d++] = s;
            elements *= s;
            if (elements > Array.MaxLength)
            {
                throw Corrupt(path, $"tensor '{name}' has a shape too large for one array");
            }
        }

        if (offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number)
        {
            throw Corrupt(path, $"tensor '{name}' has data_offsets [{offsets[0]}, {offsets[1]}] that are not two numbers (field 'data_offsets')");
        }

        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin || end > dataLength)
        {
            throw Corrupt(path, $"tensor '{name}' has data_offsets [{offsets[0]}, {offsets[1]}] outside the {dataLength} data bytes");
        }

        if (end - begin != elements * sizeof(float))
        {
            throw Corrupt(path, $"tensor '{name}' of shape [{string.Join(", ", shape)}] needs {elements * sizeof(float)} bytes but its offsets span {end - begin}");
        }

        return new Entry(name, shape, (int)elements, begin, end);
    }

    private static void CheckCoverage(string path, List<Entry> entries, long dataLength)
    {
        long expected = 0;
        foreach (Entry entry in entries.OrderBy(e => e.Begin))
        {
            if (entry.Begin != expected)
            {
                throw Corrupt(path, $"tensor '{entry.Name}' starts at byte {entry.Begin} but the previous tensor ends at {expected} (overlap or hole)");
            }

            expected = entry.End;
        }

        if (expected != dataLength)
        {
            throw Corrupt(path, $"the tensors cover {expected} data bytes but the file holds {dataLength} (truncated or with trailing bytes)");
        }
    }

    private static byte[] BuildHeader(List<(string Name, Tensor Tensor)> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is not null)
            {
                json.WriteStartObject("__metadata__");
                foreach ((string key, string value) in metadata)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            long offset = 0;
            foreach ((string name, Tensor tensor) in entries)
            {
                ArgumentNullException.ThrowIfNull(tensor, name);
                if (string.IsNullOrEmpty(name) || name == "__metadata__" || !names.Add(name))
                {
                    throw new ArgumentException($"Tensor names must be non-empty, unique and not '__metadata__'; '{name}' is not.", nameof(entries));
                }

                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int size in tensor.Shape)
                {
                    json.WriteNumberValue(size);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += (long)tensor.Length * sizeof(float);
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        int padding = (8 - (int)(buffer.Length % 8)) % 8;
        for (int i = 0; i < padding; i++)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }

    private static void WriteFloats(Stream stream, float[] data)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
            return;
        }

        var copy = (float[])data.Clone();
        ReverseEndianness(copy);
        stream.Write(MemoryMarshal.AsBytes(copy.AsSpan()));
    }

    private static void ReverseEndianness(float[] data)
    {
        Span<int> bits = MemoryMarshal.Cast<float, int>(data.AsSpan());
        BinaryPrimitives.ReverseEndianness(bits, bits);
    }

    private static InvalidDataException Corrupt(string path, string problem) =>
        new($"'{path}' is not a valid safetensors file: {problem}.");
}
