using Vitals.Gateway.Storage;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Cli;

/// <summary><c>devices bind --user --from</c>, <c>unbind</c>, <c>list</c> and <c>bindings</c>, run as the operator runs them, on a store file.</summary>
public sealed class DevicesBindCommandTests : IDisposable
{
    private static readonly DateTimeOffset T0 = Some.MeasuredAt;
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<(int Exit, string Output, string Error)> CliAsync(params string[] args)
    {
        await using var cli = ProcessRunner.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "Vitals.Gateway.dll"), .. args],
            AppContext.BaseDirectory, new Dictionary<string, string?> { ["Storage__Path"] = _temp.DatabasePath, ["DOTNET_NOLOGO"] = "1" }, "gateway-cli");
        var exit = await cli.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, string.Join('\n', cli.StandardOutputLines), cli.StandardErrorTail);
    }

    private static IngestRecord Cuff(DateTimeOffset at, int? user) =>
        Some.AcceptedRecord(Some.StoredCuff("cuff-1", at, $"{at.ToUnixTimeSeconds()}-{user}") with { UserId = user });

    [Fact]
    public async Task Bind_with_user_and_from_releases_that_slots_readings_from_then_on_and_list_and_bindings_show_the_slots()
    {
        using (var store = await _temp.OpenAsync())
        {
            await store.Ingest.CommitAsync([Cuff(T0.AddHours(-1), 2), Cuff(T0.AddHours(1), 2), Cuff(T0.AddHours(1), 1)], CancellationToken.None);
        }

        var (exit, output, error) = await CliAsync("devices", "bind", "--device", "cuff-1", "--user", "2", "--patient", "Patient/bob", "--from", "2026-11-25T08:30:00+01:00");

        Assert.True(exit == 0, error);
        Assert.Equal("bound cuff-1 user 2 to Patient/bob from 2026-11-25T08:30:00.0000000+01:00; 1 quarantined reading(s) released to the outbox", output);

        (exit, output, _) = await CliAsync("devices", "list", "--device", "cuff-1");
        Assert.Equal(0, exit);
        var rows = output.Split('\n');
        Assert.Matches("^DEVICE +USER +PATIENT +BOUND FROM +LAST SEEN +READINGS +QUARANTINED$", rows[0]);
        Assert.Matches("^cuff-1 +1 +- +- +2026-11-25 08:30:02\\+00:00 +3 +1$", rows[1]);
        Assert.Matches("^cuff-1 +2 +Patient/bob +2026-11-25 07:30:00\\+00:00 +2026-11-25 08:30:02\\+00:00 +3 +1$", rows[2]);
        Assert.Equal(3, rows.Length);

        (exit, output, _) = await CliAsync("devices", "bindings");
        Assert.Equal(0, exit);
        Assert.Matches("^DEVICE +USER +PATIENT +FROM +TO\ncuff-1 +2 +Patient/bob +2026-11-25 07:30:00\\+00:00 +-$", output);
    }

    [Fact]
    public async Task A_reassignment_ends_the_old_binding_and_one_overlapping_an_earlier_binding_is_refused()
    {
        Assert.Equal(0, (await CliAsync("devices", "bind", "--device", "scale-1", "--patient", "Patient/alice", "--from", "2026-11-25T07:00:00Z")).Exit);
        Assert.Equal(0, (await CliAsync("devices", "bind", "--device", "scale-1", "--patient", "Patient/bob", "--from", "2026-11-26T07:00:00Z")).Exit);

        var (exit, _, error) = await CliAsync("devices", "bind", "--device", "scale-1", "--patient", "Patient/carol", "--from", "2026-11-25T12:00:00Z");

        Assert.Equal(2, exit);
        Assert.Contains("overlap", error, StringComparison.Ordinal);
        var (_, output, _) = await CliAsync("devices", "bindings", "--device", "scale-1");
        Assert.Matches(
            "^DEVICE +USER +PATIENT +FROM +TO\nscale-1 +- +Patient/alice +2026-11-25 07:00:00\\+00:00 +2026-11-26 07:00:00\\+00:00\nscale-1 +- +Patient/bob +2026-11-26 07:00:00\\+00:00 +-$",
            output);
    }

    [Fact]
    public async Task Unbind_ends_one_user_slot_with_user_and_every_slot_without()
    {
        Assert.Equal(0, (await CliAsync("devices", "bind", "--device", "cuff-1", "--user", "1", "--patient", "Patient/alice")).Exit);
        Assert.Equal(0, (await CliAsync("devices", "bind", "--device", "cuff-1", "--user", "2", "--patient", "Patient/bob")).Exit);

        Assert.Equal((0, "unbound cuff-1 user 1; its later readings will be quarantined"), Pick(await CliAsync("devices", "unbind", "--device", "cuff-1", "--user", "1")));
        Assert.Equal(2, (await CliAsync("devices", "unbind", "--device", "cuff-1", "--user", "1")).Exit);
        Assert.Equal((0, "unbound cuff-1 (every slot); its later readings will be quarantined"), Pick(await CliAsync("devices", "unbind", "--device", "cuff-1")));
        Assert.Equal(2, (await CliAsync("devices", "unbind", "--device", "cuff-1")).Exit);

        static (int, string) Pick((int Exit, string Output, string Error) r) => (r.Exit, r.Output);
    }

    [Theory]
    [InlineData("--user", "255")]
    [InlineData("--user", "-1")]
    [InlineData("--from", "2026-11-25T08:30:00")]
    [InlineData("--from", "yesterday")]
    public async Task A_user_index_out_of_range_or_a_time_without_offset_is_a_usage_error(string option, string value)
    {
        var (exit, _, error) = await CliAsync("devices", "bind", "--device", "cuff-1", "--patient", "Patient/bob", option, value);

        Assert.Equal(2, exit);
        Assert.Contains(option, error, StringComparison.Ordinal);
    }
}
