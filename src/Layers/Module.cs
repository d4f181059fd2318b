using System.Globalization;
using System.Text;
using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>
/// The base of every layer: owns parameters and sub-modules under PyTorch's <c>state_dict</c> names,
/// and a training/evaluation mode.
/// </summary>
/// <remarks>
/// A module registers each parameter with <see cref="AddParameter"/> and each sub-module with
/// <see cref="AddModule{T}"/>; <see cref="NamedParameters"/> then yields dotted names such as
/// <c>0.weight</c> or <c>lstm.weight_ih_l0</c>, exactly as PyTorch would, and every parameter's
/// <see cref="Tensor.Name"/> is kept equal to that name so errors and reports can say which one.
/// </remarks>
public abstract class Module
{
    private readonly List<(string Name, Tensor Parameter)> _parameters = [];
    private readonly List<(string Name, Module Child)> _children = [];

    /// <summary>True in training mode (the default), false after <see cref="Eval"/>; dropout acts only in training mode.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Every parameter under its PyTorch name, this module's own first, then each sub-module's in registration order.</summary>
    /// <returns>The (name, parameter) pairs.</returns>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters()
    {
        foreach ((string name, Tensor parameter) in _parameters)
        {
            yield return (name, parameter);
        }

        foreach ((string childName, Module child) in _children)
        {
            foreach ((string name, Tensor parameter) in child.NamedParameters())
            {
                yield return ($"{childName}.{name}", parameter);
            }
        }
    }

    /// <summary>Every parameter, in <see cref="NamedParameters"/> order.</summary>
    /// <returns>The parameters.</returns>
    public IReadOnlyList<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter).ToArray();

    /// <summary>The sub-modules registered directly on this module, with their names.</summary>
    /// <returns>The (name, module) pairs.</returns>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children.AsReadOnly();

    /// <summary>The total number of parameter elements.</summary>
    public long ParameterCount => NamedParameters().Sum(p => (long)p.Parameter.Length);

    /// <summary>Clears every parameter's gradient (gradients accumulate across Backward calls).</summary>
    /// <param name="setToNone">True (PyTorch's default) sets each <see cref="Tensor.Grad"/> to null; false fills it with zeros.</param>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (Tensor p in Parameters())
        {
            p.ZeroGrad(setToNone);
        }
    }

    /// <summary>Sets training mode on this module and every sub-module.</summary>
    /// <param name="training">True for training, false for evaluation.</param>
    /// <returns>This module, for chaining.</returns>
    public Module Train(bool training = true)
    {
        IsTraining = training;
        foreach ((_, Module child) in _children)
        {
            child.Train(training);
        }

        return this;
    }

    /// <summary>Sets evaluation mode (dropout off) on this module and every sub-module.</summary>
    /// <returns>This module, for chaining.</returns>
    public Module Eval() => Train(false);

    /// <summary>A PyTorch-style listing: the module tree with each layer's settings and parameter counts.</summary>
    /// <returns>For example <c>Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)  # 9 parameters\n)</c>.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        Describe(text, indent: 0);
        text.Append(CultureInfo.InvariantCulture, $"\nTotal parameters: {ParameterCount:N0}");
        return text.ToString();
    }

    /// <summary>The settings shown inside the parentheses of <see cref="ToString"/>, such as <c>in_features=2, out_features=3</c>.</summary>
    /// <returns>The settings text.</returns>
    protected virtual string ExtraRepr() => string.Empty;

    /// <summary>Registers a parameter under <paramref name="name"/> and names the tensor after it.</summary>
    /// <param name="name">The PyTorch name, such as <c>weight</c> or <c>bias_hh_l1</c>.</param>
    /// <param name="parameter">The tensor; it must require a gradient.</param>
    /// <returns>The parameter.</returns>
    protected Tensor AddParameter(string name, Tensor parameter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(parameter);
        if (!parameter.RequiresGrad)
        {
            throw new ArgumentException($"Parameter '{name}' must be created with requiresGrad: true.", nameof(parameter));
        }

        CheckUnique(name);
        parameter.Name = name;
        _parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>Registers a sub-module under <paramref name="name"/>; its parameters become <c>name.…</c>.</summary>
    /// <typeparam name="T">The module type.</typeparam>
    /// <param name="name">The name, such as <c>0</c> or <c>encoder</c>.</param>
    /// <param name="child">The sub-module.</param>
    /// <returns>The sub-module.</returns>
    protected T AddModule<T>(string name, T child)
        where T : Module
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(child);
        CheckUnique(name);
        _children.Add((name, child));
        child.Train(IsTraining);
        RenameParameters(string.Empty);
        return child;
    }

    private void CheckUnique(string name)
    {
        if (_parameters.Any(p => p.Name == name) || _children.Any(c => c.Name == name))
        {
            throw new ArgumentException($"{GetType().Name} already has a parameter or module named '{name}'.", nameof(name));
        }
    }

    /// <summary>Keeps every parameter's Tensor.Name equal to its dotted name below this module.</summary>
    private void RenameParameters(string prefix)
    {
        foreach ((string name, Tensor parameter) in _parameters)
        {
            parameter.Name = prefix + name;
        }

        foreach ((string childName, Module child) in _children)
        {
            child.RenameParameters($"{prefix}{childName}.");
        }
    }

    private void Describe(StringBuilder text, int indent)
    {
        text.Append(GetType().Name).Append('(').Append(ExtraRepr());
        if (_children.Count > 0)
        {
            text.Append('\n');
            foreach ((string name, Module child) in _children)
            {
                text.Append(' ', indent + 2).Append('(').Append(name).Append("): ");
                child.Describe(text, indent + 2);
                text.Append('\n');
            }

            text.Append(' ', indent);
        }

        text.Append(')');
        if (_children.Count == 0 && ParameterCount > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"  # {ParameterCount:N0} parameters");
        }
    }
}
