// The mininet command. Run `dotnet run --project src/Lab -- compare` for the exploding-versus-clipped demonstration.
using Spectre.Console;

using var interruption = MiniNet.Lab.Interruption.FromSignals();
return MiniNet.Lab.Cli.Run(args, AnsiConsole.Console, Console.Error, interruption);
