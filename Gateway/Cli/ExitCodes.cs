namespace Vitals.Gateway.Cli;

/// <summary>README "Command line": 0 ok, 1 runtime failure, 2 bad usage or bad input.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int RuntimeFailure = 1;
    public const int BadInput = 2;
}
