using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// A child process for end-to-end tests: output captured line by line (stdout kept whole, up to a limit; a tail of
/// stderr for failure messages), waits for a line or for exit with a timeout, and on dispose the whole process tree
/// is killed. Stdin stays open so that a child that watches it (the sandbox EHR's --exit-on-stdin-close) dies with
/// the test host.
/// </summary>
public sealed class ProcessRunner : IAsyncDisposable
{
    private const int MaxKeptLines = 20_000;
    private const int StderrTailLines = 200;

    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly List<string> _stdout = [];
    private readonly Queue<string> _stderrTail = new();
    private readonly Queue<string> _combinedTail = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    private ProcessRunner(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    /// <summary>A short name for messages ("sandbox-ehr", "gateway").</summary>
    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Every stdout line so far (the first 20 000).</summary>
    public IReadOnlyList<string> StandardOutputLines
    {
        get
        {
            lock (_lock)
            {
                return [.. _stdout];
            }
        }
    }

    /// <summary>The last 200 stderr lines, for failure messages.</summary>
    public string StandardErrorTail
    {
        get
        {
            lock (_lock)
            {
                return string.Join('\n', _stderrTail);
            }
        }
    }

    /// <summary>The last 200 lines of stdout and stderr interleaved as they arrived (stderr lines marked "!").</summary>
    public string OutputTail
    {
        get
        {
            lock (_lock)
            {
                return string.Join('\n', _combinedTail);
            }
        }
    }

    /// <summary>Starts a process with its output redirected. Environment entries with a null value are removed.</summary>
    public static ProcessRunner Start(
        string fileName,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? name = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                startInfo.Environment.Remove(key);
            }
            else
            {
                startInfo.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var runner = new ProcessRunner(process, name ?? Path.GetFileNameWithoutExtension(fileName));
        process.OutputDataReceived += (_, e) => runner.OnLine(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => runner.OnLine(e.Data, isError: true);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException($"Cannot start {fileName}: {ex.Message}", ex);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return runner;
    }

    /// <summary>
    /// Waits for a stdout line that matches (lines already received count). Fails with the process's recent output if
    /// it exits first or the timeout passes.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            var existing = _stdout.FirstOrDefault(match);
            if (existing is not null)
            {
                return existing;
            }
            if (_stdoutClosed.Task.IsCompleted)
            {
                throw Failure("exited before printing the expected line");
            }
            _waiters.Add((match, found));
        }
        try
        {
            return await found.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw Failure($"did not print the expected line within {timeout.TotalSeconds:0.#} s");
        }
        finally
        {
            lock (_lock)
            {
                _waiters.RemoveAll(w => w.Found == found);
            }
        }
    }

    /// <summary>Waits for the process to exit and its output to be read; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw Failure($"did not exit within {timeout.TotalSeconds:0.#} s");
        }
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM (a graceful stop request). False if the process is gone or the signal failed.</summary>
    public bool SignalTerminate()
    {
        if (_process.HasExited)
        {
            return false;
        }
        const int sigterm = 15;
        return kill(_process.Id, sigterm) == 0;
    }

    /// <summary>SIGKILL, like <c>kill -9</c>: no shutdown code runs. Waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        KillTree();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    /// <summary>SIGTERM, then kill the tree if it has not exited within <paramref name="grace"/>. Returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited && SignalTerminate())
        {
            try
            {
                await _process.WaitForExitAsync().WaitAsync(grace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                KillTree();
            }
        }
        else
        {
            KillTree();
        }
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        KillTree();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The kill was sent; a zombie that does not reap in 10 s is not worth failing the test run for.
        }
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The pipe is already broken: the child is gone.
        }
        _process.Dispose();
    }

    private void KillTree()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    private InvalidOperationException Failure(string what)
    {
        var exit = _process.HasExited ? $" (exit code {_process.ExitCode})" : "";
        return new InvalidOperationException($"{Name} {what}{exit}. Recent output:\n{OutputTail}");
    }

    private void OnLine(string? line, bool isError)
    {
        List<TaskCompletionSource<string>>? matched = null;
        List<TaskCompletionSource<string>>? orphaned = null;
        lock (_lock)
        {
            if (line is null)
            {
                (isError ? _stderrClosed : _stdoutClosed).TrySetResult();
                if (!isError)
                {
                    orphaned = _waiters.Select(w => w.Found).ToList();
                    _waiters.Clear();
                }
            }
            else
            {
                Enqueue(_combinedTail, isError ? "! " + line : line);
                if (isError)
                {
                    Enqueue(_stderrTail, line);
                }
                else
                {
                    if (_stdout.Count < MaxKeptLines)
                    {
                        _stdout.Add(line);
                    }
                    foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
                    {
                        (matched ??= []).Add(waiter.Found);
                        _waiters.Remove(waiter);
                    }
                }
            }
        }
        foreach (var found in matched ?? [])
        {
            found.TrySetResult(line!);
        }
        foreach (var found in orphaned ?? [])
        {
            found.TrySetException(Failure("closed its output before printing the expected line"));
        }
    }

    private static void Enqueue(Queue<string> queue, string line)
    {
        queue.Enqueue(line);
        while (queue.Count > StderrTailLines)
        {
            queue.Dequeue();
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
