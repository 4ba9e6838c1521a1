namespace Vitals.Gateway.Ingest.Ble;

/// <summary>Opens the platform's Bluetooth stack (BlueZ on Linux); a seam for another implementation such as InTheHand.</summary>
public delegate Task<Bluetooth> BluetoothConnector(CancellationToken ct);
