using FluentAssertions;
using Xunit;

namespace MiniNet.Kernels.Tests;

/// <summary>The team of core threads the parallel products run on: every index once, errors surfaced, no deadlock.</summary>
public sealed class CoreTeamTests
{
    private static int Cores => Math.Max(2, Environment.ProcessorCount);

    [Fact]
    public void Every_index_runs_once_and_the_call_returns_after_all_of_them()
    {
        for (int round = 0; round < 2000; round++)
        {
            var runs = new int[Cores];
            CoreTeam.For(Cores, i => Interlocked.Increment(ref runs[i]));
            runs.Should().AllBeEquivalentTo(1, $"round {round}");
        }
    }

    [Fact]
    public void Helpers_that_went_to_sleep_wake_for_the_next_call()
    {
        for (int round = 0; round < 20; round++)
        {
            Thread.Sleep(5);   // longer than the helpers spin
            int sum = 0;
            CoreTeam.For(Cores, i => Interlocked.Add(ref sum, i + 1));
            sum.Should().Be(Cores * (Cores + 1) / 2);
        }
    }

    [Fact]
    public void An_exception_in_a_helper_reaches_the_caller_unwrapped()
    {
        Action call = () => CoreTeam.For(Cores, i =>
        {
            if (i == Cores - 1)
            {
                throw new InvalidOperationException("body failed");
            }
        });
        call.Should().Throw<InvalidOperationException>().WithMessage("body failed");
        int ran = 0;
        CoreTeam.For(Cores, _ => Interlocked.Increment(ref ran));
        ran.Should().Be(Cores, "the team still works after a failure");
    }

    [Fact]
    public void An_exception_on_the_calling_thread_is_rethrown_only_once_no_body_is_running()
    {
        int started = 0, finished = 0;
        Action call = () => CoreTeam.For(Cores, i =>
        {
            if (i == 0)
            {
                SpinWait.SpinUntil(() => Volatile.Read(ref started) > 0, 500);   // a helper is inside its body (on the team)
                throw new ArgumentException("caller failed");
            }

            Interlocked.Increment(ref started);
            Thread.Sleep(20);
            Interlocked.Increment(ref finished);
        });
        call.Should().Throw<ArgumentException>().WithMessage("caller failed");
        Volatile.Read(ref finished).Should().Be(Volatile.Read(ref started), "every body that began had ended before the exception was rethrown");
    }

    [Fact]
    public void A_body_that_calls_the_team_again_and_callers_on_several_threads_all_finish()
    {
        int inner = 0;
        CoreTeam.For(Cores, _ => CoreTeam.For(Cores, _ => Interlocked.Increment(ref inner)));
        inner.Should().Be(Cores * Cores);

        int total = 0;
        Parallel.For(0, 8, _ =>
        {
            for (int round = 0; round < 200; round++)
            {
                CoreTeam.For(Cores, _ => Interlocked.Increment(ref total));
            }
        });
        total.Should().Be(8 * 200 * Cores);
    }

    [Fact]
    public void More_bodies_than_cores_and_one_or_none_are_run_too()
    {
        int ran = 0;
        CoreTeam.For((2 * Cores) + 1, _ => Interlocked.Increment(ref ran));
        ran.Should().Be((2 * Cores) + 1);
        CoreTeam.For(1, _ => Interlocked.Increment(ref ran));
        CoreTeam.For(0, _ => Interlocked.Increment(ref ran));
        ran.Should().Be((2 * Cores) + 2);
    }

    [Fact]
    public void Totals_since_themselves_are_zero_and_the_waiting_share_of_nothing_is_zero()
    {
        CoreTeam.Balance now = CoreTeam.Totals;
        CoreTeam.Balance none = now.Since(now);
        none.Should().Be(new CoreTeam.Balance(0, 0, 0, 0));
        none.WaitingShare.Should().Be(0);
    }
}

/// <summary>
/// The team's running totals, from a call that must have the team to itself: while another test holds it, a call runs
/// on the thread pool and is not counted (a fresh-clone CI run once found 1.8 ms of waiting for the 54 ms asked), so
/// these run alone.
/// </summary>
[Collection(CoreChoiceCollection.Name)]
public sealed class CoreTeamTotalsTests
{
    private static int Cores => Math.Max(2, Environment.ProcessorCount);

    [Theory]
    [InlineData(0)]   // the caller is the slow one: the helper waits
    [InlineData(1)]   // a helper is: the caller waits
    public void The_totals_count_the_time_a_core_waits_for_the_slowest_body(int slow)
    {
        const int SleepMs = 60;
        int fastEnded = 0;
        CoreTeam.Balance before = CoreTeam.Totals;
        CoreTeam.For(Cores, i =>
        {
            if (i == slow)
            {
                // The slow body sleeps only once the others have ended, so a helper that wakes late on a busy machine
                // (a CI run once had one start 6 ms after the caller) cannot shorten the waiting below the sleep.
                SpinWait.SpinUntil(() => Volatile.Read(ref fastEnded) == Cores - 1, TimeSpan.FromSeconds(5));
                Thread.Sleep(SleepMs);
            }
            else
            {
                Interlocked.Increment(ref fastEnded);
            }
        });
        CoreTeam.Balance call = CoreTeam.Totals.Since(before);
        if (Environment.ProcessorCount < 2)
        {
            call.Calls.Should().Be(0, "with one core the bodies run on the thread pool, outside the team");
            return;
        }

        // This call has Cores − 1 cores waiting at least SleepMs each, out of Cores · SleepMs of core time (9/10 of it
        // for a coarse clock); the totals are bounded from below only, since a team call of no other test counts less.
        long ticks = SleepMs * System.Diagnostics.Stopwatch.Frequency / 1000;
        call.Calls.Should().BeGreaterThanOrEqualTo(1);
        call.WallTicks.Should().BeGreaterThanOrEqualTo(ticks * 9 / 10);
        call.CoreTicks.Should().BeGreaterThanOrEqualTo(Cores * ticks * 9 / 10);
        call.WaitTicks.Should().BeGreaterThanOrEqualTo((Cores - 1) * ticks * 9 / 10);
        call.WaitingShare.Should().BeInRange(0.0, 1.0);
    }
}
