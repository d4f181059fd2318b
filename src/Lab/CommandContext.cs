using Spectre.Console;

namespace MiniNet.Lab;

/// <summary>What every command's action needs: where output goes and the stop request.</summary>
/// <param name="Console">Tables and progress.</param>
/// <param name="Interruption">The stop request (SIGINT, SIGTERM).</param>
/// <param name="Error">One-line errors.</param>
internal sealed record CommandContext(IAnsiConsole Console, Interruption Interruption, TextWriter Error);
