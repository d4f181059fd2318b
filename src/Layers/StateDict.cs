using System.Text;
using MiniNet.Autograd;
using MiniNet.Serialization;

namespace MiniNet.Layers;

/// <summary>A load whose names or shapes do not match the module.</summary>
public sealed class StateDictMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full explanation.</param>
    /// <param name="missing">Names the module has and the file lacks.</param>
    /// <param name="unexpected">Names the file has and the module lacks.</param>
    /// <param name="mismatched">Names present in both with different shapes.</param>
    public StateDictMismatchException(string message, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
        : base(message)
    {
        Missing = missing;
        Unexpected = unexpected;
        Mismatched = mismatched;
    }

    /// <summary>Creates an exception with only a message.</summary>
    public StateDictMismatchException()
        : this("The state dict does not match the module.", [], [], [])
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The explanation.</param>
    public StateDictMismatchException(string message)
        : this(message, [], [], [])
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The explanation.</param>
    /// <param name="innerException">The cause.</param>
    public StateDictMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        Missing = [];
        Unexpected = [];
        Mismatched = [];
    }

    /// <summary>Names the module has and the file lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Names the file has and the module lacks.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Names present in both with different shapes.</summary>
    public IReadOnlyList<string> Mismatched { get; }
}

/// <summary>
/// Saves and loads a module's parameters as safetensors under PyTorch's <c>state_dict</c> names, so a
/// file written here loads into the same PyTorch model and the other way round.
/// </summary>
public static class StateDict
{
    /// <summary>Writes every parameter of <paramref name="module"/> to <paramref name="path"/> (atomically: complete or not at all).</summary>
    /// <param name="module">The module.</param>
    /// <param name="path">The .safetensors file to write; its folder must exist.</param>
    public static void Save(Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        Safetensors.Write(module.NamedParameters(), path, new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "MiniNet" });
    }

    /// <summary>
    /// Copies the tensors of <paramref name="path"/> into <paramref name="module"/>'s parameters (in place, so
    /// optimizers keep working), after checking every name and shape; nothing is changed unless all match.
    /// </summary>
    /// <param name="module">The module.</param>
    /// <param name="path">The .safetensors file.</param>
    /// <param name="strict">True (default, as PyTorch): missing or unexpected names are errors. False: they are skipped; shape mismatches are always errors.</param>
    /// <exception cref="StateDictMismatchException">Names or shapes do not match; the message lists every one.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid float32 safetensors file.</exception>
    public static void Load(Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        IReadOnlyDictionary<string, Tensor> file = Safetensors.Read(path);
        var parameters = module.NamedParameters().ToList();
        var missing = parameters.Where(p => !file.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        var known = parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var unexpected = file.Keys.Where(name => !known.Contains(name)).ToList();
        var mismatched = parameters
            .Where(p => file.TryGetValue(p.Name, out Tensor? t) && !t.Shape.SequenceEqual(p.Parameter.Shape))
            .Select(p => $"{p.Name} is {LayerInput.Format(file[p.Name].Shape)} in the file but {LayerInput.Format(p.Parameter.Shape)} in the model")
            .ToList();

        if (mismatched.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            var message = new StringBuilder($"Cannot load '{path}' into {module.GetType().Name}:");
            if (missing.Count > 0)
            {
                message.Append(" missing ").Append(string.Join(", ", missing)).Append(';');
            }

            if (unexpected.Count > 0)
            {
                message.Append(" unexpected ").Append(string.Join(", ", unexpected)).Append(';');
            }

            if (mismatched.Count > 0)
            {
                message.Append(" shape mismatch: ").Append(string.Join("; ", mismatched)).Append(';');
            }

            message.Append(" check that the model is built with the same sizes and layers as the one that was saved")
                .Append(strict ? " (or pass strict: false to skip missing and unexpected names)." : ".");
            throw new StateDictMismatchException(message.ToString(), missing, unexpected, mismatched);
        }

        foreach ((string name, Tensor parameter) in parameters)
        {
            if (file.TryGetValue(name, out Tensor? source))
            {
                source.Data.CopyTo(parameter.Data, 0);
            }
        }
    }
}
