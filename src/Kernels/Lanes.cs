using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MiniNet.Kernels;

/// <summary>
/// A vector of float lanes at one width, so that a kernel's formula is written once and evaluated at every width, as
/// TensorPrimitives' operator structs are: <see cref="Lanes512"/>, <see cref="Lanes256"/>, <see cref="Lanes128"/>, and
/// <see cref="Lane1"/> for the elements past the last full vector.
/// </summary>
/// <remarks>
/// The JIT compiles a generic method once per struct argument, so <c>Step&lt;Lanes512&gt;</c> is the same machine code a
/// hand-written <see cref="Vector512{T}"/> loop would be. The Vector APIs work at every width on every CPU (.NET emulates
/// the ones the hardware lacks), which is how the 512-bit path is tested on AVX2 machines. All widths round alike:
/// <see cref="FusedMultiplyAdd"/> is a true fused multiply-add at every width, and <see cref="Lane1"/> computes in lane
/// 0 of a 128-bit vector, so a tail element gets exactly what a vector lane would.
/// </remarks>
/// <typeparam name="TSelf">The implementing struct.</typeparam>
internal interface ILanes<TSelf>
    where TSelf : struct, ILanes<TSelf>
{
    /// <summary>The number of lanes.</summary>
    static abstract int Count { get; }

    /// <summary>Every lane equal to <paramref name="value"/>.</summary>
    static abstract TSelf Create(float value);

    /// <summary>
    /// Loads <see cref="Count"/> floats from <paramref name="source"/>[<paramref name="offset"/>..], without a bounds check:
    /// a kernel checks its spans' lengths once, before its <see cref="LaneLoop"/> (as <c>LstmCellKernel</c> does).
    /// </summary>
    static abstract TSelf Load(ReadOnlySpan<float> source, int offset);

    /// <summary>Stores the lanes into <paramref name="destination"/>[<paramref name="offset"/>..], without a bounds check (see <see cref="Load"/>).</summary>
    void Store(Span<float> destination, int offset);

    static abstract TSelf operator +(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf left, TSelf right);

    static abstract TSelf operator *(TSelf left, TSelf right);

    static abstract TSelf operator /(TSelf left, TSelf right);

    /// <summary>a·b + c, rounded once.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>
    /// Lane-wise minimum by the x86 instruction's rule (<c>vminps</c>): where either lane is NaN, or both are zeros, the
    /// lane of <paramref name="right"/>. So a NaN in <paramref name="right"/> comes through, and a caller clamping a value
    /// puts the value on the right: <c>Min(Create(hi), x)</c>.
    /// </summary>
    /// <remarks>
    /// Not <see cref="Vector256.Min{T}(Vector256{T}, Vector256{T})"/>: its IEEE 754-2019 rule (NaN from either side,
    /// −0 below +0) takes five more instructions a call without AVX-512, and the ten of an LSTM cell's step made its
    /// forward row 1.7 times as slow on the AVX2 path.
    /// </remarks>
    static abstract TSelf Min(TSelf left, TSelf right);

    /// <summary>Lane-wise maximum by the x86 instruction's rule (<c>vmaxps</c>; see <see cref="Min"/>): a NaN in <paramref name="right"/> comes through.</summary>
    static abstract TSelf Max(TSelf left, TSelf right);

    /// <summary>Each lane of <paramref name="values"/> where <paramref name="condition"/>'s lane is positive, else 0.</summary>
    static abstract TSelf WherePositive(TSelf condition, TSelf values);

    /// <summary>
    /// Each lane of <paramref name="values"/>, except that a subnormal lane (0 &lt; |x| &lt; 2⁻¹²⁶) becomes 0 — what a
    /// CPU's flush-to-zero mode does, which .NET cannot switch on. A gradient that fades through a long sequence reaches
    /// the subnormals, where every multiply that touches one costs a microcode assist (about 100 cycles on x86 cores); a
    /// backward kernel flushes what it writes so the GEMMs after it never see one. NaN and ±∞ pass unchanged.
    /// </summary>
    static abstract TSelf FlushSubnormal(TSelf values);
}

/// <summary>Constants the lane types share.</summary>
internal static class LaneConstants
{
    /// <summary>2⁻¹²⁶, the smallest normal float; below it (in magnitude) are the subnormals.</summary>
    public const float SmallestNormal = 1.17549435e-38f;
}

/// <summary>16 lanes in a <see cref="Vector512{T}"/>.</summary>
internal readonly struct Lanes512(Vector512<float> value) : ILanes<Lanes512>
{
    private readonly Vector512<float> _value = value;

    public static int Count => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Create(float value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Load(ReadOnlySpan<float> source, int offset) => new(Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Span<float> destination, int offset) => _value.StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)offset);

    public static Lanes512 operator +(Lanes512 left, Lanes512 right) => new(left._value + right._value);

    public static Lanes512 operator -(Lanes512 left, Lanes512 right) => new(left._value - right._value);

    public static Lanes512 operator *(Lanes512 left, Lanes512 right) => new(left._value * right._value);

    public static Lanes512 operator /(Lanes512 left, Lanes512 right) => new(left._value / right._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 FusedMultiplyAdd(Lanes512 a, Lanes512 b, Lanes512 c) => new(Vector512.FusedMultiplyAdd(a._value, b._value, c._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Min(Lanes512 left, Lanes512 right) => new(Vector512.MinNative(left._value, right._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Max(Lanes512 left, Lanes512 right) => new(Vector512.MaxNative(left._value, right._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 WherePositive(Lanes512 condition, Lanes512 values) =>
        new(Vector512.ConditionalSelect(Vector512.GreaterThan(condition._value, Vector512<float>.Zero), values._value, Vector512<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 FlushSubnormal(Lanes512 values) =>
        new(Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(values._value), Vector512.Create(LaneConstants.SmallestNormal)), Vector512<float>.Zero, values._value));
}

/// <summary>8 lanes in a <see cref="Vector256{T}"/>.</summary>
internal readonly struct Lanes256(Vector256<float> value) : ILanes<Lanes256>
{
    private readonly Vector256<float> _value = value;

    public static int Count => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Create(float value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Load(ReadOnlySpan<float> source, int offset) => new(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Span<float> destination, int offset) => _value.StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)offset);

    public static Lanes256 operator +(Lanes256 left, Lanes256 right) => new(left._value + right._value);

    public static Lanes256 operator -(Lanes256 left, Lanes256 right) => new(left._value - right._value);

    public static Lanes256 operator *(Lanes256 left, Lanes256 right) => new(left._value * right._value);

    public static Lanes256 operator /(Lanes256 left, Lanes256 right) => new(left._value / right._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 FusedMultiplyAdd(Lanes256 a, Lanes256 b, Lanes256 c) => new(Vector256.FusedMultiplyAdd(a._value, b._value, c._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Min(Lanes256 left, Lanes256 right) => new(Vector256.MinNative(left._value, right._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Max(Lanes256 left, Lanes256 right) => new(Vector256.MaxNative(left._value, right._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 WherePositive(Lanes256 condition, Lanes256 values) =>
        new(Vector256.ConditionalSelect(Vector256.GreaterThan(condition._value, Vector256<float>.Zero), values._value, Vector256<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 FlushSubnormal(Lanes256 values) =>
        new(Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(values._value), Vector256.Create(LaneConstants.SmallestNormal)), Vector256<float>.Zero, values._value));
}

/// <summary>4 lanes in a <see cref="Vector128{T}"/>.</summary>
internal readonly struct Lanes128(Vector128<float> value) : ILanes<Lanes128>
{
    private readonly Vector128<float> _value = value;

    public static int Count => Vector128<float>.Count;

    internal Vector128<float> Value => _value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Create(float value) => new(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Load(ReadOnlySpan<float> source, int offset) => new(Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Span<float> destination, int offset) => _value.StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)offset);

    public static Lanes128 operator +(Lanes128 left, Lanes128 right) => new(left._value + right._value);

    public static Lanes128 operator -(Lanes128 left, Lanes128 right) => new(left._value - right._value);

    public static Lanes128 operator *(Lanes128 left, Lanes128 right) => new(left._value * right._value);

    public static Lanes128 operator /(Lanes128 left, Lanes128 right) => new(left._value / right._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 FusedMultiplyAdd(Lanes128 a, Lanes128 b, Lanes128 c) => new(Vector128.FusedMultiplyAdd(a._value, b._value, c._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Min(Lanes128 left, Lanes128 right) => new(Vector128.MinNative(left._value, right._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Max(Lanes128 left, Lanes128 right) => new(Vector128.MaxNative(left._value, right._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 WherePositive(Lanes128 condition, Lanes128 values) =>
        new(Vector128.ConditionalSelect(Vector128.GreaterThan(condition._value, Vector128<float>.Zero), values._value, Vector128<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 FlushSubnormal(Lanes128 values) =>
        new(Vector128.ConditionalSelect(Vector128.LessThan(Vector128.Abs(values._value), Vector128.Create(LaneConstants.SmallestNormal)), Vector128<float>.Zero, values._value));
}

/// <summary>One lane, computed in lane 0 of a <see cref="Vector128{T}"/> so it rounds exactly as the vector widths do.</summary>
internal readonly struct Lane1(Vector128<float> value) : ILanes<Lane1>
{
    private readonly Lanes128 _value = new(value);

    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Create(float value) => new(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Load(ReadOnlySpan<float> source, int offset) => new(Vector128.CreateScalar(source[offset]));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Span<float> destination, int offset) => destination[offset] = _value.Value.ToScalar();

    public static Lane1 operator +(Lane1 left, Lane1 right) => new((left._value + right._value).Value);

    public static Lane1 operator -(Lane1 left, Lane1 right) => new((left._value - right._value).Value);

    public static Lane1 operator *(Lane1 left, Lane1 right) => new((left._value * right._value).Value);

    public static Lane1 operator /(Lane1 left, Lane1 right) => new((left._value / right._value).Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 FusedMultiplyAdd(Lane1 a, Lane1 b, Lane1 c) => new(Lanes128.FusedMultiplyAdd(a._value, b._value, c._value).Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Min(Lane1 left, Lane1 right) => new(Lanes128.Min(left._value, right._value).Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Max(Lane1 left, Lane1 right) => new(Lanes128.Max(left._value, right._value).Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 WherePositive(Lane1 condition, Lane1 values) => new(Lanes128.WherePositive(condition._value, values._value).Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 FlushSubnormal(Lane1 values) => new(Lanes128.FlushSubnormal(values._value).Value);
}

/// <summary>A kernel written once over lanes: <see cref="Step{TLanes}"/> handles elements [j, j + TLanes.Count).</summary>
internal interface ILaneKernel
{
    /// <summary>
    /// Whether <see cref="LaneLoop"/> should run this kernel two vectors a step: for a formula bound by the latency of its
    /// chains (see <see cref="LaneLoop"/>), not one whose values already fill the registers twice over.
    /// </summary>
    static abstract bool Pairs { get; }

    /// <summary>Computes the elements from <paramref name="j"/> on, <typeparamref name="TLanes"/>.Count of them.</summary>
    void Step<TLanes>(int j)
        where TLanes : struct, ILanes<TLanes>;
}

/// <summary>
/// Runs a lane kernel over [0, length): two of the widest vectors the options allow at a time first, then one, then
/// narrower ones, then single lanes.
/// </summary>
/// <remarks>
/// A recurrent cell's formula — five rational tanh, each a chain of nine dependent FMAs and a division — is bound by
/// the latency of that chain, not by the FMA units: a vector at a time, an LSTM forward row took about 85 cycles a
/// vector at 256 and at 512 bits alike. Two vectors a step (<see cref="Lanes256x2"/>, <see cref="Lanes512x2"/>) lay the
/// two chains side by side, so the second fills the first one's waits: 10 → 6.3 cycles an element on the AVX2 path,
/// 5.6 → 3.4 at 512 bits. Each lane computes exactly what one vector's lane does, so the widths still agree bit for bit.
/// Two types written out rather than one generic pair: a generic pair's operations, a call deeper, ran past the JIT's
/// inlining budget in the LSTM's step, which then called each one and ran three times as slow.
/// </remarks>
internal static class LaneLoop
{
    /// <summary>
    /// Whether the JIT has 32 vector registers (AVX-512's EVEX encoding, at every width) rather than AVX2's 16: an LSTM's
    /// backward row — no chains to hide, a dozen live values — ran two vectors a step at 1.7 cycles an element against 1.9
    /// one at a time with 32 registers, but spilled with 16 and took 4.7 against 2.3.
    /// </summary>
    public static bool ManyRegisters => Avx512F.IsSupported;

    /// <summary>Evaluates <paramref name="kernel"/> at every element of [0, <paramref name="length"/>).</summary>
    /// <param name="kernel">The kernel (a ref struct holding its spans).</param>
    /// <param name="length">The number of elements.</param>
    /// <param name="vectorBits">The widest vectors to use (<see cref="KernelOptions.VectorBits"/>).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TKernel>(ref TKernel kernel, int length, int vectorBits)
        where TKernel : ILaneKernel, allows ref struct
    {
        int j = 0;
        if (vectorBits >= 512)
        {
            for (; TKernel.Pairs && j + Lanes512x2.Count <= length; j += Lanes512x2.Count)
            {
                kernel.Step<Lanes512x2>(j);
            }

            for (; j + Lanes512.Count <= length; j += Lanes512.Count)
            {
                kernel.Step<Lanes512>(j);
            }
        }

        if (vectorBits >= 256)
        {
            for (; TKernel.Pairs && j + Lanes256x2.Count <= length; j += Lanes256x2.Count)
            {
                kernel.Step<Lanes256x2>(j);
            }

            for (; j + Lanes256.Count <= length; j += Lanes256.Count)
            {
                kernel.Step<Lanes256>(j);
            }
        }

        for (; j + Lanes128.Count <= length; j += Lanes128.Count)
        {
            kernel.Step<Lanes128>(j);
        }

        for (; j < length; j++)
        {
            kernel.Step<Lane1>(j);
        }
    }
}

/// <summary>32 lanes in two <see cref="Vector512{T}"/>: every operation is done on both, one after the other (see <see cref="LaneLoop"/>).</summary>
internal readonly struct Lanes512x2(Vector512<float> low, Vector512<float> high) : ILanes<Lanes512x2>
{
    private readonly Vector512<float> _low = low, _high = high;

    public static int Count => 2 * Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2 Create(float value) => new(Vector512.Create(value), Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2 Load(ReadOnlySpan<float> source, int offset)
    {
        ref float at = ref Unsafe.Add(ref MemoryMarshal.GetReference(source), offset);
        return new(Vector512.LoadUnsafe(ref at), Vector512.LoadUnsafe(ref at, (nuint)Vector512<float>.Count));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Span<float> destination, int offset)
    {
        ref float at = ref Unsafe.Add(ref MemoryMarshal.GetReference(destination), offset);
        _low.StoreUnsafe(ref at);
        _high.StoreUnsafe(ref at, (nuint)Vector512<float>.Count);
    }

    public static Lanes512x2 operator +(Lanes512x2 left, Lanes512x2 right) => new(left._low + right._low, left._high + right._high);

    public static Lanes512x2 operator -(Lanes512x2 left, Lanes512x2 right) => new(left._low - right._low, left._high - right._high);

    public static Lanes512x2 operator *(Lanes512x2 left, Lanes512x2 right) => new(left._low * right._low, left._high * right._high);

    public static Lanes512x2 operator /(Lanes512x2 left, Lanes512x2 right) => new(left._low / right._low, left._high / right._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2 FusedMultiplyAdd(Lanes512x2 a, Lanes512x2 b, Lanes512x2 c) =>
        new(Vector512.FusedMultiplyAdd(a._low, b._low, c._low), Vector512.FusedMultiplyAdd(a._high, b._high, c._high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2 Min(Lanes512x2 left, Lanes512x2 right) => new(Vector512.MinNative(left._low, right._low), Vector512.MinNative(left._high, right._high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2 Max(Lanes512x2 left, Lanes512x2 right) => new(Vector512.MaxNative(left._low, right._low), Vector512.MaxNative(left._high, right._high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2 WherePositive(Lanes512x2 condition, Lanes512x2 values) =>
        new(Vector512.ConditionalSelect(Vector512.GreaterThan(condition._low, Vector512<float>.Zero), values._low, Vector512<float>.Zero),
            Vector512.ConditionalSelect(Vector512.GreaterThan(condition._high, Vector512<float>.Zero), values._high, Vector512<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512x2 FlushSubnormal(Lanes512x2 values) =>
        new(Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(values._low), Vector512.Create(LaneConstants.SmallestNormal)), Vector512<float>.Zero, values._low),
            Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(values._high), Vector512.Create(LaneConstants.SmallestNormal)), Vector512<float>.Zero, values._high));
}

/// <summary>16 lanes in two <see cref="Vector256{T}"/>: every operation is done on both, one after the other (see <see cref="LaneLoop"/>).</summary>
internal readonly struct Lanes256x2(Vector256<float> low, Vector256<float> high) : ILanes<Lanes256x2>
{
    private readonly Vector256<float> _low = low, _high = high;

    public static int Count => 2 * Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256x2 Create(float value) => new(Vector256.Create(value), Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256x2 Load(ReadOnlySpan<float> source, int offset)
    {
        ref float at = ref Unsafe.Add(ref MemoryMarshal.GetReference(source), offset);
        return new(Vector256.LoadUnsafe(ref at), Vector256.LoadUnsafe(ref at, (nuint)Vector256<float>.Count));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Span<float> destination, int offset)
    {
        ref float at = ref Unsafe.Add(ref MemoryMarshal.GetReference(destination), offset);
        _low.StoreUnsafe(ref at);
        _high.StoreUnsafe(ref at, (nuint)Vector256<float>.Count);
    }

    public static Lanes256x2 operator +(Lanes256x2 left, Lanes256x2 right) => new(left._low + right._low, left._high + right._high);

    public static Lanes256x2 operator -(Lanes256x2 left, Lanes256x2 right) => new(left._low - right._low, left._high - right._high);

    public static Lanes256x2 operator *(Lanes256x2 left, Lanes256x2 right) => new(left._low * right._low, left._high * right._high);

    public static Lanes256x2 operator /(Lanes256x2 left, Lanes256x2 right) => new(left._low / right._low, left._high / right._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256x2 FusedMultiplyAdd(Lanes256x2 a, Lanes256x2 b, Lanes256x2 c) =>
        new(Vector256.FusedMultiplyAdd(a._low, b._low, c._low), Vector256.FusedMultiplyAdd(a._high, b._high, c._high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256x2 Min(Lanes256x2 left, Lanes256x2 right) => new(Vector256.MinNative(left._low, right._low), Vector256.MinNative(left._high, right._high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256x2 Max(Lanes256x2 left, Lanes256x2 right) => new(Vector256.MaxNative(left._low, right._low), Vector256.MaxNative(left._high, right._high));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256x2 WherePositive(Lanes256x2 condition, Lanes256x2 values) =>
        new(Vector256.ConditionalSelect(Vector256.GreaterThan(condition._low, Vector256<float>.Zero), values._low, Vector256<float>.Zero),
            Vector256.ConditionalSelect(Vector256.GreaterThan(condition._high, Vector256<float>.Zero), values._high, Vector256<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256x2 FlushSubnormal(Lanes256x2 values) =>
        new(Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(values._low), Vector256.Create(LaneConstants.SmallestNormal)), Vector256<float>.Zero, values._low),
            Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(values._high), Vector256.Create(LaneConstants.SmallestNormal)), Vector256<float>.Zero, values._high));
}
