using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Kernels;
using Xunit;

namespace MiniNet.Autograd.Tests;

/// <summary>
/// <see cref="TensorScope"/> and the <see cref="StoragePool"/> behind it: what a scope gives back and what it leaves
/// alone, clear errors for a tensor used after its scope, and numbers that do not depend on whether memory was reused.
/// </summary>
public sealed class TensorScopeTests
{
    private const int Rows = 64, Features = 48, Classes = 40;   // big enough (≥ 1,024 elements) for the pool

    [Fact]
    public void Results_made_in_a_scope_are_disposed_when_it_ends_and_leaves_and_their_gradients_are_not()
    {
        Tensor w = Tensor.RandomNormal([Features, Classes], seed: 1, requiresGrad: true);
        Tensor x = Tensor.RandomNormal([Rows, Features], seed: 2);
        Tensor product;
        using (TensorScope.Open())
        {
            product = x.MatMul(w).Tanh();
            product.Sum().Backward();
        }

        product.IsDisposed.Should().BeTrue();
        Action read = () => _ = product.Data;
        read.Should().Throw<ObjectDisposedException>().WithMessage("*TensorScope*scope.Keep(tensor)*");
        product.ToString().Should().Contain("disposed").And.Contain("[64, 40]");
        x.IsDisposed.Should().BeFalse();
        w.IsDisposed.Should().BeFalse();
        w.Grad!.IsDisposed.Should().BeFalse();
        w.Grad.Data.Should().OnlyContain(v => float.IsFinite(v));
    }

    [Fact]
    public void A_kept_tensor_outlives_its_scope_and_moves_to_the_enclosing_one()
    {
        Tensor x = Tensor.RandomNormal([Rows, Features], seed: 3);
        Tensor kept, keptInner, dropped;
        using (TensorScope outer = TensorScope.Open())
        {
            using (TensorScope inner = TensorScope.Open())
            {
                TensorScope.Current.Should().BeSameAs(inner);
                keptInner = inner.Keep(x.Exp());
                dropped = x.Tanh();
            }

            TensorScope.Current.Should().BeSameAs(outer);
            dropped.IsDisposed.Should().BeTrue();
            keptInner.IsDisposed.Should().BeFalse();
            kept = outer.Keep(x.Sigmoid());
            outer.Keep(x).Should().BeSameAs(x, "a tensor the scope did not note comes back unchanged");
        }

        TensorScope.Current.Should().BeNull();
        keptInner.IsDisposed.Should().BeTrue("the inner scope handed it to the outer one, which ended without keeping it");
        kept.IsDisposed.Should().BeFalse();
        kept.Data.Should().Equal(x.Sigmoid().Data);
    }

    [Fact]
    public void Small_tensors_and_copies_are_left_to_the_garbage_collector()
    {
        Tensor x = Tensor.RandomNormal([Rows, Features], seed: 4, requiresGrad: true);
        Tensor small, copy;
        float total;
        using (TensorScope.Open())
        {
            Tensor big = x * 2f;
            small = big.Sum();
            copy = big.Detach();
            total = small.Item();
        }

        small.IsDisposed.Should().BeFalse("a scalar is cheap for the garbage collector");
        small.Item().Should().Be(total);
        copy.IsDisposed.Should().BeFalse();
        copy.Data.Should().Equal((x * 2f).Data);
    }

    [Fact]
    public void Backward_after_the_scope_ended_is_a_clear_error_not_a_silent_zero_gradient()
    {
        Tensor w = Tensor.RandomNormal([Features, Classes], seed: 5, requiresGrad: true);
        Tensor x = Tensor.RandomNormal([Rows, Features], seed: 6);
        Tensor loss;
        using (TensorScope.Open())
        {
            loss = x.MatMul(w).Tanh().Sum();
        }

        Action backward = loss.Backward;
        backward.Should().Throw<InvalidOperationException>().WithMessage("*TensorScope which has ended*call Backward before the scope ends*");
        w.Grad.Should().BeNull();
    }

    [Fact]
    public void Scopes_end_in_reverse_order_on_their_own_thread_and_twice_is_harmless()
    {
        TensorScope outer = TensorScope.Open();
        TensorScope inner = TensorScope.Open();
        Action outOfOrder = outer.Dispose;
        outOfOrder.Should().Throw<InvalidOperationException>().WithMessage("*reverse order*");
        inner.Dispose();
        inner.Dispose();
        Exception? onOtherThread = null;
        var thread = new Thread(() => onOtherThread = Record.Exception(outer.Dispose));
        thread.Start();
        thread.Join();
        onOtherThread.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("other than the one that opened it");
        outer.Dispose();
        TensorScope.Current.Should().BeNull();
        Action keepAfterEnd = () => outer.Keep(Tensor.Zeros([1]));
        keepAfterEnd.Should().Throw<ObjectDisposedException>().WithMessage("*has ended*");
    }

    [Fact]
    public void A_scope_notes_only_what_its_own_thread_computes()
    {
        Tensor x = Tensor.RandomNormal([Rows, Features], seed: 7);
        Tensor? elsewhere = null;
        using (TensorScope.Open())
        {
            var thread = new Thread(() => elsewhere = x.Tanh());
            thread.Start();
            thread.Join();
        }

        elsewhere!.IsDisposed.Should().BeFalse();
    }

    [Fact]
    public void Training_steps_give_the_same_bits_with_and_without_scopes()
    {
        // A small classifier through most op families: Linear, broadcast add, tanh, sigmoid, product, slice, concat,
        // reshape, exp, mean, softmax cross-entropy. Reused (stale) arrays would change a bit somewhere.
        float[][] plain = Train(scoped: false);
        float[][] scoped = Train(scoped: true);
        for (int p = 0; p < plain.Length; p++)
        {
            scoped[p].Should().Equal(plain[p], $"parameter {p}");
        }
    }

    [Fact]
    public void The_same_backward_repeated_gives_the_same_gradients_although_its_arrays_are_reused()
    {
        Tensor w = Tensor.RandomNormal([Features, Classes], seed: 8, requiresGrad: true);
        Tensor x = Tensor.RandomNormal([Rows, Features], seed: 9);
        float[]? first = null;
        for (int i = 0; i < 4; i++)
        {
            w.ZeroGrad();
            using TensorScope scope = TensorScope.Open();
            Tensor h = x.MatMul(w);
            ((h.Tanh() * h) + h.Sigmoid()).Reshape(-1).Mean().Backward();
            first ??= (float[])w.Grad!.Data.Clone();
            w.Grad!.Data.Should().Equal(first, $"repetition {i}");
        }
    }

    [Fact]
    public void The_pool_hands_out_exact_lengths_zeroed_and_refuses_an_array_returned_twice()
    {
        float[] dirty = StoragePool.RentUninitialized(StoragePool.MinimumLength + 3);
        dirty.Should().HaveCount(StoragePool.MinimumLength + 3);
        Array.Fill(dirty, 7f);
        StoragePool.Return(dirty);
        float[] again = StoragePool.Rent(StoragePool.MinimumLength + 3);
        again.Should().HaveCount(StoragePool.MinimumLength + 3).And.OnlyContain(v => v == 0f);
        StoragePool.Return(again);
        Action twice = () => StoragePool.Return(again);
        twice.Should().Throw<InvalidOperationException>().WithMessage("*twice*");
        StoragePool.Rent(StoragePool.MinimumLength + 3).Should().BeSameAs(again).And.OnlyContain(v => v == 0f);
        StoragePool.Rent(5).Should().HaveCount(5);
        StoragePool.Return(new float[5]);   // short: ignored
    }

    [Fact]
    public void A_user_custom_op_keeps_the_arrays_it_returns()
    {
        Tensor x = Tensor.RandomNormal([Rows, Features], seed: 10, requiresGrad: true);
        var op = new CachingDouble();
        Tensor y;
        using (TensorScope.Open())
        {
            (x * 1f).Sum().Backward();   // x.Grad exists, so the op's gradient is added into it, then spent
            y = op.Apply(x)[0];
            y.Sum().Backward();
            for (int i = 0; i < 3; i++)
            {
                (x * 3f).Sum().Backward();   // rents arrays of x's length and fills them
            }
        }

        y.IsDisposed.Should().BeFalse("a user's op might keep the array it returned");
        y.Data.Should().BeSameAs(op.CachedOutput);
        op.CachedGradient.Should().OnlyContain(v => v == 2f, "the engine must not reuse an array a user's op returned");
        x.Grad!.Data.Should().OnlyContain(v => v == 12f);   // 1 + 2 + 3 · 3
    }

    [Fact]
    public void Reshape_hands_its_gradient_on_without_a_copy_and_the_numbers_hold()
    {
        Tensor x = Tensor.RandomNormal([Rows, Features], seed: 15, requiresGrad: true);
        using (TensorScope.Open())
        {
            Tensor r = x.Reshape(Features, Rows);
            ((r * r).Sum() + r.Reshape(-1).Sum()).Backward();
        }

        float[] expected = x.Data.Select(v => (2 * v) + 1f).ToArray();
        x.Grad!.Data.Zip(expected, (got, want) => Math.Abs(got - want)).Max().Should().BeLessThan(1e-5f);
    }

    private static float[][] Train(bool scoped)
    {
        Tensor w1 = Tensor.RandomNormal([Features, Features], seed: 11, std: 0.2f, requiresGrad: true);
        Tensor b1 = Tensor.RandomNormal([Features], seed: 12, std: 0.1f, requiresGrad: true);
        Tensor w2 = Tensor.RandomNormal([Classes, 2 * Features], seed: 13, std: 0.2f, requiresGrad: true);
        Tensor[] parameters = [w1, b1, w2];
        var random = new Random(14);
        for (int step = 0; step < 5; step++)
        {
            Tensor x = Tensor.RandomNormal([Rows, Features], seed: 100 + step);
            int[] targets = Enumerable.Range(0, Rows).Select(_ => random.Next(Classes)).ToArray();
            TensorScope? scope = scoped ? TensorScope.Open() : null;
            Tensor h = Tensor.Linear(x, w1, null) + b1;
            Tensor gate = h.Sigmoid() * h.Tanh();
            Tensor wide = Tensor.Concat([gate, h.Exp().Slice(1, 0, Features) * 0.01f], axis: 1);
            Tensor logits = Tensor.Linear(wide.Reshape(Rows, 2 * Features), w2, null);
            Tensor loss = Tensor.SoftmaxCrossEntropy(logits, targets, ignoreIndex: -100).Mean() + (logits * logits).Mean();
            loss.Backward();
            scope?.Dispose();
            foreach (Tensor p in parameters)
            {
                for (int i = 0; i < p.Length; i++)
                {
                    p.Data[i] -= 0.1f * p.Grad!.Data[i];
                }

                p.ZeroGrad();
            }
        }

        return parameters.Select(p => (float[])p.Data.Clone()).ToArray();
    }

    /// <summary>y = 2x through an op that keeps the arrays it returns (allowed for a user's op; the engine must cope).</summary>
    private sealed class CachingDouble : CustomOp
    {
        public float[] CachedOutput { get; private set; } = [];

        public float[] CachedGradient { get; private set; } = [];

        protected override Tensor[] Forward(IReadOnlyList<Tensor?> inputs)
        {
            CachedOutput = inputs[0]!.Data.Select(v => 2 * v).ToArray();
            return [Tensor.FromBuffer(CachedOutput, inputs[0]!.Shape)];
        }

        protected override Tensor?[] Backward(IReadOnlyList<Tensor> outputGradients)
        {
            CachedGradient = outputGradients[0].Data.Select(v => 2 * v).ToArray();
            return [Tensor.FromBuffer(CachedGradient, outputGradients[0].Shape)];
        }
    }
}
