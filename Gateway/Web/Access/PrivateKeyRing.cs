using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Web.Access;

/// <summary>
/// The web host's Data Protection key ring (what signs the login cookies and the anti-forgery tokens) kept in a private
/// folder, so that a restart neither logs the admin out nor makes a form a patient has open fail. Hand-written rather
/// than ASP.NET Core's <c>PersistKeysToFileSystem</c> for one reason: that repository creates the files with the
/// process umask (0644 under the usual 022), and these keys are secrets; here each file is created 0600 in a 0700
/// folder (<see cref="PrivateFiles"/>) and written whole before it takes its name, so a crash never leaves half a key.
/// </summary>
/// <remarks>
/// The keys are stored unencrypted, as ASP.NET Core does on Linux without a certificate: the folder's mode is the
/// protection, as for the store itself, which holds more sensitive data than a cookie key.
/// </remarks>
internal sealed class PrivateKeyRing(string folder) : IXmlRepository
{
    public string Folder { get; } = folder;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        if (!Directory.Exists(Folder)) return [];
        return Directory.EnumerateFiles(Folder, "*.xml").Order(StringComparer.Ordinal).Select(f => XElement.Load(f)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        PrivateFiles.EnsureFolder(Folder);
        // The friendly name is "key-<guid>"; anything else is replaced by a fresh name rather than trusted as a path.
        var name = friendlyName.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && friendlyName.Length is > 0 and <= 64
            ? friendlyName
            : "key-" + Guid.NewGuid().ToString("D");
        var path = Path.Combine(Folder, name + ".xml");
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = PrivateFiles.FileMode;
        using (var file = new FileStream(temporary, options))
        {
            element.Save(file);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
