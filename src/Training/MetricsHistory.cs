namespace MiniNet.Training;

/// <summary>
/// The in-memory record of a run's steps (with each parameter's norms only when asked), bounded when asked: up to <see cref="Capacity"/> rows are kept; past that,
/// every other row is dropped and from then on only every 2nd (4th, …) step is kept. Evaluation rows are always kept.
/// The full per-step record goes to <c>metrics.csv</c>/<c>metrics.jsonl</c> as the run goes, so memory stays flat
/// however many steps a run takes.
/// </summary>
internal sealed class MetricsHistory(int capacity, bool keepParameterNorms = true)
{
    private readonly List<MetricsRow> _rows = [];
    private int _stride = 1;

    public int Capacity { get; } = capacity;

    public IReadOnlyList<MetricsRow> Rows => _rows;

    /// <summary>Whether rows were dropped to stay within <see cref="Capacity"/>.</summary>
    public bool Thinned => _stride > 1;

    public void Add(MetricsRow row, bool last)
    {
        if (row.Step % _stride != 0 && row.TestLoss is null && !last)
        {
            return;
        }

        // the per-parameter norms stay when asked for: the report's heat map shows which weight blows up first
        _rows.Add(keepParameterNorms || row.PerParameter.Count == 0 ? row : row with { PerParameter = [] });
        if (_rows.Count > Capacity)
        {
            _stride *= 2;
            _rows.RemoveAll(r => r.Step % _stride != 0 && r.TestLoss is null);
        }
    }
}
