using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MiniNet.Training;

/// <summary>One cell of an experiment: a run's settings and the stable id of its folder (<c>cells/&lt;id&gt;/</c>).</summary>
/// <param name="Id">Readable settings and a hash of all of them, for example <c>adding-lstm-t50-global-norm_1-lr0.01-s3-1a2b3c4d</c>.</param>
/// <param name="Config">The settings.</param>
public sealed record ExperimentCell(string Id, TrainingConfig Config)
{
    /// <summary>The cell of a configuration. The id depends only on the settings, so the same settings give the same folder on every
    /// run of the command and on every machine; the hash (SHA-256 of the settings' JSON) tells apart cells whose readable parts agree.</summary>
    /// <param name="config">The settings.</param>
    /// <returns>The cell.</returns>
    public static ExperimentCell For(TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string json = JsonSerializer.Serialize(config);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..8];
        string readable = string.Create(CultureInfo.InvariantCulture,
            $"{config.Task}-{config.Model}-h{config.Hidden}-t{config.SequenceLength}-{config.Optimizer}-lr{config.LearningRate}-{config.Clip}-s{config.Seed}");
        return new ExperimentCell(Safe(readable) + "-" + hash, config);
    }

    private static string Safe(string text) => string.Concat(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
}
