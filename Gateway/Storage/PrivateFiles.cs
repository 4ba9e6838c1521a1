namespace Vitals.Gateway.Storage;

/// <summary>
/// Files only the gateway's own user may read or write: the store (readings, raw payloads, patient bindings, pending
/// passkeys) and private keys. They are created 0600 in folders created 0700, whatever the process umask: the mode is
/// passed to open(2)/mkdir(2) (so there is no moment at which another user could open the file) and then set exactly
/// (the umask can only remove bits, but an odd one such as 0277 would leave the file unwritable).
/// </summary>
/// <remarks>
/// Policy for what already exists: a folder is left as it is (a configured folder such as <c>/var/lib/x</c> or the
/// working directory may be shared on purpose); the caller warns when group or others can enter or read it. A file
/// of the gateway's own (the store and its <c>-wal</c>/<c>-shm</c>) that group or others can access is tightened: an
/// earlier build created it with the umask's 0644, and the data in it is never meant for other users.
/// Nothing here runs on Windows, whose ACLs are inherited from the folder.
/// </remarks>
public static class PrivateFiles
{
    /// <summary>0600.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>0700.</summary>
    public const UnixFileMode FolderMode = FileMode | UnixFileMode.UserExecute;

    private const UnixFileMode GroupAndOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Creates <paramref name="folder"/> 0700 (each missing parent too) when it does not exist. Returns the mode of an
    /// existing folder that group or others can access (left unchanged: see the remarks), else null.
    /// </summary>
    public static UnixFileMode? EnsureFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return null;
        }
        if (Directory.Exists(folder))
        {
            var mode = File.GetUnixFileMode(folder);
            return IsOpen(mode) ? mode : null;
        }
        // Each missing level on its own: Directory.CreateDirectory(path, mode) gives the parents it creates 0777 less
        // the umask, which is 0777 under umask 000.
        var missing = new Stack<string>();
        for (var f = Path.GetFullPath(folder); !Directory.Exists(f); f = Path.GetDirectoryName(f) ?? throw new DirectoryNotFoundException(folder))
        {
            missing.Push(f);
        }
        foreach (var f in missing)
        {
            Directory.CreateDirectory(f, FolderMode);
            File.SetUnixFileMode(f, FolderMode);
        }
        return null;
    }

    /// <summary>
    /// Creates <paramref name="path"/> empty and 0600 unless it exists; an existing one is <see cref="Tighten"/>ed.
    /// Returns the mode an existing file had when it was tightened, else null.
    /// </summary>
    public static UnixFileMode? CreateOrTighten(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        try
        {
            // Share everything: another process of ours (the CLI, the worker) may open the same file a moment later.
            using var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = System.IO.FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.ReadWrite | FileShare.Delete,
                UnixCreateMode = FileMode,
            });
            File.SetUnixFileMode(stream.SafeFileHandle, FileMode);
            return null;
        }
        catch (IOException) when (File.Exists(path))
        {
            return Tighten(path);
        }
    }

    /// <summary>
    /// Removes group and other permissions from an existing file (the owner's stay as they are). Returns the mode it
    /// had when it changed, null when it was private already or does not exist. Throws when the mode cannot be set
    /// (another user's file).
    /// </summary>
    public static UnixFileMode? Tighten(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return null;
        }
        var mode = File.GetUnixFileMode(path);
        if (!IsOpen(mode))
        {
            return null;
        }
        File.SetUnixFileMode(path, mode & ~GroupAndOthers);
        return mode;
    }

    /// <summary>True when group or others have any permission in <paramref name="mode"/>.</summary>
    public static bool IsOpen(UnixFileMode mode) => (mode & GroupAndOthers) != 0;

    /// <summary>The mode as ls and chmod write it: <c>0644</c>.</summary>
    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');
}
