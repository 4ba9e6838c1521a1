using Vitals.Simulators.DeviceSimulator;

namespace Vitals.Gateway.Tests.Simulators;

public sealed class ProcessMemoryTests
{
    [Fact]
    public void VmRSS_and_VmHWM_are_read_from_a_status_file()
    {
        const string status = "Name:\tdotnet\nVmPeak:\t 9999999 kB\nVmHWM:\t  190464 kB\nVmRSS:\t  153600 kB\nThreads:\t42\n";

        var memory = ProcessMemory.Parse(status);

        Assert.Equal(new ProcessMemory(153600, 190464), memory);
        Assert.Equal((150.0, 186.0), (memory!.Value.RssMb, memory.Value.PeakRssMb));
    }

    [Theory]
    [InlineData("Name:\tdotnet\nVmRSS:\t 100 kB\n")]
    [InlineData("VmRSS:\t lots kB\nVmHWM:\t 100 kB\n")]
    public void A_status_without_both_numbers_gives_nothing(string status) => Assert.Null(ProcessMemory.Parse(status));

    [Fact]
    public void This_process_can_be_read_and_a_missing_one_cannot()
    {
        var own = ProcessMemory.Read(Environment.ProcessId);

        Assert.NotNull(own);
        Assert.True(own.Value.RssKb > 0 && own.Value.PeakRssKb >= own.Value.RssKb);
        Assert.Null(ProcessMemory.Read(int.MaxValue));
    }
}
