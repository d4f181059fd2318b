using System.Runtime.InteropServices;

namespace MiniNet.Lab;

/// <summary>
/// Ctrl-C and SIGTERM for the <c>mininet</c> process: the first signal asks the running command to stop after the current step
/// (it then writes its checkpoint, summary and report and exits 130 for SIGINT, 143 for SIGTERM); a second signal ends the process at once.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signals;

    /// <summary>Creates a stop request that nothing but <see cref="Request"/> triggers (in-process use, tests).</summary>
    public Interruption()
    {
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>The exit code the interruption asks for: 130 (SIGINT) or 143 (SIGTERM); 0 when none came.</summary>
    public int ExitCode { get; private set; }

    /// <summary>The environment variable the experiment pool sets in its workers: they leave Ctrl-C to the pool, which passes one SIGTERM on.</summary>
    public const string WorkerVariable = "MININET_POOL_WORKER";

    /// <summary>Listens for SIGINT and SIGTERM (a pool's worker ignores SIGINT: the terminal sends it to the whole process group,
    /// and the pool stops its workers itself, so that each gets one signal and checkpoints its cell).</summary>
    /// <returns>The interruption.</returns>
    public static Interruption FromSignals()
    {
        var interruption = new Interruption();
        bool worker = Environment.GetEnvironmentVariable(WorkerVariable) == "1";
        interruption._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
        {
            if (worker)
            {
                c.Cancel = true;
                return;
            }

            interruption.OnSignal(c, 130);
        }));
        interruption._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => interruption.OnSignal(c, 143)));
        return interruption;
    }

    /// <summary>Asks the running command to stop after its current step, as a signal would.</summary>
    /// <param name="exitCode">130 or 143.</param>
    public void Request(int exitCode)
    {
        ExitCode = exitCode;
        _source.Cancel();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }

        _source.Dispose();
    }

    private void OnSignal(PosixSignalContext context, int exitCode)
    {
        if (Interlocked.Increment(ref _signals) == 1)
        {
            context.Cancel = true; // keep running: the command stops cleanly after this step
            Console.Error.WriteLine($"mininet: stopping after the current step (press Ctrl-C again to quit at once)");
            Request(exitCode);
        }
        else
        {
            context.Cancel = false; // the default: the process ends now
        }
    }
}
