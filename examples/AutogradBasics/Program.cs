// Autograd basics: fit y = sin(x) with a tiny two-layer network, using nothing but tensors,
// Backward() and a hand-written gradient-descent update. Run: dotnet run --project examples/AutogradBasics
using MiniNet.Autograd;

// 1. Data: 64 points of sin(x) on [-3, 3].
Tensor x = Tensor.RandomUniform([64, 1], seed: 1, low: -3f, high: 3f);
Tensor y = Tensor.FromArray(x.Data.Select(MathF.Sin).ToArray(), [64, 1]);

// 2. Parameters: tensors that require gradients. Weights in PyTorch's [in, out] matmul layout here.
Tensor w1 = Tensor.RandomNormal([1, 32], seed: 2, std: 0.7f, requiresGrad: true);
Tensor b1 = Tensor.Zeros([32], requiresGrad: true);
Tensor w2 = Tensor.RandomNormal([32, 1], seed: 3, std: 0.2f, requiresGrad: true);
Tensor b2 = Tensor.Zeros([1], requiresGrad: true);
Tensor[] parameters = [w1, b1, w2, b2];

// Try 0.1: the loss climbs instead of falling, because each step overshoots and the gradients grow
// step after step. That is the exploding-gradient problem MiniNet's clipping stage is about.
const float LearningRate = 0.02f;
for (int step = 0; step <= 2000; step++)
{
    // 3. Forward: every op records how to send gradients back to its inputs.
    Tensor prediction = x.MatMul(w1).Add(b1).Tanh().MatMul(w2).Add(b2);
    Tensor loss = (prediction - y).Pow(2f).Mean();

    // 4. Backward: fills p.Grad = ∂loss/∂p for every parameter.
    loss.Backward();

    // 5. Update outside the graph, then clear the gradients (they accumulate otherwise).
    using (NoGrad.Scope())
    {
        foreach (Tensor p in parameters)
        {
            for (int i = 0; i < p.Length; i++)
            {
                p.Data[i] -= LearningRate * p.Grad!.Data[i]; // p ← p − lr·∂loss/∂p
            }

            p.ZeroGrad();
        }
    }

    if (step % 200 == 0)
    {
        Console.WriteLine($"step {step,5}   loss {loss.Item():F5}");
    }
}

Tensor probe = Tensor.FromArray([1.0f], [1, 1]);
float fitted = probe.MatMul(w1).Add(b1).Tanh().MatMul(w2).Add(b2).Item();
Console.WriteLine($"sin(1) = {MathF.Sin(1f):F4}, the network says {fitted:F4}");
