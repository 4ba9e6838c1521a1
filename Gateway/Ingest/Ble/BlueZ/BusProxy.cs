using Tmds.DBus.Protocol;

namespace Vitals.Gateway.Ingest.Ble.BlueZ;

/// <summary>The bus daemon itself (org.freedesktop.DBus): who owns a well-known name.</summary>
internal sealed class BusProxy(DBusConnection connection, TimeSpan timeout)
    : DBusProxy(connection, BlueZNames.Bus, BlueZNames.BusPath, BlueZNames.Bus, timeout)
{
    /// <summary>The unique name owning <paramref name="name"/>, or null when nobody owns it.</summary>
    public async Task<string?> GetNameOwnerAsync(string name, CancellationToken ct)
    {
        try
        {
            return await CallAsync("GetNameOwner", static (m, _) => m.GetBodyReader().ReadString(), ct, "s",
                (ref MessageWriter w) => w.WriteString(name)).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException e) when (e.ErrorName == BlueZNames.ErrorNameHasNoOwner)
        {
            return null;
        }
    }

    /// <summary>NameOwnerChanged: <c>s s s</c> (name, old owner, new owner; empty when none).</summary>
    public static (string Name, string OldOwner, string NewOwner) ReadNameOwnerChanged(Message message)
    {
        var reader = message.GetBodyReader();
        return (reader.ReadString(), reader.ReadString(), reader.ReadString());
    }
}
