namespace Vitals.Simulators.DeviceSimulator;

/// <summary>The broker could not be reached or refused the connection: the run cannot start.</summary>
public sealed class SimulatorConnectException : Exception
{
    public SimulatorConnectException(string message) : base(message)
    {
    }

    public SimulatorConnectException(string message, Exception inner) : base(message, inner)
    {
    }
}
