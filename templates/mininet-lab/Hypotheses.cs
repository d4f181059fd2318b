using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Clipping;
using MiniNet.Testing;
using MiniNet.Training;
using Xunit;

namespace MiniNetLab;

/// <summary>Claims about training, each a test: change a number, run dotnet test, see whether the claim still holds.</summary>
public class Hypotheses
{
    // an LSTM on the adding problem (T = 20) with plain SGD at lr 1: the setting Pascanu et al. (2013) rescued with clipping
    [Fact]
    public void Without_clipping_plain_SGD_at_learning_rate_1_explodes() =>
        Lab.RunSteps(50, clip: "none").Should().Diverge();

    [Fact]
    public void Clipping_the_global_norm_keeps_every_update_bounded_and_the_run_alive() =>
        Lab.RunSteps(300, clip: "global-norm:0.1").Should().NotDiverge().And.NeverExceedPostClipNorm(0.1);

    [Fact]
    public void A_clipper_of_your_own_plugs_into_the_trainer()
    {
        var config = new TrainingConfig(SequenceLength: 20, Hidden: 32, Optimizer: "sgd", LearningRate: 1f, Steps: 300);
        RunResult mine = Trainer.Run(config, new TrainingParts(Clipper: new CapTheNorm(0.1f)));  // any IGradientClipper
        RunResult builtIn = Trainer.Run(config with { Clip = "global-norm:0.1" });
        mine.Should().NotDiverge().And.NeverExceedPostClipNorm(0.1);
        mine.FinalTestLoss.Should().BeApproximately(builtIn.FinalTestLoss, 1e-3, "it computes what global-norm clipping computes");
    }

    /// <summary>Rescales all gradients together so that their global L2 norm is at most <c>limit</c>.</summary>
    private sealed class CapTheNorm(float limit) : IGradientClipper
    {
        public ClipReport Clip(IReadOnlyList<Tensor> parameters)
        {
            float norm = GradientNorms.Total(parameters);
            float scale = norm > limit ? limit / (norm + 1e-6f) : 1f;
            foreach (Tensor p in parameters.Where(p => p.Grad is not null))
            {
                for (int i = 0; i < p.Length; i++)
                {
                    p.Grad!.Data[i] *= scale;
                }
            }

            return new ClipReport(norm, norm * scale, scale, SkipStep: false, PerParameter: []);
        }

        public override string ToString() => $"cap-the-norm:{limit}";
    }
}
