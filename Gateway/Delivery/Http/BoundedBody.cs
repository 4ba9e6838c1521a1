using System.Buffers;
using System.Text;

namespace Vitals.Gateway.Delivery.Http;

/// <summary>
/// An answer body read with a ceiling (<c>Ehr:MaxResponseBytes</c>): at most that many bytes are kept, the rest is not
/// read. The ceiling counts the bytes the content stream yields, i.e. after the handler's automatic decompression, so a
/// small gzip body that inflates to gigabytes stops at the ceiling too. A Content-Length above the ceiling is refused
/// before anything is read (RFC 9110 8.6).
/// </summary>
public sealed record BoundedBody(string Text, bool Truncated)
{
    public static async Task<BoundedBody> ReadAsync(HttpContent content, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        if (content.Headers.ContentLength is { } declared && declared > maxBytes)
            return new BoundedBody("", true);

        var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                using var kept = new MemoryStream();
                while (true)
                {
                    var read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false);
                    if (read == 0)
                        break;
                    if (kept.Length + read > maxBytes)
                    {
                        kept.Write(chunk, 0, (int)(maxBytes - kept.Length));
                        return new BoundedBody(Decode(kept), true);
                    }
                    kept.Write(chunk, 0, read);
                }
                return new BoundedBody(Decode(kept), false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
    }

    // FHIR's JSON format is UTF-8 (R4 json.html); a charset parameter naming another is not honoured.
    private static string Decode(MemoryStream bytes) =>
        Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
}
