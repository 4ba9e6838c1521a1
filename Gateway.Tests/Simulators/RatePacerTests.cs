using Microsoft.Extensions.Time.Testing;
using Vitals.Simulators.DeviceSimulator;

namespace Vitals.Gateway.Tests.Simulators;

public sealed class RatePacerTests
{
    [Fact]
    public void Slots_AreDueOnAnAbsoluteSchedule()
    {
        var time = new FakeTimeProvider();
        var pacer = new RatePacer(10, time);

        Assert.Equal(TimeSpan.Zero, pacer.UntilNext());
        Take(pacer);
        Assert.Equal(TimeSpan.FromMilliseconds(100), pacer.UntilNext());
        time.Advance(TimeSpan.FromMilliseconds(30));
        Assert.Equal(TimeSpan.FromMilliseconds(70), pacer.UntilNext());
        // A slow publish does not push the schedule back: after 250 ms two more slots are due at once.
        time.Advance(TimeSpan.FromMilliseconds(220));
        Take(pacer);
        Take(pacer);
        Assert.Equal(TimeSpan.FromMilliseconds(50), pacer.UntilNext());
    }

    [Fact]
    public void AfterALongStall_CatchesUpAtMostOneSecondOfSlots()
    {
        var time = new FakeTimeProvider();
        var pacer = new RatePacer(10, time);
        Take(pacer);

        time.Advance(TimeSpan.FromSeconds(30));
        var burst = 0;
        while (pacer.UntilNext() == TimeSpan.Zero)
        {
            Take(pacer);
            burst++;
        }

        Assert.InRange(burst, 10, 11);
    }

    [Fact]
    public void RateZero_IsUnpaced()
    {
        var pacer = new RatePacer(0, new FakeTimeProvider());
        for (var i = 0; i < 1000; i++)
        {
            Take(pacer);
        }

        Assert.Equal(TimeSpan.Zero, pacer.UntilNext());
        Assert.Equal(1000, pacer.Issued);
    }

    private static void Take(RatePacer pacer)
    {
        Assert.Equal(TimeSpan.Zero, pacer.UntilNext());
        var wait = pacer.WaitAsync(CancellationToken.None);
        Assert.True(wait.IsCompletedSuccessfully);
    }
}
