using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vitals.Simulators.BleSimulator.Bluez;

namespace Vitals.Simulators.BleSimulator;

/// <summary>The loopback HTTP control API of the simulator's README.md (tests drive the devices through it, never over D-Bus).</summary>
internal static class ControlApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Starts Kestrel on 127.0.0.1 and returns the app and its base URL.</summary>
    public static async Task<(WebApplication App, string BaseUrl)> StartAsync(Bluetoothd daemon, int port, LogLevel minimumLevel)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // stdout carries only the ready line; logs go to stderr.
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(minimumLevel);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        var app = builder.Build();
        Map(app, daemon);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, address.TrimEnd('/') + "/");
    }

    private static void Map(WebApplication app, Bluetoothd daemon)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/devices", () => Results.Json(daemon.Control.Devices(), Json));
        app.MapGet("/readings", () => Results.Json(daemon.Control.Readings(), Json));
        app.MapPost("/devices/{addr}/reading", (string addr, int? user) =>
        {
            if (daemon.Control.FindPeripheral(addr) is not { } p)
            {
                return UnknownDevice(addr);
            }
            // User IDs 0..254; 255 means "unknown user" (Blood Pressure Service 1.1, Weight Scale Service 1.0).
            return user is < 0 or > 254
                ? Results.Json(new { error = "user must be 0..254" }, Json, statusCode: 400)
                : Results.Json(daemon.Control.TakeReading(p, (byte?)user), Json);
        });
        app.MapPost("/devices/{addr}/store", (string addr, int? count) =>
        {
            if (daemon.Control.FindPeripheral(addr) is not { } p)
            {
                return UnknownDevice(addr);
            }
            var n = count ?? 1;
            return n is < 1 or > 1000
                ? Results.Json(new { error = "count must be 1..1000" }, Json, statusCode: 400)
                : Results.Json(daemon.Control.Store(p, n), Json);
        });
        app.MapPost("/devices/{addr}/disconnect", (string addr, double? away) =>
        {
            if (daemon.Control.FindPeripheral(addr) is not { } p)
            {
                return UnknownDevice(addr);
            }
            if (away is < 0 or > 86_400)
            {
                return Results.Json(new { error = "away must be 0..86400 seconds" }, Json, statusCode: 400);
            }
            daemon.Control.GoAway(p, TimeSpan.FromSeconds(away ?? 0));
            return Results.Json(daemon.Control.Devices().First(d => d.Address == p.Address), Json);
        });
        app.MapPost("/devices/{addr}/malformed", (string addr) =>
        {
            if (daemon.Control.FindPeripheral(addr) is not { } p)
            {
                return UnknownDevice(addr);
            }
            return daemon.Control.SendMalformed(p) is { } value
                ? Results.Json(new { address = p.Address, uuid = p.MeasurementUuid.ToString("x4", CultureInfo.InvariantCulture), hex = Convert.ToHexStringLower(value) }, Json)
                : Results.Json(new { error = "the device is not connected with indications enabled on its measurement characteristic" }, Json, statusCode: 409);
        });
        app.MapPost("/bluetoothd/restart", async () =>
        {
            await daemon.RestartAsync().ConfigureAwait(false);
            return Results.Json(new { uniqueName = daemon.UniqueName }, Json);
        });
    }

    private static IResult UnknownDevice(string address) =>
        Results.Json(new { error = $"no simulated device {address}" }, Json, statusCode: 404);
}
