// The mininet command. Run `dotnet run --project src/Lab -- compare` for the exploding-versus-clipped demonstration.
using Spectre.Console;

// Colours, cursor movement and hyperlinks only for a terminal: piped or redirected output, or NO_COLOR (no-color.org), is plain text.
bool plain = Console.IsOutputRedirected || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
IAnsiConsole console = plain
    ? AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No })
    : AnsiConsole.Console;
using var interruption = MiniNet.Lab.Interruption.FromSignals();
return MiniNet.Lab.Cli.Run(args, console, Console.Error, interruption);
