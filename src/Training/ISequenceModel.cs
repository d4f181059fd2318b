using MiniNet.Autograd;

namespace MiniNet.Training;

/// <summary>
/// What the <see cref="Trainer"/> needs of a model: a forward pass from a batch of sequences to the task's head output, and
/// its named parameters (for the optimizer, the clipper's per-parameter report and checkpoints). <see cref="SequenceModel"/>
/// is MiniNet's (an RNN or LSTM with a linear head); any <c>Module</c> with a <c>Forward(Tensor)</c> can be one.
/// </summary>
public interface ISequenceModel
{
    /// <summary>The head output for a batch: [batch, outputs] when the task reads the last step, [batch, steps, outputs] when it reads every step.</summary>
    /// <param name="inputs">[batch, steps, features].</param>
    /// <returns>The head output.</returns>
    Tensor Forward(Tensor inputs);

    /// <summary>The trainable parameters with their names (dotted paths such as <c>lstm.weight_hh_l0</c>), in a fixed order.</summary>
    /// <returns>The parameters.</returns>
    IEnumerable<(string Name, Tensor Parameter)> NamedParameters();
}
