using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Serialization;
using Xunit;

namespace MiniNet.Clipping.Tests;

/// <summary>Stateful stages keep typed state records; a chain keys its stages' states by name; the text form round-trips exactly.</summary>
public sealed class ClipperStateTests
{
    [Fact]
    public void A_chain_saves_each_stateful_stage_under_its_name_and_restores_it_through_text()
    {
        var chain = new ClipChain(new SkipNonFinite(), new AutoClip(90), new ZClip(2.5f));
        Warm(chain);
        ClipChainState saved = (ClipChainState)chain.SaveState();
        saved.Stages.Select(s => s.Key).Should().Equal("skip-nonfinite", "autoclip:90", "zclip:2.5");
        IReadOnlyDictionary<string, string> text = saved.ToText();
        text.Keys.Should().Contain(["autoclip:90/history", "zclip:2.5/mean", "skip-nonfinite/skipped"]);

        var copy = new ClipChain(new SkipNonFinite(), new AutoClip(90), new ZClip(2.5f));
        copy.LoadState(copy.ParseState(text));
        ((AutoClipState)((ClipChainState)copy.SaveState()).Stages[1].Value).History
            .Should().Equal(((AutoClipState)saved.Stages[1].Value).History, "doubles round-trip bit for bit");
        copy.SaveState().ToText().Should().Equal(text);
    }

    [Fact]
    public void A_repeated_stage_gets_a_numbered_name()
    {
        new ClipChain(new AutoClip(90), new AutoClip(90), new ClipByValue(1f)).StageNames.Should().Equal("autoclip:90", "autoclip:90#2", "value:1");
    }

    [Fact]
    public void State_from_another_chain_is_refused_naming_the_stage()
    {
        var chain = new ClipChain(new AutoClip(90));
        Warm(chain);
        var other = new ClipChain(new AutoClip(50));
        Action act = () => other.LoadState(chain.SaveState());
        act.Should().Throw<ArgumentException>().WithMessage("The state has stage 'autoclip:90', which this chain (autoclip:50) does not have*");

        Action missing = () => other.ParseState(chain.SaveState().ToText());
        missing.Should().Throw<FormatException>().WithMessage("Clipper state lacks 'history'*");
    }

    [Fact]
    public void A_stage_given_another_kind_of_state_says_which_it_keeps()
    {
        Action act = () => new AutoClip(90).LoadState(new SkipNonFiniteState(3));
        act.Should().Throw<ArgumentException>().WithMessage("autoclip:90 keeps a AutoClipState, not a SkipNonFiniteState*");
    }

    [Fact]
    public void Malformed_text_names_the_key()
    {
        Action act = () => ZClipState.Parse(new Dictionary<string, string> { ["mean"] = "NaN", ["variance"] = "1", ["warmup"] = string.Empty });
        act.Should().Throw<FormatException>().WithMessage("Clipper state 'mean' holds 'NaN', which is not a finite number.");
    }

    private static void Warm(IGradientClipper clipper)
    {
        for (int step = 1; step <= 30; step++)
        {
            Tensor p = Tensor.Ones([3], requiresGrad: true);
            p.Name = "w";
            p.Grad = Tensor.Full([3], step * 0.37f);
            clipper.Clip([p]);
        }
    }
}

/// <summary>A report says which norm its totals are in.</summary>
public sealed class NormOrderTests
{
    [Fact]
    public void Reports_state_the_order_of_their_totals()
    {
        new NoClip().Clip(Gradients.WithGradients(new[] { 3f, 4f })).NormOrder.Should().Be(2f);
        ClipReport max = new ClipByGlobalNorm(100f, float.PositiveInfinity).Clip(Gradients.WithGradients(new[] { 3f, -4f }));
        max.NormOrder.Should().Be(float.PositiveInfinity);
        max.TotalNormBefore.Should().Be(4f);
        max.PerParameter[0].NormBefore.Should().Be(5f, "per-parameter norms are always L2");
    }

    [Fact]
    public void A_chain_of_different_orders_restates_its_total_after_in_the_first_stage_order()
    {
        // The first stage measures the ∞-norm (4) and leaves it; the value clip then makes [1, -1], whose ∞-norm is 1.
        ClipReport report = new ClipChain(new ClipByGlobalNorm(100f, float.PositiveInfinity), new ClipByValue(1f)).Clip(Gradients.WithGradients(new[] { 3f, -4f }));
        report.NormOrder.Should().Be(float.PositiveInfinity);
        (report.TotalNormBefore, report.TotalNormAfter).Should().Be((4f, 1f));
        report.Scale.Should().Be(0.25f);
    }
}
