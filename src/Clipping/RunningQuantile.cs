namespace MiniNet.Clipping;

/// <summary>
/// A multiset of numbers that answers one fixed quantile in O(1) and takes an insertion or a removal in O(log n):
/// the numbers split into two heaps at the quantile's rank, so the two order statistics it interpolates between are
/// the heaps' tops. <see cref="AutoClip"/> keeps its norm history in one, so its per-step cost does not grow with the
/// number of steps (re-sorting the history every step made a run's cost quadratic).
/// </summary>
/// <remarks>
/// <para>
/// The quantile is NumPy's default (linear, Hyndman &amp; Fan's R7, as MathNet's <c>QuantileCustom</c>): with the n
/// values sorted x₁ ≤ … ≤ xₙ and h = (n − 1)·τ + 1, Q = x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋₊₁ − x_⌊h⌋), the index clamped to n.
/// The lower heap (a max-heap) holds the ⌊h⌋ smallest values and the upper heap (a min-heap) the rest, so x_⌊h⌋ is the
/// lower top and x_⌊h⌋₊₁ the upper top. An insertion goes to the side its value belongs to and at most one value then
/// moves across to restore the split; ⌊h⌋ changes by at most one per insertion or removal, since τ ≤ 1.
/// </para>
/// <para>
/// A removal (a windowed history dropping its oldest value) is lazy, as in the classic sliding-window median: the
/// value is counted as gone from the side it belongs to and popped only when it reaches that heap's top. When the
/// stale values come to outnumber the live ones both heaps are rebuilt from the live values, which costs O(n) once
/// every n or more removals, so O(1) a step amortised, and bounds the memory by twice the live count.
/// </para>
/// </remarks>
internal sealed class RunningQuantile
{
    private static readonly Comparer<double> Descending = Comparer<double>.Create((a, b) => b.CompareTo(a));

    private readonly double _tau;
    private PriorityQueue<double, double> _lower = new(Descending), _upper = new();
    private readonly Dictionary<double, int> _staleLower = [], _staleUpper = [];
    private int _lowerCount, _upperCount, _staleCount;

    /// <summary>Creates an empty set.</summary>
    /// <param name="tau">The quantile τ in [0, 1] (p / 100 for a percentile p).</param>
    public RunningQuantile(double tau)
    {
        if (!(tau >= 0 && tau <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(tau), tau, "The quantile must be in [0, 1].");
        }

        _tau = tau;
    }

    /// <summary>The number of values held.</summary>
    public int Count => _lowerCount + _upperCount;

    /// <summary>The quantile τ of the values held (NaN when there are none).</summary>
    public double Value
    {
        get
        {
            if (Count == 0)
            {
                return double.NaN;
            }

            double h = ((Count - 1) * _tau) + 1d;
            int hf = (int)h;
            double lower = _lower.Peek();
            double upper = _upperCount > 0 ? _upper.Peek() : lower;
            return lower + ((h - hf) * (upper - lower));
        }
    }

    /// <summary>Adds a value (finite: a NaN has no place in an order).</summary>
    public void Add(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Only finite values can be ordered.");
        }

        if (_lowerCount > 0 && value <= _lower.Peek())
        {
            _lower.Enqueue(value, value);
            _lowerCount++;
        }
        else
        {
            _upper.Enqueue(value, value);
            _upperCount++;
        }

        Rebalance();
    }

    /// <summary>Removes one copy of a value that was added and not yet removed.</summary>
    public void Remove(double value)
    {
        if (_lowerCount > 0 && value <= _lower.Peek())
        {
            MarkStale(_staleLower, value);
            _lowerCount--;
        }
        else if (_upperCount > 0 && value >= _upper.Peek())
        {
            MarkStale(_staleUpper, value);
            _upperCount--;
        }
        else
        {
            throw new ArgumentException($"{value} is not in the set.", nameof(value));
        }

        Prune();
        if (_staleCount > Count + 16)
        {
            Rebuild();
        }

        Rebalance();
    }

    /// <summary>Removes every value.</summary>
    public void Clear()
    {
        _lower.Clear();
        _upper.Clear();
        _staleLower.Clear();
        _staleUpper.Clear();
        (_lowerCount, _upperCount, _staleCount) = (0, 0, 0);
    }

    private void MarkStale(Dictionary<double, int> stale, double value)
    {
        stale[value] = stale.GetValueOrDefault(value) + 1;
        _staleCount++;
    }

    /// <summary>Moves values across until the lower heap holds exactly ⌊h⌋ of them (at least one).</summary>
    private void Rebalance()
    {
        int n = Count;
        int target = n == 0 ? 0 : Math.Clamp((int)(((n - 1) * _tau) + 1d), 1, n);
        while (_lowerCount > target)
        {
            double moved = _lower.Dequeue();
            _upper.Enqueue(moved, moved);
            (_lowerCount, _upperCount) = (_lowerCount - 1, _upperCount + 1);
            Prune();
        }

        while (_lowerCount < target)
        {
            double moved = _upper.Dequeue();
            _lower.Enqueue(moved, moved);
            (_lowerCount, _upperCount) = (_lowerCount + 1, _upperCount - 1);
            Prune();
        }
    }

    /// <summary>Pops stale values off both tops, so each top is a live value.</summary>
    private void Prune()
    {
        PruneTop(_lower, _staleLower);
        PruneTop(_upper, _staleUpper);
    }

    private void PruneTop(PriorityQueue<double, double> heap, Dictionary<double, int> stale)
    {
        while (heap.Count > 0 && stale.TryGetValue(heap.Peek(), out int copies))
        {
            double value = heap.Dequeue();
            _staleCount--;
            if (copies == 1)
            {
                stale.Remove(value);
            }
            else
            {
                stale[value] = copies - 1;
            }
        }
    }

    /// <summary>Rebuilds both heaps from their live values, dropping every stale one.</summary>
    private void Rebuild()
    {
        _lower = new PriorityQueue<double, double>(Live(_lower, _staleLower), Descending);
        _upper = new PriorityQueue<double, double>(Live(_upper, _staleUpper));
        _staleLower.Clear();
        _staleUpper.Clear();
        _staleCount = 0;
    }

    private static List<(double, double)> Live(PriorityQueue<double, double> heap, Dictionary<double, int> stale)
    {
        var live = new List<(double, double)>(heap.Count);
        foreach ((double value, _) in heap.UnorderedItems)
        {
            if (stale.TryGetValue(value, out int copies))
            {
                if (copies == 1)
                {
                    stale.Remove(value);
                }
                else
                {
                    stale[value] = copies - 1;
                }

                continue;
            }

            live.Add((value, value));
        }

        return live;
    }
}
