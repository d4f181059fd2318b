using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Serialization;
using Xunit;

namespace MiniNet.Serialization.Tests;

/// <summary>The safetensors reader: type-checked header fields, zero-size tensors, and non-regular files refused at once.</summary>
public sealed class SafetensorsReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mininet-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string WriteRaw(string header, int dataBytes)
    {
        string path = Path.Combine(_folder, "raw.safetensors");
        byte[] json = Encoding.UTF8.GetBytes(header);
        byte[] bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData("[\"0\",8]")]
    [InlineData("[null,8]")]
    [InlineData("[true,8]")]
    [InlineData("[[0],8]")]
    [InlineData("[0,{}]")]
    [InlineData("[0.5,8]")]
    public void Data_offsets_that_are_not_numbers_are_invalid_data_naming_the_file_tensor_and_field(string offsets)
    {
        string path = WriteRaw($"{{\"w\":{{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":{offsets}}}}}", 8);
        Action read = () => Safetensors.Read(path);
        read.Should().Throw<InvalidDataException>().WithMessage($"'{path}' is not a valid safetensors file: tensor 'w' has data_offsets *");
    }

    [Fact]
    public void Zero_size_tensors_written_by_PyTorch_load()
    {
        // safetensors.torch.save_file({"none": torch.zeros(0), "rows": torch.zeros(3, 0), "one": torch.tensor([7.0])})
        string path = WriteRaw("{\"none\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},\"rows\":{\"dtype\":\"F32\",\"shape\":[3,0],\"data_offsets\":[0,0]}," +
            "\"one\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        IReadOnlyDictionary<string, Tensor> back = Safetensors.Read(path);
        back["none"].Shape.Should().Equal(0);
        back["none"].Length.Should().Be(0);
        back["rows"].Shape.Should().Equal(3, 0);
        back["one"].Shape.Should().Equal(1);
    }

    [Fact]
    public void A_folder_or_a_fifo_is_refused_at_once()
    {
        Action folder = () => Safetensors.Read(_folder);
        folder.Should().Throw<InvalidDataException>().WithMessage("*it is a folder, not a file*");

        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string fifo = Path.Combine(_folder, "pipe.safetensors");
        using (Process mkfifo = Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
        }

        var clock = Stopwatch.StartNew();
        Action pipe = () => Safetensors.Read(fifo);
        pipe.Should().Throw<InvalidDataException>().WithMessage("*not a regular file (a FIFO, a device or a socket)*");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "no wait for a writer");
        Action device = () => Safetensors.Read("/dev/zero");
        device.Should().Throw<InvalidDataException>();
    }
}
