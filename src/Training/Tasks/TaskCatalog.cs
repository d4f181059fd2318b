namespace MiniNet.Training;

/// <summary>The toy tasks by their command-line names.</summary>
public static class TaskCatalog
{
    /// <summary>The valid task names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["adding", "multiplication", "temporal-order", "temporal-order-3bit", "copy"];

    /// <summary>Creates a task by name.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="sequenceLength">T: the sequence length (for copy, the delay).</param>
    /// <returns>The task.</returns>
    /// <exception cref="ArgumentException">An unknown name; the message lists the valid ones.</exception>
    public static ISequenceTask Create(string name, int sequenceLength) => name switch
    {
        "adding" => new AddingTask(sequenceLength),
        "multiplication" => new MultiplicationTask(sequenceLength),
        "temporal-order" => new TemporalOrderTask(sequenceLength, 2),
        "temporal-order-3bit" => new TemporalOrderTask(sequenceLength, 3),
        "copy" => new CopyMemoryTask(sequenceLength),
        _ => throw new ArgumentException($"Unknown task '{name}'; valid tasks are {string.Join(", ", Names)}.", nameof(name)),
    };
}
