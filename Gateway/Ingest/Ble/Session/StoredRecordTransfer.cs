using Vitals.Devices.Gatt;

namespace Vitals.Gateway.Ingest.Ble.Session;

/// <summary>What the value router tells the stored-record transfer; shaped by <see cref="ValueRouter"/>.</summary>
internal interface IRacpListener
{
    /// <summary>A whole GHS stored record was assembled and handed to the pipeline.</summary>
    void StoredRecordAssembled();

    /// <summary>
    /// A RACP response indication, delivered in arrival order. For a report, <paramref name="allCommitted"/> says
    /// whether every value received before it was committed.
    /// </summary>
    void Answered(RecordAccessControlPoint response, bool allCommitted);
}

/// <summary>
/// Fetches a GHS device's stored records through the Record Access Control Point (GATT Specification Supplement,
/// RACP 0x2A52): report all, then delete all, and the delete only once every reported record is committed.
/// </summary>
internal sealed class StoredRecordTransfer(string address, BleSessionContext context) : IRacpListener
{
    private TaskCompletionSource<(RecordAccessControlPoint Response, bool AllCommitted)>? _pending;
    private int _storedRecords;

    /// <summary>
    /// Report, wait for the response, delete. Acknowledge after commit (docs/architecture.md): the delete is what tells
    /// the device "received", and a record deleted before it is durable here is lost for good on a crash. RACP
    /// indicates every stored record before the report's response code, and the router completes the response only
    /// once everything it received before it is committed, so "Success and all committed" covers every record.
    /// </summary>
    public async Task TransferAsync(BluetoothDevice device, CancellationToken ct)
    {
        var racp = await GattLookup.FindAsync(device, GattUuids.GenericHealthSensorService, GattUuids.RecordAccessControlPoint, ct).ConfigureAwait(false);
        if (racp is null || !racp.Can(GattCharacteristicProperties.Write)) return;

        Interlocked.Exchange(ref _storedRecords, 0);
        var (report, allCommitted) = await RequestAsync(racp, RacpOpcode.ReportStoredRecords, ct).ConfigureAwait(false);
        if (report.Response == RacpResponseCode.NoRecordsFound) return;
        if (report.Response != RacpResponseCode.Success)
        {
            BleLog.StoredRecordsKept(context.Logger, address, "report answered " + report.Response);
            return;
        }
        if (!allCommitted)
        {
            BleLog.StoredRecordsKept(context.Logger, address, "a stored record could not be committed");
            return;
        }
        BleLog.StoredRecordsCommitted(context.Logger, address, Volatile.Read(ref _storedRecords));
        var (delete, _) = await RequestAsync(racp, RacpOpcode.DeleteStoredRecords, ct).ConfigureAwait(false);
        if (delete.Response != RacpResponseCode.Success)
        {
            BleLog.StoredRecordsKept(context.Logger, address, "delete answered " + delete.Response);
        }
    }

    public void StoredRecordAssembled() => Interlocked.Increment(ref _storedRecords);

    public void Answered(RecordAccessControlPoint response, bool allCommitted) =>
        Volatile.Read(ref _pending)?.TrySetResult((response, allCommitted));

    private async Task<(RecordAccessControlPoint Response, bool AllCommitted)> RequestAsync(GattCharacteristic racp, RacpOpcode opcode, CancellationToken ct)
    {
        var pending = new TaskCompletionSource<(RecordAccessControlPoint, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Set before the write: the device may answer before the write call returns.
        Volatile.Write(ref _pending, pending);
        var buffer = new byte[RecordAccessControlPoint.MaxLength];
        if (!RecordAccessControlPoint.Request(opcode, RacpOperator.AllRecords).TryFormat(buffer, out var written))
        {
            throw new InvalidOperationException($"RACP request {opcode} cannot be formatted");
        }
        await racp.WriteValueWithResponseAsync(buffer.AsMemory(0, written), ct).ConfigureAwait(false);
        var timeout = context.Options.StoredRecordsTimeout;
        try
        {
            var answer = await pending.Task.WaitAsync(timeout, context.Time, ct).ConfigureAwait(false);
            return answer.Item1.RequestOpcode == opcode
                ? answer
                : throw new BleSessionException($"RACP answered op code {answer.Item1.RequestOpcode} to {opcode}");
        }
        catch (TimeoutException)
        {
            throw new BleSessionException($"no RACP response to {opcode} within {timeout}");
        }
        finally
        {
            Interlocked.CompareExchange(ref _pending, null, pending);
        }
    }
}
