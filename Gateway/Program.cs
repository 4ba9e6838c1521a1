using Vitals.Gateway.Cli;

return await GatewayCommandLine.RunAsync(args);
