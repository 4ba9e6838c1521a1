using System.Net;
using MQTTnet.Server;

namespace Vitals.Gateway.Benchmarks;

/// <summary>MQTTnet's broker with nothing added, on loopback: what MQTT alone costs on this machine.</summary>
internal static class RawBroker
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = args.Length > 1 && args[0] == "--port" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1883;
        var options = new MqttServerOptionsBuilder().WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(port).Build();
        using var server = new MqttServerFactory().CreateMqttServer(options);
        await server.StartAsync();
        Console.WriteLine($"raw MQTTnet broker listening on 127.0.0.1:{port}");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        await stop.Task;
        await server.StopAsync();
        return 0;
    }
}
