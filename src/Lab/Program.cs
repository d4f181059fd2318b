// The mininet command. Run `dotnet run --project src/Lab -- compare` for the exploding-versus-clipped demonstration.
using Spectre.Console;

return MiniNet.Lab.Cli.Run(args, AnsiConsole.Console, Console.Error);
